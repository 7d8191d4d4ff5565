#!/usr/bin/env bash
# Regenerates the reference section of docs/policies.md (between the BEGIN/END markers) from
# `fleetsim policies --markdown`; the prose around it is kept. tests/scenarios/docs_test.cpp
# fails when the two differ. Usage, from the repository root:
#   tools/update-policies-doc.sh [path/to/fleetsim]
set -euo pipefail
cd "$(dirname "$0")/.."
fleetsim=${1:-./build/fleetsim}
doc=docs/policies.md
generated=$(mktemp)
trap 'rm -f "$generated"' EXIT
"$fleetsim" policies --markdown > "$generated"
awk -v gen="$generated" '
    /^<!-- BEGIN generated/ { print; while ((getline line < gen) > 0) print line; skip = 1; next }
    /^<!-- END generated/ { skip = 0 }
    !skip { print }
' "$doc" > "$doc.tmp"
mv "$doc.tmp" "$doc"
