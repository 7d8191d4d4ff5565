#!/usr/bin/env bash
# Remakes the screenshots of docs/teaching.md and docs/report.md from real runs of the built
# fleetsim, in the machine's headless Chromium (report/probe.cjs).
# Usage: docs/img/make_screenshots.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
fleetsim=$build/fleetsim
img=$root/docs/img
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
shoot() {  # shoot RUN_DIR NAME=CHART...
    local dir=$1
    shift
    local args=()
    for pair in "$@"; do
        local name=${pair%%=*} what=${pair#*=}
        local selector="figure[data-chart=$what]"
        [ "$what" = headline ] && selector='[data-role=headline]'
        args+=(--shot "$selector=$img/$name.png")
    done
    node "$root/report/probe.cjs" --modules "$build/report/npm/node_modules" --width 1000 \
        --html "$dir/report.html" "${args[@]}" > /dev/null
}
greedy=(--set policy.name=revenue-greedy --set 'policy.params={}')
video25=(--set workload.classes.video-gen.price_usd_per_unit=0.25)

"$fleetsim" run -q --out "$out/static"
"$fleetsim" run -q --out "$out/greedy" "${greedy[@]}"
"$fleetsim" run -q --out "$out/fifo" --set policy.name=fifo --set 'policy.params={}'
"$fleetsim" run -q --out "$out/static-video25" "${video25[@]}"
"$fleetsim" run -q --out "$out/greedy-video25" "${greedy[@]}" "${video25[@]}"
shoot "$out/static" static-headline=headline static-gpus=gpus static-rates=rates
# The printed handout of the default run (A4, the print stylesheet), as one long picture.
node "$root/report/probe.cjs" --modules "$build/report/npm/node_modules" --html "$out/static/report.html" \
    --pdf-format A4 --print-screenshot "$img/static-handout.png" > /dev/null
shoot "$out/greedy" greedy-headline=headline greedy-gpus=gpus greedy-services=services
shoot "$out/fifo" fifo-waits=wait_histograms
shoot "$out/static-video25" static-video25-headline=headline static-video25-rates=rates
shoot "$out/greedy-video25" greedy-video25-gpus=gpus
# The ready scenarios (scenarios/README.md).
"$fleetsim" run "$root/scenarios/sora-2025.yaml" -q --out "$out/sora"
"$fleetsim" run "$root/scenarios/sora-2025.yaml" -q --out "$out/sora-greedy" "${greedy[@]}"
"$fleetsim" run "$root/scenarios/kling-vertical.yaml" -q --out "$out/kling"
"$fleetsim" run "$root/scenarios/energy-shock.yaml" -q --out "$out/energy"
TMPDIR="$out" "$root/scenarios/cost-collapse.sh" "$fleetsim" > /dev/null
shoot "$out/sora" sora-headline=headline sora-gpus=gpus
shoot "$out/sora-greedy" sora-greedy-gpus=gpus
shoot "$out/kling" kling-headline=headline kling-services=services
shoot "$out/energy" energy-headline=headline energy-profit=profit
shoot "$out/fleetsim-cost-collapse/2028" collapse-2028-gpus=gpus
shoot "$out/fleetsim-cost-collapse/2029" collapse-2029-gpus=gpus
cp -r "$root/tests/fixtures/sweep-contract" "$out/sweep"
"$fleetsim" report -q "$out/sweep"

"$fleetsim" sweep "$root/scenarios/sweeps/video-vs-llm.yaml" -q --out "$out/video-vs-llm"
"$fleetsim" report -q "$out/video-vs-llm"
shoot "$out/video-vs-llm" sweep-video-vs-llm=sweep
# The figure of a paper: profit against video's price per policy, with 95% bands over seeds.
"$fleetsim" sweep "$root/scenarios/sweeps/video-price-seeds.yaml" -q --out "$out/video-price-seeds"
shoot "$out/video-price-seeds" sweep-video-price-profit=profit
ls -l "$img"/*.png
