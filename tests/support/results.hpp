#pragma once
// Reading a run's output folder in tests: summary.json, and jobs.csv as typed rows.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace fleetsim::test {

struct JobRow {
    long long job_id = 0;
    std::string cls;
    double submit_s = 0;
    std::optional<double> start_s;  ///< empty when the job never started
    std::optional<double> end_s;    ///< empty while running at the horizon
    int gpus = 0;
    double work_gpu_h = 0;
    int preemptions = 0;
    std::string status;
    std::string pool;
};

nlohmann::json read_summary(const std::string& dir);
/** Every row of DIR/jobs.csv, in file order (job id order). */
std::vector<JobRow> read_jobs(const std::string& dir);

/** |actual - expected| <= rel x max(|expected|, 1): relative, with 1 as the scale near zero. */
bool near(double actual, double expected, double rel = 1e-6);

}  // namespace fleetsim::test
