#pragma once
// Queue waits of batch jobs as a histogram per class, computed from jobs.csv while it streams
// by, so that the report of a run with millions of jobs stays a few kilobytes.

#include <string>
#include <vector>

namespace fleetsim {

struct WaitHistogram {
    std::string cls;
    std::vector<long long> counts;  ///< one per wait_bin_labels() entry
    long long rejected = 0;         ///< never admitted: no wait to count
};

/** Bin edges in seconds (upper bounds, exclusive); waits past the last edge go to the last bin. */
const std::vector<double>& wait_bin_edges_s();
/** One label per bin, plus a last one for jobs that had not started by the horizon. */
const std::vector<std::string>& wait_bin_labels();
/** Index in wait_bin_labels() of a wait in seconds. */
std::size_t wait_bin(double wait_s);

/**
 * Reads jobs.csv (columns class, submit_s, start_s, status) and counts, per class in
 * `classes` order, the waits from submission to first start; jobs still waiting at the end go
 * to the last bin, rejected jobs are counted apart. A class name not in `classes` is an error.
 */
std::vector<WaitHistogram> read_wait_histograms(const std::string& jobs_csv,
                                                const std::vector<std::string>& classes);

}  // namespace fleetsim
