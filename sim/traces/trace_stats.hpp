#pragma once
// `fleetsim trace stats FILE`: the figures papers report about a log, so that a user sees at
// once whether it was read right (docs/traces.md lists them). Job logs: jobs, GPU-hours,
// submit span, size, run time, inter-arrival time and recorded wait (mean, percentiles,
// max), requested times, statuses, arrivals by hour of day, offered utilization. Request
// logs: requests, span, rate, input and output tokens (mean, p50 / p90 / p99, max, total),
// inter-arrival time, arrivals by hour of day. Percentiles are nearest-rank (as every
// percentile fleetsim reports), exact: values are counted by value, so memory grows with the
// number of distinct values, not of rows.

#include "sim/traces/trace_options.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace fleetsim {

/** Exact statistics of a stream of numbers, kept as counts per distinct value. */
class ValueCounts {
public:
    void add(double v) {
        counts_[v] += 1;
        n_ += 1;
        sum_ += v;
    }
    long long count() const { return n_; }
    double sum() const { return sum_; }
    double mean() const { return n_ > 0 ? sum_ / static_cast<double>(n_) : 0; }
    double min() const { return counts_.begin()->first; }
    double max() const { return counts_.rbegin()->first; }
    /** Nearest-rank quantile: the smallest value with at least ceil(q n) values at or below. */
    double quantile(double q) const;
    /** {count, mean, p50, p90, p99, max, ...} as JSON (null figures when empty). */
    nlohmann::ordered_json to_json(bool with_sum = false) const;

private:
    std::map<double, long long> counts_;
    long long n_ = 0;
    double sum_ = 0;
};

struct TraceStatsOptions {
    std::string format;  ///< swf, itp, batsim, csv, azure, mooncake
    std::string path;
    CsvColumnMap columns;     ///< csv
    double flops_per_s = 0;   ///< batsim
    long long capacity = -1;  ///< processors or GPUs of the machine (utilization); -1: header's
};

/** Reads the whole log and returns its figures (the JSON `trace stats --json` prints). */
nlohmann::ordered_json trace_stats(const TraceStatsOptions& options);

/** The figures as the terminal shows them. */
std::string format_trace_stats(const nlohmann::ordered_json& stats);

}  // namespace fleetsim
