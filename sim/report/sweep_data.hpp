#pragma once
// The data of a sweep's report, read from the sweep's folder as the sweep contract gives it
// (issue 4): sweep.json {"name", "base", "keys", "points", "version"} and results.csv, one row
// per (point, class): point_id, status, one column per swept dotted key, seed, replication,
// class, then the columns of classes.csv. Failed points have status "failed" and no figures.

#include "sim/report/json_file.hpp"
#include "sim/report/report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace fleetsim {

/** One point of the grid: the mean over its replications of the figures summed over classes. */
struct SweepCell {
    std::vector<std::string> values;  ///< one per swept key, as written in results.csv
    int replications = 0;             ///< rows of figures that went into the means
    int failed = 0;                   ///< replications with status "failed"
    double profit_usd = 0;            ///< sum of the classes' profit (idle GPUs are not a class)
    double revenue_usd = 0;
    double cost_usd = 0;
    double opportunity_cost_usd = 0;
    double gpu_h = 0;
    std::optional<double> video_gpu_h_share;  ///< video family's share of the classes' GPU-hours
};

struct SweepTable {
    std::string name;
    std::vector<std::string> keys;
    std::vector<SweepCell> cells;  ///< in the order points first appear in results.csv
};

/** Reads sweep.json and results.csv of `dir`; bad files are InputErrors naming file and key. */
SweepTable read_sweep(const std::string& dir);

/** The best policy at one setting of the other keys: highest mean profit of the classes. */
struct BestPolicy {
    std::vector<std::string> values;  ///< every swept key but the policy's ("" in its place)
    std::string policy;
    double profit_usd = 0;
    std::optional<std::string> runner_up;
    double margin_usd = 0;  ///< best profit minus the runner-up's
};

/** The keys whose value is fixed by the policy's (policy.params zipped with policy.name). */
std::vector<std::size_t> keys_with_policy(const SweepTable& table, std::size_t policy_key);

/**
 * One entry per setting of the other keys (not the policy, not `with_policy`) with at least
 * one successful policy.
 */
std::vector<BestPolicy> best_policies(const SweepTable& table,
                                      std::size_t policy_key,
                                      const std::vector<std::size_t>& with_policy = {});

/** The swept key that names the policy. */
inline constexpr const char* kPolicyKey = "policy.name";

/** The JSON the sweep page draws from (see report/src/report.js). */
OrderedJson build_sweep_data(const std::string& dir, const ReportOptions& options);

}  // namespace fleetsim
