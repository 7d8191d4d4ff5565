#pragma once
// The firm output contract of a run (design.md section 4): summary.json, classes.csv,
// timeseries.csv, jobs.csv, plus scenario.resolved.yaml, and the short table on stdout.
// Figures are computed once (ClassFigures) so that the JSON, the CSV and the table agree.

#include "sim/config/spec.hpp"
#include "sim/engine/simulation.hpp"

#include <optional>
#include <string>
#include <vector>

namespace fleetsim {

struct ClassFigures {
    std::string name;
    std::string family;
    std::string kind;
    std::string unit;
    double gpu_h = 0;
    double busy_gpu_h = 0;
    double revenue_usd = 0;
    double cost_usd = 0;
    double profit_usd = 0;
    std::optional<double> revenue_usd_per_gpu_h;
    double opportunity_cost_usd = 0;
    double energy_kwh = 0;
    double demand_units = 0;
    double served_units = 0;
    double lost_units = 0;
    std::optional<double> served_fraction;
    long long jobs_submitted = 0;
    long long jobs_completed = 0;
    long long jobs_rejected = 0;
    long long jobs_running_at_end = 0;
    long long jobs_waiting_at_end = 0;
    std::optional<double> wait_s_mean;
    std::optional<double> wait_s_p50;
    std::optional<double> wait_s_p99;
    long long preemptions = 0;
    double lost_work_gpu_h = 0;
    std::optional<double> queue_len_mean;  ///< batch: time-average number of waiting jobs
    std::optional<double> jobs_in_system_mean;
};

struct RunFigures {
    std::string scenario;
    std::string policy;
    std::uint64_t seed = 0;
    double horizon_s = 0;
    int gpus = 0;
    double gpu_h_capacity = 0;
    double gpu_h_busy = 0;
    double gpu_h_idle = 0;
    double gpu_h_allocated = 0;
    double gpu_h_unallocated = 0;
    double utilization = 0;
    double energy_kwh = 0;  ///< facility energy (IT x PUE)
    double energy_it_kwh = 0;
    std::optional<double> energy_it_kwh_simgrid;
    double cost_usd = 0;
    double idle_cost_usd = 0;
    double revenue_usd = 0;
    double profit_usd = 0;
    double opportunity_cost_usd = 0;
    double mean_shadow_price_usd_per_gpu_h = 0;
    long long events = 0;
    std::vector<ClassFigures> classes;
    /** Hindsight bound on revenue for the same demand (`fleetsim run --bound`). */
    std::optional<double> bound_revenue_usd;
};

RunFigures compute_figures(const ScenarioSpec& scenario, const RunResult& result);

/** Throws InputError (key output.dir) when the output folder `dir` cannot be created. */
void check_output_dir(const std::string& dir);

/**
 * Writes the output folder atomically: everything goes to a temporary sibling folder that is
 * renamed into place only when complete, so an interrupted run never leaves a folder that
 * looks finished. Returns the folder written.
 */
std::string write_outputs(const ScenarioSpec& scenario,
                          const RunResult& result,
                          const RunFigures& figures,
                          const std::string& dir,
                          double wall_s);

/** The short table printed by `fleetsim run`. */
std::string format_table(const RunFigures& figures);

/** The columns of classes.csv, in order (sweeps copy them into their database and results.csv). */
const std::vector<std::string>& classes_csv_columns();

/** The version written into summary.json. */
const char* fleetsim_version();

}  // namespace fleetsim
