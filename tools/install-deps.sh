#!/usr/bin/env bash
# Installs what fleetsim needs on Debian 12 (all from Debian's own packages; the report's
# charting library comes from the npm registry at build time, see report/). Idempotent.
set -euo pipefail
packages=(
    build-essential cmake ninja-build pkg-config git
    libsimgrid-dev libboost-graph-dev libyaml-cpp-dev libspdlog-dev libfmt-dev doctest-dev
    libcli11-dev nlohmann-json3-dev
    libsqlite3-dev libsqlitecpp-dev libglpk-dev openmpi-bin libopenmpi-dev
    nodejs npm chromium
    clang libclang-rt-14-dev  # the fuzz preset: libFuzzer, ASan and UBSan (tools/ci-checks.sh)
)
missing=()
for p in "${packages[@]}"; do
    # The machines' NodeSource nodejs bundles npm, and Debian's npm package conflicts with it.
    if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
