#pragma once
// The output schema: every field of every file a run writes (design.md section 4,
// docs/metrics.md), declared once, with its name, type, unit and description:
//   summary.json    RunSummary: the run, `fleet` (FleetFigures), `classes` (ClassFigures by
//                   name), `families` (FamilyFigures by family: the classes added up),
//                   `totals` (RunTotals), `bound` (BoundFigures, with --bound only)
//   classes.csv     ClassFigures, one row per class
//   timeseries.csv  TimeseriesRow, one row per interval and class
//   jobs.csv        JobRow, one row per batch job
// and what a sweep keeps of a run: results.csv and the database's classes table take the
// columns of classes.csv; points.csv and the points table take point_figures() (the totals,
// the fleet and each family's totals).
//
// Everything that writes or reads these files goes through the tables below: the writer
// (sim/output/run_files.cpp), the HTML report (sim/report), the sweep (sim/sweep) and the test
// that docs/metrics.md covers every field (tests/unit/output_schema_test.cpp). This header
// includes no engine, no SimGrid, no policy and no scheduler state: std and nlohmann only
// (sim/schema/fields.hpp says how a table turns into JSON and CSV).
//
// How to add a field:
//   1. Add the member to its record below (units in the name: _s, _gpu_h, _usd, _kwh, ...);
//      std::optional when it can have no value (a mean over no jobs).
//   2. Add one field(...) entry to the record's table, where it should appear in the file. Flags:
//      none for a new field (readers treat it as optional: older outputs lack it); kJsonOnly
//      to keep it out of classes.csv and the sweep's tables.
//   3. Compute it (sim/output/run_figures.cpp fills RunSummary and ClassFigures;
//      run_files.cpp the rows of timeseries.csv and jobs.csv).
//   4. Describe it in docs/metrics.md (a test fails until you do).
// A class field then appears in summary.json, classes.csv, the sweep's database (its classes
// table; the database's schema check refuses a sweep.db made before it), results.csv, and the
// report's data (RunSummary::classes; the page gets each class's JSON object whole).
// Figures that exist only in some runs (the failure figures: with a failure model only) are a
// record of their own held in std::optional (JSON: left out when empty) and, in a CSV, columns
// written after the record's own (write_csv_fields) only when present, so runs without them
// stay byte-identical to what they were.
// Coming fields, each in one place:
//   - a figure a sweep should keep per point: one point_figure<...>() line in schema.cpp;
//   - (statistics over a sweep's seeds loop over every numeric column of points.csv and of
//     classes.csv: sim/sweep/statistics.cpp names no figure, so a new field gets its mean and
//     interval by itself);
//   - a figure per interval and pool (down GPUs, energy, ...): a NamedNumbers member of
//     TimeseriesRow (one column per pool, `<field>.<pool>`, written only when the fleet has
//     several pools) + its table entry, filled in run_files.cpp from the ledger's
//     IntervalPoolRow.

#include "sim/schema/fields.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace fleetsim {

// ---- summary.json ------------------------------------------------------------------------

/**
 * A batch class replayed from a job log (summary.json classes.<name>.job_trace): what the
 * log held, what the class kept, capped and dropped, and its simulated waits beside the
 * waits the log recorded, over the same jobs.
 */
struct JobTraceFigures {
    std::string format;
    std::string path;
    long long rows = 0;
    long long jobs_matched = 0;
    long long jobs_capped = 0;
    int cap_gpus = 0;
    long long jobs_dropped_unknown = 0;
    long long jobs_dropped_zero_run = 0;
    long long jobs_dropped_oversize = 0;
    long long jobs_not_submitted = 0;
    long long jobs_compared = 0;
    std::optional<double> wait_s_mean;
    std::optional<double> wait_s_p50;
    std::optional<double> wait_s_p90;
    std::optional<double> recorded_wait_s_mean;
    std::optional<double> recorded_wait_s_p50;
    std::optional<double> recorded_wait_s_p90;
};

template <>
struct Schema<JobTraceFigures> {
    using T = JobTraceFigures;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("format", &T::format, "", "the log's format"),
        field("path", &T::path, "", "the log"),
        field("rows", &T::rows, "jobs", "jobs in the log"),
        field("jobs_matched", &T::jobs_matched, "jobs", "in the window and through `where`"),
        field("jobs_capped", &T::jobs_capped, "jobs",
              "matched, larger than cap_gpus, replayed at cap_gpus"),
        field("cap_gpus", &T::cap_gpus, "GPUs", "the largest gang the class's pools can hold"),
        field("jobs_dropped_unknown", &T::jobs_dropped_unknown, "jobs",
              "matched, without a size or a run time"),
        field("jobs_dropped_zero_run", &T::jobs_dropped_zero_run, "jobs",
              "matched, with a run time of 0"),
        field("jobs_dropped_oversize", &T::jobs_dropped_oversize, "jobs",
              "matched, too large, dropped (oversize: drop)"),
        field("jobs_not_submitted", &T::jobs_not_submitted, "jobs",
              "replayable, but after the horizon or past max_jobs"),
        field("jobs_compared", &T::jobs_compared, "jobs",
              "started jobs with a recorded wait: the waits below are over these"),
        field("wait_s_mean", &T::wait_s_mean, "s", "simulated wait, mean"),
        field("wait_s_p50", &T::wait_s_p50, "s", "simulated wait, median (nearest rank)"),
        field("wait_s_p90", &T::wait_s_p90, "s", "simulated wait, 90th percentile"),
        field("recorded_wait_s_mean", &T::recorded_wait_s_mean, "s", "recorded wait, mean"),
        field("recorded_wait_s_p50", &T::recorded_wait_s_p50, "s", "recorded wait, median"),
        field("recorded_wait_s_p90", &T::recorded_wait_s_p90, "s",
              "recorded wait, 90th percentile"),
        // clang-format on
    };
};

/** A service whose demand comes from a request log (summary.json classes.<name>.request_trace). */
struct RequestTraceFigures {
    std::string format;
    std::string path;
    long long requests = 0;
    double input_tokens = 0;
    double output_tokens = 0;
    double window_s = 0;
    bool repeat = false;
    double demand_units_per_s = 0;
};

template <>
struct Schema<RequestTraceFigures> {
    using T = RequestTraceFigures;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("format", &T::format, "", "the log's format"),
        field("path", &T::path, "", "the log"),
        field("requests", &T::requests, "requests", "requests in the window"),
        field("input_tokens", &T::input_tokens, "tokens", "their input tokens"),
        field("output_tokens", &T::output_tokens, "tokens", "their output tokens"),
        field("window_s", &T::window_s, "s", "the window's simulated length"),
        field("repeat", &T::repeat, "", "whether the window repeats"),
        field("demand_units_per_s", &T::demand_units_per_s, "unit/s",
              "the mean demand the log was scaled to"),
        // clang-format on
    };
};

/**
 * What failures (and maintenance windows) cost one class (docs/metrics.md, "Failures"): in
 * summary.json as classes.<name>.failures and in classes.csv as the columns after the others,
 * only when the platform has a failure model (platform.failures), so a run without one writes
 * exactly what it wrote before failures existed.
 */
struct ClassFailureFigures {
    long long interruptions = 0;
    double failure_lost_work_gpu_h = 0;
    double restart_gpu_h = 0;
    double checkpoint_gpu_h = 0;
    double revenue_lost_usd = 0;
    std::optional<double> effective_time_fraction;  ///< batch jobs that started; none otherwise
};

template <>
struct Schema<ClassFailureFigures> {
    using C = ClassFailureFigures;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("interruptions", &C::interruptions, "",
              "runs of the class's jobs a failure or maintenance window stopped"),
        field("failure_lost_work_gpu_h", &C::failure_lost_work_gpu_h, "reference GPU-h",
              "work lost to interruptions (done since the run's last checkpoint)"),
        field("restart_gpu_h", &C::restart_gpu_h, "GPU-h",
              "restart cost paid on the GPUs after interruptions"),
        field("checkpoint_gpu_h", &C::checkpoint_gpu_h, "GPU-h",
              "GPU time spent writing checkpoints (no work done)"),
        field("revenue_lost_usd", &C::revenue_lost_usd, "USD",
              "batch: lost work and restarts at the job's value; service: demand dropped for "
              "want of failed GPUs"),
        field("effective_time_fraction", &C::effective_time_fraction, "0–1",
              "batch: GPU time whose work was kept / GPU time from each job's first start to "
              "its end"),
        // clang-format on
    };
};

/** One workload class's figures: classes.csv's row and summary.json's classes.<name>. */
struct ClassFigures {
    std::string name;
    std::string family;
    std::string kind;
    std::string unit;
    double gpu_h = 0;
    std::optional<double> busy_gpu_h;  ///< always written; optional so readers see it absent
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
    std::optional<double> queue_len_mean;
    std::optional<double> jobs_in_system_mean;
    std::optional<ClassFailureFigures> failures;       ///< with a failure model only
    std::optional<JobTraceFigures> job_trace;          ///< a class replayed from a job log
    std::optional<RequestTraceFigures> request_trace;  ///< a service driven by a request log
};

template <>
struct Schema<ClassFigures> {
    using C = ClassFigures;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("class", &C::name, "", "the class's name (the key in summary.json)",
              kFirm | kJsonKey),
        field("family", &C::family, "", "llm or video", kFirm),
        field("kind", &C::kind, "", "service or batch", kFirm),
        field("unit", &C::unit, "", "what demand_units and served_units count", kJsonOnly),
        field("gpu_h", &C::gpu_h, "GPU-h", "GPU-hours held", kFirm),
        field("busy_gpu_h", &C::busy_gpu_h, "GPU-h", "GPU-hours that did work"),
        field("revenue_usd", &C::revenue_usd, "USD", "revenue earned", kFirm),
        field("cost_usd", &C::cost_usd, "USD", "cost of the GPU-hours held", kFirm),
        field("profit_usd", &C::profit_usd, "USD", "revenue - cost", kFirm),
        field("revenue_usd_per_gpu_h", &C::revenue_usd_per_gpu_h, "USD/GPU-h",
              "revenue / gpu_h; none when gpu_h = 0", kFirm),
        field("opportunity_cost_usd", &C::opportunity_cost_usd, "USD",
              "what the GPU-hours held could have earned more in the best waiting work", kFirm),
        field("energy_kwh", &C::energy_kwh, "kWh", "facility energy of the GPU-hours held"),
        field("demand_units", &C::demand_units, "unit of the class", "demand that arrived", kFirm),
        field("served_units", &C::served_units, "unit of the class", "demand served", kFirm),
        field("lost_units", &C::lost_units, "unit of the class",
              "service demand dropped after its SLO"),
        field("served_fraction", &C::served_fraction, "0–1",
              "served / demand; none when demand = 0", kFirm),
        field("jobs_submitted", &C::jobs_submitted, "jobs", "batch jobs submitted", kFirm),
        field("jobs_completed", &C::jobs_completed, "jobs", "batch jobs completed", kFirm),
        field("jobs_rejected", &C::jobs_rejected, "jobs", "batch jobs rejected"),
        field("jobs_running_at_end", &C::jobs_running_at_end, "jobs",
              "batch jobs running at the horizon"),
        field("jobs_waiting_at_end", &C::jobs_waiting_at_end, "jobs",
              "batch jobs waiting at the horizon"),
        field("wait_s_mean", &C::wait_s_mean, "s", "mean wait", kFirm),
        field("wait_s_p50", &C::wait_s_p50, "s", "median wait (nearest rank)", kFirm),
        field("wait_s_p99", &C::wait_s_p99, "s", "99th percentile wait (nearest rank)", kFirm),
        field("preemptions", &C::preemptions, "", "times a job of the class was preempted", kFirm),
        field("lost_work_gpu_h", &C::lost_work_gpu_h, "reference GPU-h",
              "work redone because of preemptions"),
        field("queue_len_mean", &C::queue_len_mean, "jobs",
              "batch: time-average number of waiting jobs"),
        field("jobs_in_system_mean", &C::jobs_in_system_mean, "jobs",
              "batch: time-average number of waiting and running jobs", kJsonOnly),
        field("job_trace", &C::job_trace, "", "a class replayed from a job log", kJsonOnly),
        field("request_trace", &C::request_trace, "", "a service driven by a request log",
              kJsonOnly),
        field("failures", &C::failures, "",
              "what failures cost the class; with a failure model only (classes.csv: its "
              "fields as columns after the others)", kJsonOnly),
        // clang-format on
    };
};

/** summary.json's `fleet.failures`: with a failure model only. */
struct FleetFailureFigures {
    long long failures = 0;
    long long node_failures = 0;
    double gpu_h_down = 0;
    double down_cost_usd = 0;
    long long interruptions = 0;
    double failure_lost_work_gpu_h = 0;
    double restart_gpu_h = 0;
    double checkpoint_gpu_h = 0;
    double revenue_lost_usd = 0;
};

template <>
struct Schema<FleetFailureFigures> {
    using F = FleetFailureFigures;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("failures", &F::failures, "",
              "failure events and maintenance windows (a rack failure is one)"),
        field("node_failures", &F::node_failures, "nodes",
              "nodes taken down, summed over the events (failures.csv's rows)"),
        field("gpu_h_down", &F::gpu_h_down, "GPU-h", "GPU-hours of nodes that were down"),
        field("down_cost_usd", &F::down_cost_usd, "USD",
              "their cost: owned GPUs keep their fixed cost, and draw no power"),
        field("interruptions", &F::interruptions, "", "Σ classes interruptions"),
        field("failure_lost_work_gpu_h", &F::failure_lost_work_gpu_h, "reference GPU-h",
              "Σ classes failure_lost_work_gpu_h"),
        field("restart_gpu_h", &F::restart_gpu_h, "GPU-h", "Σ classes restart_gpu_h"),
        field("checkpoint_gpu_h", &F::checkpoint_gpu_h, "GPU-h", "Σ classes checkpoint_gpu_h"),
        field("revenue_lost_usd", &F::revenue_lost_usd, "USD", "Σ classes revenue_lost_usd"),
        // clang-format on
    };
};

/** summary.json's `fleet`. */
struct FleetFigures {
    int gpus = 0;
    double gpu_h_capacity = 0;
    double gpu_h_busy = 0;
    double gpu_h_idle = 0;
    double utilization = 0;
    double energy_kwh = 0;
    double cost_usd = 0;
    double gpu_h_allocated = 0;
    double gpu_h_unallocated = 0;
    double energy_it_kwh = 0;
    std::optional<double> energy_it_kwh_simgrid;
    double idle_cost_usd = 0;
    std::optional<double> mean_shadow_price_usd_per_gpu_h;  ///< always written
    std::optional<FleetFailureFigures> failures;            ///< with a failure model only
};

template <>
struct Schema<FleetFigures> {
    using F = FleetFigures;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("gpus", &F::gpus, "GPUs", "all GPUs of all pools", kFirm),
        field("gpu_h_capacity", &F::gpu_h_capacity, "GPU-h",
              "GPU-hours owned: gpus x horizon, or each pool's GPUs x the time it was owned",
              kFirm),
        field("gpu_h_busy", &F::gpu_h_busy, "GPU-h", "GPU-hours that did work", kFirm),
        field("gpu_h_idle", &F::gpu_h_idle, "GPU-h", "GPU-hours that did no work", kFirm),
        field("utilization", &F::utilization, "0–1", "gpu_h_busy / gpu_h_capacity", kFirm),
        field("energy_kwh", &F::energy_kwh, "kWh", "facility energy", kFirm),
        field("cost_usd", &F::cost_usd, "USD", "cost of the whole fleet", kFirm),
        field("gpu_h_allocated", &F::gpu_h_allocated, "GPU-h", "GPU-hours held by some class"),
        field("gpu_h_unallocated", &F::gpu_h_unallocated, "GPU-h", "GPU-hours held by none"),
        field("energy_it_kwh", &F::energy_it_kwh, "kWh", "IT energy"),
        field("energy_it_kwh_simgrid", &F::energy_it_kwh_simgrid, "kWh",
              "IT energy from SimGrid's energy plugin; none when it is off"),
        field("idle_cost_usd", &F::idle_cost_usd, "USD", "cost of GPU-hours held by no class"),
        field("mean_shadow_price_usd_per_gpu_h", &F::mean_shadow_price_usd_per_gpu_h, "USD/GPU-h",
              "time-average of the fleet's shadow price (λ_p averaged over its GPUs)"),
        field("failures", &F::failures, "", "what failures cost; with a failure model only"),
        // clang-format on
    };
};

/**
 * summary.json's `families.<family>`: the classes of one family (llm, video) added up. Both
 * families are always written, in that order; a family with no class has zeros. Served units
 * are not added up: a family's classes count different units (tokens, video-seconds, GPU-hours
 * of work), so a sum would mean nothing; each class has its own served_fraction.
 */
struct FamilyFigures {
    std::string family;
    long long classes = 0;
    double gpu_h = 0;
    std::optional<double> gpu_h_share;  ///< none when no class held a GPU-hour
    double revenue_usd = 0;
    std::optional<double> revenue_share;  ///< none when no class earned anything
    double cost_usd = 0;
    double profit_usd = 0;
    std::optional<double> revenue_usd_per_gpu_h;
    double opportunity_cost_usd = 0;
    double energy_kwh = 0;
};

template <>
struct Schema<FamilyFigures> {
    using F = FamilyFigures;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("family", &F::family, "", "llm or video (the key in summary.json)", kJsonKey),
        field("classes", &F::classes, "classes", "classes of the family in the workload"),
        field("gpu_h", &F::gpu_h, "GPU-h", "GPU-hours its classes held"),
        field("gpu_h_share", &F::gpu_h_share, "0–1",
              "gpu_h / the GPU-hours all classes held; none when that is 0"),
        field("revenue_usd", &F::revenue_usd, "USD", "its classes' revenue"),
        field("revenue_share", &F::revenue_share, "0–1",
              "revenue_usd / all classes' revenue; none when that is 0"),
        field("cost_usd", &F::cost_usd, "USD", "its classes' cost"),
        field("profit_usd", &F::profit_usd, "USD", "revenue - cost"),
        field("revenue_usd_per_gpu_h", &F::revenue_usd_per_gpu_h, "USD/GPU-h",
              "revenue / gpu_h; none when gpu_h = 0"),
        field("opportunity_cost_usd", &F::opportunity_cost_usd, "USD",
              "its classes' opportunity cost"),
        field("energy_kwh", &F::energy_kwh, "kWh", "facility energy of its classes' GPU-hours"),
        // clang-format on
    };
};

/** summary.json's `totals`. */
struct RunTotals {
    double revenue_usd = 0;
    double cost_usd = 0;
    double profit_usd = 0;
    double opportunity_cost_usd = 0;
    double idle_cost_usd = 0;
};

template <>
struct Schema<RunTotals> {
    using T = RunTotals;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("revenue_usd", &T::revenue_usd, "USD", "the classes' revenue", kFirm),
        field("cost_usd", &T::cost_usd, "USD", "the classes' cost + idle_cost_usd", kFirm),
        field("profit_usd", &T::profit_usd, "USD", "revenue - cost", kFirm),
        field("opportunity_cost_usd", &T::opportunity_cost_usd, "USD",
              "the classes' opportunity cost", kFirm),
        field("idle_cost_usd", &T::idle_cost_usd, "USD", "= fleet.idle_cost_usd"),
        // clang-format on
    };
};

/** summary.json's `bound` (`fleetsim run --bound` only). */
struct BoundFigures {
    double revenue_usd = 0;
    std::optional<double> revenue_fraction;  ///< none when the bound is not positive
};

template <>
struct Schema<BoundFigures> {
    using B = BoundFigures;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("revenue_usd", &B::revenue_usd, "USD",
              "hindsight bound on revenue for the same demand"),
        field("revenue_fraction", &B::revenue_fraction, "0–1",
              "totals.revenue_usd / bound.revenue_usd"),
        // clang-format on
    };
};

/** summary.json as a whole. */
struct RunSummary {
    std::string scenario;
    std::string policy;
    std::uint64_t seed = 0;
    double horizon_s = 0;
    FleetFigures fleet;
    std::vector<ClassFigures> classes;    ///< in the workload's order
    std::vector<FamilyFigures> families;  ///< llm, video (family_figures() of the classes)
    RunTotals totals;
    std::optional<BoundFigures> bound;
    long long events = 0;
    double wall_s = 0;
    std::string version;
};

template <>
struct Schema<RunSummary> {
    using S = RunSummary;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("scenario", &S::scenario, "", "the scenario's name", kFirm),
        field("policy", &S::policy, "", "the policy's name", kFirm),
        field("seed", &S::seed, "", "the seed of every random stream", kFirm),
        field("horizon_s", &S::horizon_s, "s", "simulated time", kFirm),
        field("fleet", &S::fleet, "", "the fleet's figures", kFirm),
        field("classes", &S::classes, "", "each class's figures, by name", kFirm),
        field("families", &S::families, "", "each family's figures (its classes added up)"),
        field("totals", &S::totals, "", "the run's books", kFirm),
        field("bound", &S::bound, "", "the hindsight bound (run --bound only)"),
        field("events", &S::events, "", "scheduler wake-ups (each calls the policy once)"),
        field("wall_s", &S::wall_s, "s", "wall-clock time of the run", kFirm),
        field("version", &S::version, "", "fleetsim's version", kFirm),
        // clang-format on
    };
};

// ---- timeseries.csv and jobs.csv ---------------------------------------------------------

/** One row of timeseries.csv: one interval and class. Rates are averages over the interval. */
struct TimeseriesRow {
    double t_s = 0;
    std::string cls;
    double gpus_allocated = 0;
    double gpus_busy = 0;
    double demand_units_per_s = 0;
    double served_units_per_s = 0;
    double revenue_usd = 0;
    double shadow_price_usd_per_gpu_h = 0;
    double opportunity_cost_usd = 0;
    // Per pool, one column each, only on a fleet of several pools (the same on every class's
    // row of the interval; on one pool they would repeat the fleet's figures).
    NamedNumbers pool_gpus;
    NamedNumbers pool_gpus_busy;
    NamedNumbers pool_shadow_price_usd_per_gpu_h;
    // Per GPU type, one column each, only when the fleet changes over time (a pool comes
    // online or retires): the fleet's composition, the same on every class's row.
    NamedNumbers gpus_owned;
};

template <>
struct Schema<TimeseriesRow> {
    using R = TimeseriesRow;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("t_s", &R::t_s, "s", "interval start", kFirm),
        field("class", &R::cls, "", "the class", kFirm),
        field("gpus_allocated", &R::gpus_allocated, "GPUs", "GPUs held, on average", kFirm),
        field("gpus_busy", &R::gpus_busy, "GPUs", "GPUs that did work, on average", kFirm),
        field("demand_units_per_s", &R::demand_units_per_s, "unit/s", "demand arriving", kFirm),
        field("served_units_per_s", &R::served_units_per_s, "unit/s", "demand served", kFirm),
        field("revenue_usd", &R::revenue_usd, "USD", "revenue earned in the interval", kFirm),
        field("shadow_price_usd_per_gpu_h", &R::shadow_price_usd_per_gpu_h, "USD/GPU-h",
              "the interval's average shadow price of the fleet (λ_p averaged over its GPUs)",
              kFirm),
        field("opportunity_cost_usd", &R::opportunity_cost_usd, "USD",
              "opportunity cost charged in the interval"),
        field("pool_gpus", &R::pool_gpus, "GPUs", "GPUs each pool had, on average"),
        field("pool_gpus_busy", &R::pool_gpus_busy, "GPUs",
              "GPUs of each pool that did work, on average"),
        field("pool_shadow_price_usd_per_gpu_h", &R::pool_shadow_price_usd_per_gpu_h,
              "USD/GPU-h", "the interval's average shadow price of each pool, λ_p"),
        field("gpus_owned", &R::gpus_owned, "GPUs",
              "GPUs of each GPU type the fleet owned (or rented), on average; only when a pool "
              "comes online or retires during the run"),
        // clang-format on
    };
};

/** Failure columns of timeseries.csv, after the others, with a failure model only. */
struct TimeseriesFailureColumns {
    double gpus_down = 0;
    long long interruptions = 0;
    double failure_lost_work_gpu_h = 0;
    double restart_gpu_h = 0;
    double revenue_lost_usd = 0;
};

template <>
struct Schema<TimeseriesFailureColumns> {
    using R = TimeseriesFailureColumns;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("gpus_down", &R::gpus_down, "GPUs",
              "GPUs of nodes that were down, on average (the fleet's: the same on every class's "
              "row of the interval)"),
        field("interruptions", &R::interruptions, "", "runs of the class a failure stopped"),
        field("failure_lost_work_gpu_h", &R::failure_lost_work_gpu_h, "reference GPU-h",
              "work they lost"),
        field("restart_gpu_h", &R::restart_gpu_h, "GPU-h", "restart cost paid after failures"),
        field("revenue_lost_usd", &R::revenue_lost_usd, "USD", "revenue failures cost the class"),
        // clang-format on
    };
};

/** One row of jobs.csv: one batch job. */
struct JobRow {
    long long job_id = 0;
    std::string cls;
    double submit_s = 0;
    std::optional<double> start_s;  ///< none when the job never started
    std::optional<double> end_s;    ///< none while running or waiting at the horizon
    int gpus = 0;
    double work_gpu_h = 0;
    int preemptions = 0;
    std::string status;
    std::string pool;
    double lost_work_gpu_h = 0;
    std::optional<int> racks;  ///< none when never placed
};

template <>
struct Schema<JobRow> {
    using J = JobRow;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("job_id", &J::job_id, "", "in submission order", kFirm),
        field("class", &J::cls, "", "the class", kFirm),
        field("submit_s", &J::submit_s, "s", "submission", kFirm),
        field("start_s", &J::start_s, "s", "first start; none if never started", kFirm),
        field("end_s", &J::end_s, "s", "completion or rejection; none otherwise", kFirm),
        field("gpus", &J::gpus, "GPUs", "gang size", kFirm),
        field("work_gpu_h", &J::work_gpu_h, "reference GPU-h", "work the job needs", kFirm),
        field("preemptions", &J::preemptions, "", "times preempted", kFirm),
        field("status", &J::status, "", "completed, rejected, running_at_end or waiting_at_end",
              kFirm),
        field("pool", &J::pool, "", "pool of its last placement"),
        field("lost_work_gpu_h", &J::lost_work_gpu_h, "reference GPU-h",
              "work lost to preemptions"),
        field("racks", &J::racks, "", "racks its last placement spanned"),
        // clang-format on
    };
};

/** Failure columns of jobs.csv, after the others, with a failure model only. */
struct JobFailureColumns {
    int interruptions = 0;
    double failure_lost_work_gpu_h = 0;
};

template <>
struct Schema<JobFailureColumns> {
    using J = JobFailureColumns;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("interruptions", &J::interruptions, "",
              "times a failure or maintenance window stopped it"),
        field("failure_lost_work_gpu_h", &J::failure_lost_work_gpu_h, "reference GPU-h",
              "work lost to them"),
        // clang-format on
    };
};

/** One row of failures.csv: one node a failure or maintenance window took down. */
struct FailureLogRecord {
    double t_s = 0;
    std::string node;
    double duration_s = 0;
    std::optional<int> gpu;
    std::string cause;
    long long event = 0;
    int jobs_interrupted = 0;
};

template <>
struct Schema<FailureLogRecord> {
    using F = FailureLogRecord;
    static constexpr auto fields = std::tuple{
        // clang-format off
        field("t_s", &F::t_s, "s", "when the node went down"),
        field("node", &F::node, "", "the node, as a host name: <pool>-<index>"),
        field("duration_s", &F::duration_s, "s", "how long it stayed down (repair or window)"),
        field("gpu", &F::gpu, "", "the GPU of the node that failed (GPU failures); empty otherwise"),
        field("cause", &F::cause, "", "gpu, node, rack or maintenance"),
        field("event", &F::event, "", "the failure's number: the nodes of one rack share it"),
        field("jobs_interrupted", &F::jobs_interrupted, "jobs", "jobs the whole event stopped"),
        // clang-format on
    };
};

// ---- what a sweep keeps of a run -----------------------------------------------------------

/**
 * A run-level figure a sweep keeps per point (the points table, points.csv): a number of
 * summary.json's `totals`, `fleet` or `families.<family>`, in a column named with a prefix
 * ("total_", "fleet_", "llm_", "video_") and the field's name. Unit and description are the
 * field's. `value` is empty where the figure is (a share of nothing).
 */
struct PointFigure {
    std::string column;
    std::string_view unit;
    std::string_view description;
    std::function<std::optional<double>(const RunSummary&)> value;
};

/** The points-table column of summary.json's `section`.`member`: "total_profit_usd" for
 * totals.profit_usd, "fleet_utilization" for fleet.utilization. */
template <class Section, class T>
std::string point_column(Section RunSummary::*section, T Section::*member) {
    const std::string_view s = name_of(section);
    return (s == "totals" ? std::string("total") : std::string(s)) + "_" +
           std::string(name_of(member));
}

/**
 * The figures every finished point keeps, in column order: the run's totals, the fleet
 * figures that explain how they differ from the sum of the classes (the cost of GPUs no class
 * held is in total_cost_usd, in no class's cost_usd), then each family's totals and share of
 * the GPU-hours. Appending one changes the sweep database's schema (kSchemaVersion in
 * sim/sweep/sweep_db.cpp).
 */
const std::vector<PointFigure>& point_figures();

/** The families summary.json writes, in order: design.md section 2's `llm` and `video`. */
const std::vector<std::string>& family_names();

/**
 * summary.json's `families`: the classes added up per family (family_names(), in order), the
 * classes in their order, so that a reader of an older summary.json without `families` gets
 * the same figures from its classes.
 */
std::vector<FamilyFigures> family_figures(const std::vector<ClassFigures>& classes);

/** The value of summary.json's `version`: this fleetsim's version. */
const char* fleetsim_version();

}  // namespace fleetsim
