#!/usr/bin/env bash
# The checks .ci/run makes after the README's test command (docs/testing.md, "What CI runs"),
# each printing its wall time:
#   make-generator  the build's rules work with CMake's default generator (Unix Makefiles): a
#                   dry run of the whole build, the report's npm and embedding rules for real,
#                   and a second build of them that does nothing
#   fuzz-build      the `fuzz` preset (clang, AddressSanitizer + UBSan, libFuzzer) in build-fuzz/
#   asan-suite      the whole ctest suite in that build, under ASan and UBSan
#   fuzz            every fuzz target (or FUZZ_TARGETS) for FUZZ_SECONDS (60) from its seeds, two at a time,
#                   with libFuzzer's seed FUZZ_SEED (1; 0 for a random one);
#                   a crash, leak, sanitizer report or an input slower than 10 s fails it, and the
#                   input is left in build-fuzz/fuzz-findings/<target>/ (make it a regression
#                   input: fuzz/regressions/<target>/, docs/testing.md)
# Warnings as errors are the README command's own build: .ci/run exports FLEETSIM_WERROR=ON.
# Usage: tools/ci-checks.sh [STEP...]   (default: all, in the order above)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=${CI_JOBS:-2}
fuzz_seconds=${FUZZ_SECONDS:-60}
# libFuzzer's seed: fixed, so that a CI run explores the same inputs as the same code did on a
# developer's machine (a failure is a change's, reproducible); FUZZ_SEED=0 picks one at random
# for deeper runs (docs/testing.md).
fuzz_seed=${FUZZ_SEED:-1}

step() {  # step NAME: runs step_NAME and prints its wall time
    local start=$SECONDS
    echo "=== ci-checks: $1"
    "step_${1//-/_}"
    echo "=== ci-checks: $1 took $((SECONDS - start)) s"
}

step_make_generator() {
    local dir=build-make
    rm -rf "$dir"
    mkdir -p "$dir"
    cmake -S . -B "$dir" -DFLEETSIM_BUILD_BENCH=OFF > "$dir/configure.log" ||
        { cat "$dir/configure.log"; return 1; }
    # A rule that names a file no rule makes is found by a dry run of the whole build, before
    # anything is compiled. A dry run also misses the objects and libraries that other targets'
    # sub-makes would build (.o, .a, .so), so those, and only those, are let through.
    make -n -k -C "$dir" all > "$dir/dry-run.log" 2>&1 || true
    local missing
    missing=$(grep -o "No rule to make target '[^']*'" "$dir/dry-run.log" | grep -v "\.\(o\|a\|so\)'$" || true)
    if [ -n "$missing" ]; then
        echo "Unix Makefiles: $missing"
        return 1
    fi
    cmake --build "$dir" --target fleetsim_report_assets -j "$jobs"
    # npm writes 1985 times; its outputs must be up to date after one build, or every build
    # would run npm ci again.
    local again
    again=$(cmake --build "$dir" --target fleetsim_report_assets -- -n)
    if grep -q "npm\|embed_files" <<< "$again"; then
        echo "a second build of the report's assets would run again:"
        echo "$again"
        return 1
    fi
}

step_fuzz_build() {
    mkdir -p build-fuzz
    cmake --preset fuzz > build-fuzz/configure.log || { cat build-fuzz/configure.log; return 1; }
    cmake --build --preset fuzz -j "$jobs"
}

step_asan_suite() {
    ctest --preset fuzz -j "$jobs"
}

step_fuzz() {
    local seeds=build-fuzz/fuzz-seeds findings=build-fuzz/fuzz-findings
    rm -rf "$seeds" "$findings" build-fuzz/fuzz-logs build-fuzz/fuzz-corpus
    fuzz/make-seeds.sh "$seeds"
    mkdir -p build-fuzz/fuzz-logs
    local targets
    targets=${FUZZ_TARGETS:-$(ls build-fuzz/fuzz/ | sed -n "s/^fuzz_//p")}
    # Each target on a copy of its seeds (libFuzzer adds what it finds to its corpus folder).
    export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    local failed=0
    printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c '
        t={}; mkdir -p '"$findings"'/$t build-fuzz/fuzz-corpus/$t
        cp -r '"$seeds"'/$t/. build-fuzz/fuzz-corpus/$t/ 2>/dev/null || true
        if build-fuzz/fuzz/fuzz_$t -max_total_time='"$fuzz_seconds"' -seed='"$fuzz_seed"' -timeout=10 -rss_limit_mb=4096 \
               -max_len=16384 -print_final_stats=1 -artifact_prefix='"$findings"'/$t/ \
               build-fuzz/fuzz-corpus/$t > build-fuzz/fuzz-logs/$t.log 2>&1; then
            echo "fuzz_$t: clean, $(grep -m1 -o "stat::number_of_executed_units: *[0-9]*" build-fuzz/fuzz-logs/$t.log | grep -o "[0-9]*$") inputs"
        else
            echo "fuzz_$t: FAILED, see build-fuzz/fuzz-logs/$t.log and '"$findings"'/$t/"
            tail -n 40 build-fuzz/fuzz-logs/$t.log
            exit 1
        fi' || failed=1
    return $failed
}

all=(make-generator fuzz-build asan-suite fuzz)
for s in "${@:-${all[@]}}"; do
    step "$s"
done
