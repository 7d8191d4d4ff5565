#pragma once
// The sweep page's statistics (docs/report.md, "A sweep's report"): for a sweep over one key
// (beside the policy and the keys that follow it) the rows of its line charts, each a mean
// over seeds with its 95% interval, the baseline drawn and where each line crosses it; for
// one-at-a-time and sampled designs, the effect of each parameter. The numbers come from
// sim/stats on the folder's points.csv and results.csv, as the sweep's stats.csv, paired.csv
// and effects.csv do, so the page and the files agree. Reusable by any page that puts runs
// side by side (the figures and their panels are data, not code).

#include "sim/report/json_file.hpp"

#include <optional>
#include <string>
#include <vector>

namespace fleetsim {

/** What the sweep page knows of its keys when it asks for the statistics. */
struct SweepLayout {
    std::vector<std::string> keys;
    std::vector<bool> numeric;             ///< per key: every value is a number
    std::optional<std::size_t> policy;     ///< the key that names the policy
    std::vector<std::size_t> with_policy;  ///< keys whose value the policy fixes
    std::optional<std::size_t> line_key;   ///< the x of the line charts (one free key)
    /** The page draws the line charts (views "lines" and "intervals"): only then are their
     * rows computed (a grid of maps would carry them unused, most of its page). */
    bool line_charts = false;
};

/**
 * The free keys of a sweep: neither the policy nor a key that follows it. One free key makes
 * line charts ("lines"), none a chart of intervals per policy ("intervals"), more heat maps
 * ("maps").
 */
std::vector<std::size_t> free_keys(const SweepLayout& layout);

/**
 * The keys of the one-at-a-time and sample blocks of sweep.json's "analysis" (none without
 * it). A sweep whose free keys are all such keys is drawn key by key ("designs"), not as maps:
 * its settings do not fill a grid. `path` names sweep.json in errors.
 */
std::vector<std::size_t> design_keys(const OrderedJson& spec,
                                     const std::vector<std::string>& keys,
                                     const std::string& path);

/**
 * Adds to `data` (the sweep page's JSON) "charts", "lines", "rules", "crossings", "baseline",
 * "effects" and "design_lines" (per parameter of a one-at-a-time or sample block, the mean
 * profit of each setting where only that parameter left its base, or of every sampled
 * setting, with its interval) from the sweep folder `dir` (its points.csv, results.csv and
 * sweep.json's "analysis"; without "analysis", a swept policy.name's first value is the
 * baseline). A folder without points.csv gets empty lists. Bad files are InputErrors naming
 * file and line.
 */
void add_sweep_statistics(OrderedJson& data,
                          const std::string& dir,
                          const OrderedJson& spec,
                          const SweepLayout& layout);

}  // namespace fleetsim
