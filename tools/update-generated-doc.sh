#!/usr/bin/env bash
# Replaces the section of a doc between its `<!-- BEGIN generated ... -->` and
# `<!-- END generated ... -->` markers with the output of a fleetsim command; the prose around
# it is kept. tools/update-policies-doc.sh and tools/update-config-doc.sh call it. Usage, from
# anywhere:
#   tools/update-generated-doc.sh DOC FLEETSIM ARGS...   (DOC relative to the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
doc=$1
fleetsim=$2
shift 2
generated=$(mktemp)
trap 'rm -f "$generated"' EXIT
"$fleetsim" "$@" > "$generated"
awk -v gen="$generated" '
    /^<!-- BEGIN generated/ { print; while ((getline line < gen) > 0) print line; skip = 1; next }
    /^<!-- END generated/ { skip = 0 }
    !skip { print }
' "$doc" > "$doc.tmp"
mv "$doc.tmp" "$doc"
