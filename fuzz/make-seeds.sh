#!/usr/bin/env bash
# Writes the seed corpus of every fuzz target into OUT/<target>/ (docs/testing.md, "Fuzzing"):
# the shipped YAML, tests/bad_inputs/ and tests' data for the YAML targets, the fixture folders
# for the report's files, the first lines of the logs in ../shared/data/ (when it is there) and
# fuzz/seeds/<target>/ (small files written by hand) for the traces, and every target's
# fuzz/regressions/<target>/. The report targets' inputs start with one byte that picks the file
# they replace (fuzz/report_targets.cpp), so their seeds get it prepended here.
# Usage: fuzz/make-seeds.sh OUT
set -euo pipefail
out=${1:?usage: fuzz/make-seeds.sh OUT}
root=$(cd "$(dirname "$0")/.." && pwd)
data=$root/../shared/data
cd "$root"

copy() {  # copy TARGET FILE...: each file as a seed
    local target=$1
    shift
    mkdir -p "$out/$target"
    for f in "$@"; do
        [ -f "$f" ] && cp "$f" "$out/$target/$(echo "$f" | tr / _)"
    done
    return 0
}
head_of() {  # head_of TARGET LINES FILE...: the first LINES lines of each file
    local target=$1 lines=$2
    shift 2
    mkdir -p "$out/$target"
    for f in "$@"; do
        [ -f "$f" ] && head -n "$lines" "$f" > "$out/$target/$(basename "$f").head"
    done
    return 0
}
picked() {  # picked TARGET BYTE NAME FILE: FILE's first 200 lines after the selector BYTE
    mkdir -p "$out/$1"
    { printf "\\x$2"; head -n 200 "$4"; } > "$out/$1/$3"
}

copy scenario scenarios/*.yaml tests/bad_inputs/*.yaml tests/bad_inputs/many/*.yaml \
    tests/scenarios/data/*.yaml
copy platform platforms/*.yaml
copy workload workloads/*.yaml
copy sweep scenarios/sweeps/*.yaml tests/fixtures/report-sweep.yaml tests/sweep/data/*.yaml
copy summary_json fuzz/fixtures/run/summary.json
picked report_run_csv 00 timeseries.csv fuzz/fixtures/run/timeseries.csv
picked report_run_csv 01 jobs.csv fuzz/fixtures/run/jobs.csv
picked report_sweep 00 sweep.json fuzz/fixtures/sweep/sweep.json
picked report_sweep 01 results.csv fuzz/fixtures/sweep/results.csv
picked report_sweep 02 points.csv fuzz/fixtures/sweep/points.csv
head_of trace_swf 60 "$data"/swf-*/*.swf
head_of trace_itp 60 "$data"/microsoft-itp-elasticflow/elasticflow/*.csv
copy trace_batsim "$data"/batsim/test_walltime.json "$data"/batsim/test_long_workload.json
# trace_csv: its column map is the target's own (fuzz/trace_targets.cpp), so its seeds are fuzz/seeds/.
head_of trace_azure 60 "$data"/azure-llm-2023/*.csv
head_of trace_mooncake 60 "$data"/mooncake/*.jsonl
for target in fuzz/seeds/*/ fuzz/regressions/*/; do
    name=$(basename "$target")
    mkdir -p "$out/$name"
    find "$target" -maxdepth 1 -type f ! -name README.md -exec cp {} "$out/$name/" \;
done
