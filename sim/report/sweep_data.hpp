#pragma once
// The data of a sweep's report, read from the sweep's folder as the sweep contract gives it
// (issue 4): sweep.json {"name", "base", "keys", "points", "version"} and results.csv, one row
// per (point, class): point_id, status, one column per swept dotted key, seed, replication,
// class, then the columns of classes.csv. Failed points have status "failed" and no figures.
// points.csv, one row per point with the run's totals (summary.json `totals`), gives the
// profit, revenue, cost and opportunity cost when the folder has it; a folder without it (an
// older fleetsim's sweep, or a hand-made one) falls back to the sums of the classes, and the
// page says so. Class columns and points.csv's columns are named by the output schema
// (sim/schema/schema.hpp). The report reads these exported files rather than sweep.db: they are
// the contract a folder without a database also meets, and the report stays free of SQLite and
// of the database's own schema.

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
    /** The run's total profit (points.csv total_profit_usd, which counts the cost of GPUs no
     * class held); without points.csv, the sum of the classes' profit. */
    double profit_usd = 0;
    double revenue_usd = 0;           ///< as profit_usd: the run's total, else the classes' sum
    double cost_usd = 0;              ///< as profit_usd
    double opportunity_cost_usd = 0;  ///< as profit_usd
    double classes_profit_usd = 0;    ///< sum of the classes' profit_usd (results.csv), always
    double gpu_h = 0;
    std::optional<double> video_gpu_h_share;  ///< video family's share of the classes' GPU-hours
};

struct SweepTable {
    std::string name;
    std::vector<std::string> keys;
    std::vector<SweepCell> cells;  ///< in the order points first appear in results.csv
    /** True when the money figures are the runs' totals from points.csv; false when the folder
     * has no points.csv and they are the sums of the classes. */
    bool run_totals = false;
};

/**
 * Reads sweep.json, results.csv and (when present) points.csv of `dir`; bad files are
 * InputErrors naming file and key.
 */
SweepTable read_sweep(const std::string& dir);

/** The best policy at one setting of the other keys: highest mean profit (SweepCell). */
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
