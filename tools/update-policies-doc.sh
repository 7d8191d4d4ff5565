#!/usr/bin/env bash
# Regenerates the reference section of docs/policies.md (between the BEGIN/END markers) from
# `fleetsim policies --markdown`; the prose around it is kept. tests/scenarios/docs_test.cpp
# fails when the two differ. Usage, from the repository root:
#   tools/update-policies-doc.sh [path/to/fleetsim]
set -euo pipefail
exec "$(dirname "$0")/update-generated-doc.sh" docs/policies.md "${1:-./build/fleetsim}" \
    policies --markdown
