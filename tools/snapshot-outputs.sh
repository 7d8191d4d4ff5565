#!/usr/bin/env bash
# Runs every shipped scenario under every registered policy, `fleetsim bound`, and every
# shipped sweep, and writes their outputs under SNAPSHOT_DIR, normalised only where a figure
# depends on the machine (wall_s). Two snapshots made by two builds are compared with
#   diff -r SNAPSHOT_A SNAPSHOT_B
# which is how a change that must keep outputs byte-identical (a refactor, a feature that is
# off by default) proves it does:
#   git stash; cmake --build build; tools/snapshot-outputs.sh build/fleetsim /tmp/before
#   git stash pop; cmake --build build; tools/snapshot-outputs.sh build/fleetsim /tmp/after
#   diff -r /tmp/before /tmp/after && echo identical
#
# usage: tools/snapshot-outputs.sh FLEETSIM_BINARY SNAPSHOT_DIR
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 FLEETSIM_BINARY SNAPSHOT_DIR" >&2
    exit 2
fi
bin="$(realpath "$1")"
snap="$2"
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [ -e "$snap" ] && [ -n "$(ls -A "$snap")" ]; then
    echo "$snap exists and is not empty: choose a new folder" >&2
    exit 2
fi
mkdir -p "$snap"
snap="$(realpath "$snap")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Every run writes to the same relative folder from the same working folder, so that
# scenario.resolved.yaml (which records output.dir) is the same for both snapshots.
normalise() {  # $1: a run's output folder, $2: where to keep it
    mkdir -p "$2"
    for f in "$1"/*; do
        case "$(basename "$f")" in
            summary.json | bound.json) sed -E 's/"wall_s": [^,]*/"wall_s": 0/' "$f" >"$2/$(basename "$f")" ;;
            *) cp "$f" "$2/" ;;
        esac
    done
}

policies=$("$bin" policies | awk '/^[a-z]/ {print $1}')
cd "$work"
for scenario in "$repo"/scenarios/*.yaml builtin; do
    name=$(basename "$scenario" .yaml)
    args=()
    [ "$scenario" != builtin ] && args=("$scenario")
    # A scenario whose hindsight bound is too large to solve here says so in a line
    # "# snapshot: no-bound" (the LP has a variable per job and interval: a replayed log of
    # tens of thousands of jobs over months makes millions).
    bound=(--bound)
    [ "$scenario" != builtin ] && grep -q '^# snapshot: no-bound' "$scenario" && bound=()
    "$bin" run "${args[@]}" "${bound[@]}" --out out | sed -E 's/ in [0-9.]+ s$//' >"$snap/$name.stdout"
    normalise out "$snap/$name/as-shipped"
    rm -rf out
    # "# snapshot: as-shipped" in a scenario: only its own policy (a replayed log of 69,351
    # jobs takes minutes under las, opportunity-cost or market).
    [ "$scenario" != builtin ] && grep -q '^# snapshot: as-shipped' "$scenario" && continue
    for p in $policies; do
        [ "$p" = static-partition ] && continue  # needs the shares the scenario file gives
        "$bin" run "${args[@]}" --set policy.name="$p" --set 'policy.params={}' --out out |
            sed -E 's/ in [0-9.]+ s$//' >"$snap/$name.$p.stdout"
        normalise out "$snap/$name/$p"
        rm -rf out
    done
    if [ ${#bound[@]} -gt 0 ]; then
        "$bin" bound "${args[@]}" --out out >/dev/null
        normalise out "$snap/$name/bound"
        rm -rf out
    fi
done
for sweep in "$repo"/scenarios/sweeps/*.yaml; do
    name=$(basename "$sweep" .yaml)
    "$bin" sweep "$sweep" -j 2 --out out >/dev/null
    mkdir -p "$snap/sweep-$name"
    for f in out/*; do
        case "$(basename "$f")" in
            sweep.db) ;;  # holds wall_s per point; its exports below hold the rest
            # sweep.json names the sweep file and its base by absolute path: the checkout's
            # own folder is replaced so that two checkouts' snapshots compare.
            sweep.json) sed "s|$repo/|REPO/|g" "$f" >"$snap/sweep-$name/sweep.json" ;;
            *) cp "$f" "$snap/sweep-$name/" ;;
        esac
    done
    rm -rf out
done
echo "snapshot written to $snap"
