#pragma once
// Statistics over a sweep's points (docs/sweeps.md, "Statistics"): for every setting (a point
// without its seed) the mean, standard deviation and 95% t-interval of every figure; paired
// differences against a baseline setting over the seeds both ran; the slopes of every figure
// against each parameter of a one-at-a-time or sampled design; and where a line of means
// crosses another.
//
// It reads what the sweep exports (points.csv and results.csv), so that the sweep's database,
// its stats.csv / paired.csv / effects.csv and the report (sim/report/sweep_data.cpp) compute
// from the same cells with the same code, and a folder without a database (a copy, an older
// sweep with points.csv) gets the same figures. std, fmt and the CSV module only: no SQLite,
// no engine. `fleetsim compare` and a break-even search can use it as it is.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fleetsim::sweep {

/** Student's t quantile: P(T <= t) = p for T with `dof` degrees of freedom (dof >= 1). */
double t_quantile(double p, long long dof);

/** The 95% interval level of every interval below (columns ci95_low, ci95_high). */
inline constexpr double kIntervalLevel = 0.95;

/**
 * A sample's mean and its 95% t-interval: mean ± t(0.975, n-1) · sd / sqrt(n), sd the sample
 * standard deviation (n - 1 in the denominator). sd and the interval need n >= 2.
 */
struct Interval {
    long long n = 0;
    double mean = 0;
    std::optional<double> sd;
    std::optional<double> low, high;
};

Interval t_interval(const std::vector<double>& values);

/** A figure the statistics cover: a column of points.csv (cls empty) or of one class's rows. */
struct FigureId {
    std::string cls;     ///< the class (results.csv `class`), or "" for a run-level figure
    std::string figure;  ///< the column's name
    bool operator==(const FigureId&) const = default;
};

/** One point of the sweep as its exports give it. */
struct SweepRun {
    long long point_id = 0;
    std::vector<std::string> values;  ///< one per swept key, as points.csv writes it
    std::string seed;
    bool done = false;
    std::vector<std::optional<double>> figures;  ///< one per SweepRuns::figures; empty if failed
};

/**
 * A block of `vary` whose parameters get slopes (effects): one_at_a_time (every key moves
 * alone from the base setting) or sample (random or Latin hypercube: the keys move together).
 */
struct Design {
    enum class Kind { one_at_a_time, sample };
    Kind kind = Kind::one_at_a_time;
    std::size_t block = 0;          ///< its position in `vary`
    std::vector<std::size_t> keys;  ///< swept key indices
    std::vector<std::string> base;  ///< one_at_a_time: each key's base value, as written
};

const char* design_name(Design::Kind kind);

/** What the sweep file says about analysis: the baseline and the designs. */
struct Analysis {
    /** Swept key index -> its baseline value, as points.csv writes it (docs/sweeps.md). */
    std::map<std::size_t, std::string> baseline;
    /** Keys that follow a baseline key (zipped with it): not matched when finding a baseline. */
    std::vector<std::size_t> baseline_follows;
    std::vector<Design> designs;
};

/**
 * The analysis as sweep.json's "analysis" and the database's meta row `analysis` hold it, keys
 * by name: {"baseline": {key: value}, "baseline_follows": [key], "designs": [{"method",
 * "block", "keys", "base"}]}.
 */
nlohmann::json analysis_to_json(const Analysis& analysis, const std::vector<std::string>& keys);
/** The inverse; an "analysis" naming a key that is not in `keys` is a std::runtime_error. */
Analysis analysis_from_json(const nlohmann::json& json, const std::vector<std::string>& keys);

struct SweepRuns {
    std::vector<std::string> keys;
    std::vector<std::string> classes;  ///< in the order of results.csv
    std::vector<FigureId> figures;     ///< run-level (points.csv order), then per class
    std::vector<SweepRun> runs;        ///< in point_id order
};

/**
 * Reads points.csv (run-level figures: every column after `error`) and results.csv (each
 * class's numeric columns) of a sweep folder with these swept keys. Errors name file and line.
 */
SweepRuns read_sweep_runs(const std::string& points_csv,
                          const std::string& results_csv,
                          const std::vector<std::string>& keys);

/** A setting: the swept values without the seed, numbered in order of first appearance. */
struct Setting {
    long long id = 0;
    std::vector<std::string> values;
    long long first_point = 0;  ///< point_id of its first point
    long long points = 0;       ///< points of this setting in the exports (done or failed)
    long long done = 0;
    long long failed = 0;
};

struct SettingStat {
    std::size_t setting = 0;  ///< index into SweepStatistics::settings
    std::size_t figure = 0;   ///< index into SweepRuns::figures
    Interval interval;
};

/** A setting's figure minus its baseline's, seed by seed: d_s = x_s - b_s over shared seeds. */
struct PairedStat {
    std::size_t setting = 0;
    std::size_t baseline = 0;  ///< index of the baseline setting
    std::size_t figure = 0;
    Interval difference;
};

/**
 * The slope of a figure against one parameter of a design (change per unit of the key), fitted
 * by least squares with one intercept per seed (common random numbers: each seed is its own
 * block), with its 95% interval; `change` is the slope times the range of values tried.
 */
struct Effect {
    std::size_t design = 0;            ///< index into Analysis::designs
    std::vector<std::string> context;  ///< values of the keys outside the design ("" inside)
    std::size_t key = 0;
    double low = 0, high = 0;  ///< the key's smallest and largest value in the fit
    std::size_t figure = 0;
    long long n = 0;  ///< runs in the fit
    double slope = 0;
    std::optional<double> slope_low, slope_high;
};

struct SweepStatistics {
    std::vector<Setting> settings;
    std::vector<SettingStat> stats;  ///< by setting, then figure
    std::vector<PairedStat> paired;  ///< by setting, then figure; only n >= 1
    std::vector<Effect> effects;     ///< by design, context, key, figure
};

SweepStatistics compute_statistics(const SweepRuns& runs, const Analysis& analysis);

/**
 * Least squares y = a_block + b·x (one intercept per block), with the 95% interval of b from
 * the residuals (dof = n - blocks - 1). nullopt when x does not vary within any block.
 */
struct Slope {
    long long n = 0;
    double slope = 0;
    std::optional<double> low, high;
};
std::optional<Slope> blocked_slope(const std::vector<double>& x,
                                   const std::vector<double>& y,
                                   const std::vector<std::string>& block);

/**
 * Least squares y = a_block + Σ_k b_k·x_k, the multiple-parameter form of blocked_slope (sample
 * designs): one Slope per column of `x` (x[k][i] is parameter k of observation i), or nullopt
 * when the parameters are collinear within blocks.
 */
std::optional<std::vector<Slope>> blocked_slopes(const std::vector<std::vector<double>>& x,
                                                 const std::vector<double>& y,
                                                 const std::vector<std::string>& block);

/**
 * Where the line through (x_i, d_i) (x ascending) crosses zero: every x_i with d_i = 0 whose
 * neighbours are not 0 (lines that coincide over a stretch cross at no one point), and
 * between neighbours of opposite signs the linear interpolation x_i + (x_{i+1} - x_i)·d_i /
 * (d_i - d_{i+1}). A line of means crosses its baseline where their difference crosses zero.
 */
std::vector<double> zero_crossings(const std::vector<double>& x, const std::vector<double>& d);

}  // namespace fleetsim::sweep
