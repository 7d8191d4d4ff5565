#!/usr/bin/env bash
# Regenerates the key reference of docs/config.md (between the BEGIN/END markers) from
# `fleetsim config-keys --markdown`, that is from the key tables in sim/config/*_loader.cpp;
# the prose around it is kept. tests/unit/config_docs_test.cpp fails when the two differ.
# Usage, from the repository root:
#   tools/update-config-doc.sh [path/to/fleetsim]
set -euo pipefail
exec "$(dirname "$0")/update-generated-doc.sh" docs/config.md "${1:-./build/fleetsim}" \
    config-keys --markdown
