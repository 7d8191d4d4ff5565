#!/usr/bin/env bash
# Runs scenarios/cost-collapse.yaml once per year, 2025-2030, with that year's video values:
# compute per output-second divided by 2.5 a year, price by 1.5 a year, and demand in seconds
# growing as compute falls (1,200 GPUs of demand every year); see workloads/cost-collapse.yaml
# for the sources and assumptions. Prints one line per year. Usage, from the repository root:
#   scenarios/cost-collapse.sh [path/to/fleetsim] [extra fleetsim run options...]
set -euo pipefail
cd "$(dirname "$0")/.."
fleetsim=${1:-./build/fleetsim}
shift || true
out=${TMPDIR:-/tmp}/fleetsim-cost-collapse
printf '%-6s %10s %10s %10s %12s %12s %12s\n' year gpu_s/s '$/s' 'video $/h' 'chat $/h' 'video GPU-h' 'chat served'
for year in 2025 2026 2027 2028 2029 2030; do
    k=$((year - 2025))
    read -r gpu_s price demand < <(awk -v k="$k" 'BEGIN {
        g = 234 / (2.5 ^ k); p = 0.10 / (1.5 ^ k); printf "%.6g %.6g %.6g\n", g, p, 1200 * 0.8 / g }')
    "$fleetsim" run scenarios/cost-collapse.yaml -q --out "$out/$year" \
        --set workload.classes.video-gen.gpu_s_per_unit="$gpu_s" \
        --set workload.classes.video-gen.price_usd_per_unit="$price" \
        --set workload.classes.video-gen.demand_units_per_s="$demand" "$@"
    # classes.csv columns by their header names, so that a new column does not shift them.
    awk -F, -v year="$year" -v g="$gpu_s" -v p="$price" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
                  if (!col["gpu_h"] || !col["revenue_usd_per_gpu_h"] || !col["served_fraction"]) {
                      print "cost-collapse.sh: classes.csv lacks an expected column" > "/dev/stderr"; exit 1 } }
        $1 == "video-gen" { vrate = $col["revenue_usd_per_gpu_h"]; vgpuh = $col["gpu_h"] }
        $1 == "chat" { crate = $col["revenue_usd_per_gpu_h"]; cserved = $col["served_fraction"] }
        END { printf "%-6s %10.3g %10.4f %10.2f %12.2f %12.0f %12.3f\n", year, g, p, vrate, crate, vgpuh, cserved }
    ' "$out/$year/classes.csv"
done
