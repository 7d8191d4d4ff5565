#pragma once
// `fleetsim breakeven`: the value of one key at which a figure of the run crosses a target
// (docs/planning.md, Break-even), found by bisection over runs, each run its own process as a
// sweep's points are (point_runner.hpp). Example: the video price at which the lab's profit equals
// that of a baseline run without video.
//
// The two ends of the interval run first; the figure minus the target must change sign
// between them. Each step runs the middle and keeps the half where the sign changes, until
// the interval is narrower than the tolerance; the answer is the straight line between the
// last two ends (exact when the figure is linear in the key). Every run's folder is kept
// under OUT/points/<n>/ (n from 0, in run order), OUT/breakeven.csv lists the steps and
// OUT/breakeven.json the answer.

#include "sim/config/scenario_loader.hpp"

#include <optional>
#include <string>
#include <vector>

namespace fleetsim::sweep {

struct BreakevenOptions {
    std::string scenario;             ///< a scenario file; empty: the built-in default
    std::vector<Override> overrides;  ///< --set, --seed, --scale: the same in every run
    std::string key;                  ///< the dotted key varied
    double low = 0;
    double high = 0;
    std::string figure;            ///< a number of summary.json by its dotted path
    std::optional<double> target;  ///< --target
    std::string target_from;       ///< --target-from: a run folder whose figure is the target
    double tolerance = 0;          ///< in the key's unit; 0: (high - low) / 1024
    int max_runs = 40;
    std::string out;  ///< default results/breakeven-<scenario name>
    bool quiet = false;
};

/** The value of `path` ("totals.profit_usd", "classes.chat.served_fraction") in a run
    folder's summary.json; an InputError naming the path and the folder when it is no number. */
double summary_figure(const std::string& run_dir, const std::string& path);

/** Runs the bisection; returns the exit code (0 found, 2 bad input or no crossing). */
int run_breakeven(const BreakevenOptions& options);

}  // namespace fleetsim::sweep
