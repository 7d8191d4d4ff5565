#pragma once
// Plain structs that the YAML inputs map to. Units are in every name. Nothing here includes
// yaml-cpp: the config layer fills these, and the rest of fleetsim reads only these.
// A member's initializer is the default of its key when the key is optional: the key tables
// (sim/config/key_table.hpp, one per section) leave it in place and docs/config.md prints it.

#include "sim/config/input_error.hpp"
#include "sim/traces/trace_options.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace fleetsim {

struct GpuTypeSpec {
    std::string name;
    double dense_bf16_tflops = 0;  ///< speed; jobs run faster on a faster GPU in proportion
    double memory_gb = 0;
    double power_idle_w = 0;  ///< per GPU, including its share of host and network
    double power_busy_w = 0;
    double capex_usd = 0;  ///< all-in purchase price per GPU (server, network share)
    double amortization_years = 0;
    /** The throughput matrix's column for this type, by family ("llm", "video"): reference-GPU
        seconds of the family's work per GPU-second (WorkloadClassSpec::speed_by_gpu_type wins). */
    std::map<std::string, double> speed_by_family;
};

struct SiteSpec {
    std::string name;
    double energy_usd_per_kwh = 0;
    double pue = 1;
    double overhead_usd_per_gpu_h = 0;  ///< space, staff, maintenance
    double subsidy_usd_per_gpu_h = 0;   ///< subtracted from the cost of every GPU-hour
};

struct PoolSpec {
    std::string name;
    std::string site;
    std::string gpu_type;
    int nodes = 0;
    int gpus_per_node = 0;
    int nodes_per_rack = 1;        ///< topology: racks are the failure and locality domain
    double intra_node_gbps = 900;  ///< between the GPUs of a node (described, not simulated)
    double inter_node_gbps = 400;  ///< each node's link to the pool's switch
    // A fleet that changes over time (docs/model.md, "Fleets that change over time"): the pool
    // is owned (or rented) from online_at_s to retire_at_s only; outside, it holds no work
    // and costs nothing.
    double online_at_s = 0;
    double retire_at_s = std::numeric_limits<double>::infinity();  ///< infinity: never
    /** What a retirement does to the pool's running jobs: `migrate` (a planned stop: they
        checkpoint first and keep all their work) or `preempt` (stopped as they are: they keep
        the work of their last checkpoint, as when a rented capacity is taken back). */
    enum class OnRetire { migrate, preempt };
    OnRetire on_retire = OnRetire::migrate;
    /** A rented pool (cloud burst): this price per GPU-hour while it is owned instead of its
        GPU type's amortized capex; negative (the default): bought, capex amortized. */
    double rental_usd_per_gpu_h = -1;
    bool rented() const { return rental_usd_per_gpu_h >= 0; }
    /** Whether the pool is owned only for part of the time (comes online or retires). */
    bool changes_over_time() const { return online_at_s > 0 || std::isfinite(retire_at_s); }
};

/** A seeded random quantity. lognormal takes the arithmetic mean and sigma of log(x). */
struct DistributionSpec {
    enum class Shape { constant, exponential, lognormal, uniform, empirical };
    Shape shape = Shape::constant;
    double value = 0;             ///< constant
    double mean = 0;              ///< exponential, lognormal
    double sigma = 0;             ///< lognormal
    double low = 0;               ///< uniform
    double high = 0;              ///< uniform
    std::vector<double> values;   ///< empirical
    std::vector<double> weights;  ///< empirical; equal when empty
    double mean_value() const;
};

// ---- failures (platform.failures; docs/model.md "Failures") ----

/** What took nodes down: a GPU (its node goes down), a node, a rack, a maintenance window. */
enum class FailureCause { gpu, node, rack, maintenance };
const char* to_string(FailureCause cause);

/** How one kind of component (a GPU, a node, a rack) fails: the times between two failures of
    one component are Weibull with mean mtbf_h (exponential at shape 1); each failure keeps the
    component's nodes down for a repair time drawn from repair_s. */
struct FailureModeSpec {
    double mtbf_h = 0;
    double weibull_shape = 1;
    DistributionSpec repair_s;
};

struct GpuFailureSpec {
    std::string gpu_type;
    FailureModeSpec mode;
};

struct PoolFailureSpec {
    std::string pool;
    std::optional<FailureModeSpec> node;
    std::optional<FailureModeSpec> rack;
};

/** A planned maintenance window: nodes [first_node, first_node + nodes) of a pool drained. */
struct MaintenanceSpec {
    std::string pool;
    int first_node = 0;
    int nodes = 1;
    double start_s = 0;
    double duration_s = 0;
};

/** One row of a failure log: a node down from t_s for duration_s. */
struct FailureLogRow {
    double t_s = 0;
    int pool = 0;  ///< index in PlatformSpec::pools
    int node = 0;  ///< index in the pool
    int gpu = -1;  ///< the GPU of the node that failed, -1 when none is named
    double duration_s = 0;
    FailureCause cause = FailureCause::node;
    long long event = -1;  ///< rows of one event share it (a rack); -1: a row of its own
};

struct FailureSpec {
    std::vector<GpuFailureSpec> gpu_types;
    std::vector<PoolFailureSpec> pools;
    std::vector<MaintenanceSpec> maintenance;
    std::string log;  ///< the failure log's path as written
    std::vector<FailureLogRow> log_rows;
    /** Whether anything can fail: off (the default) leaves every run as it was. */
    bool enabled() const {
        return !gpu_types.empty() || !pools.empty() || !maintenance.empty() || !log_rows.empty();
    }
    /** Whether failures are drawn from rates (what checkpoint_interval_s: auto needs). */
    bool has_rates() const { return !gpu_types.empty() || !pools.empty(); }
};

struct PlatformSpec {
    std::string name;
    std::string file;
    std::string reference_gpu_type;  ///< work_gpu_h and gpu_s_per_unit are measured on this GPU
    std::vector<GpuTypeSpec> gpu_types;
    std::vector<SiteSpec> sites;
    std::vector<PoolSpec> pools;
    FailureSpec failures;  ///< empty: nothing fails
    /** Whether a pool comes online or retires during the run: without it every output is
        byte for byte what it was before fleets could change. */
    bool fleet_changes() const {
        for (const auto& p : pools) {
            if (p.changes_over_time())
                return true;
        }
        return false;
    }
};

enum class Family { llm, video };
enum class Kind { service, batch };
const char* to_string(Family f);
const char* to_string(Kind k);

/** A multiplier on a base rate over time. */
struct RateProfileSpec {
    enum class Shape { constant, diurnal, trace };
    Shape shape = Shape::constant;
    double amplitude = 0;  ///< diurnal: rate x (1 + amplitude cos(2 pi (t_h - peak_h) / 24))
    double peak_h = 0;
    std::vector<double> points_t_s;  ///< trace: piecewise-constant multiplier from each time
    std::vector<double> points_factor;
    double period_s = 0;  ///< trace: repeats with this period when > 0
};

struct ServiceSpec {
    std::string unit;               ///< e.g. "million output tokens", "video-second"
    double demand_units_per_s = 0;  ///< mean arrival rate of demand
    RateProfileSpec profile;
    double gpu_s_per_unit = 0;  ///< reference-GPU seconds of work per unit served
    double price_usd_per_unit = 0;
    double slo_s = 0;                    ///< demand waiting longer than this is lost
    double max_utilization = 1;          ///< busy / allocated ceiling that keeps latency in the SLO
    double ad_revenue_usd_per_unit = 0;  ///< advertising income per unit served, on top of price
    /** Demand from a request log: its binned rate is `profile` (a trace), its mean the rate. */
    std::optional<RequestTraceOptions> trace;
    RequestTraceScan trace_scan;  ///< filled by the loader, which reads the log once
};

struct BatchSpec {
    double arrival_rate_per_h = 0;  ///< Poisson arrivals
    RateProfileSpec profile;
    DistributionSpec gpus;
    DistributionSpec work;  ///< GPU-hours on the reference GPU, or duration_s when work_is_duration
    bool work_is_duration = false;
    enum class Value { per_gpu_h, per_job };
    Value value_basis = Value::per_gpu_h;
    double value_usd_per_gpu_h = 0;
    double value_usd_per_job = 0;
    bool preemptible = false;
    double checkpoint_interval_s = 0;  ///< 0: no checkpoints, a preempted job restarts from zero
    bool checkpoint_auto = false;      ///< interval by the Young/Daly rule at each start (`auto`)
    double checkpoint_write_s = 0;     ///< GPU time each checkpoint takes to write (no work done)
    double restart_cost_s = 0;         ///< time to reload after a restart, paid on the GPUs
    long long max_jobs = -1;           ///< stop generating after this many; -1 = no limit
    /** Jobs from a log instead of the generators (arrivals, gpus, work): docs/traces.md. */
    std::optional<JobTraceOptions> trace;
    JobTraceScan trace_scan;  ///< filled by the loader, which reads the log once
};

struct WorkloadClassSpec {
    std::string name;
    Family family = Family::llm;
    Kind kind = Kind::service;
    std::vector<std::string> pools;  ///< pools the class may use; empty = all
    /** false: the class stays in every output, with no demand (the loader sets its rate, or
        its arrival rate and max_jobs, to 0), so a baseline without it is one --set. */
    bool enabled = true;
    /** The throughput matrix's row for this class: reference-GPU seconds of its work one GPU
        of a type does per second, by GPU type name (the class's own entries, then its
        family's from workload.speed_by_family). A type not listed runs the class at its dense
        BF16 TFLOP/s relative to the reference GPU type's. */
    std::map<std::string, double> speed_by_gpu_type;
    ServiceSpec service;
    BatchSpec batch;
};

struct WorkloadSpec {
    std::string name;
    std::string file;
    /** The throughput matrix by family ("llm", "video"): speed by GPU type name, for every
        class of the family that does not give its own (WorkloadClassSpec::speed_by_gpu_type). */
    std::map<std::string, std::map<std::string, double>> speed_by_family;
    std::vector<WorkloadClassSpec> classes;
};

/** A policy parameter as written in YAML, with its position for error messages. */
struct ParamValue {
    using Map = std::map<std::string, ParamValue>;
    using List = std::vector<ParamValue>;
    std::variant<std::monostate, std::string, Map, List> value;  ///< scalars are kept as text
    SourceSpan where;
    std::string path;
};

struct PolicySpec {
    std::string name;
    SourceSpan name_where;
    ParamValue params;  ///< a Map (possibly empty)
};

struct OutputSpec {
    std::string dir;  ///< default results/<scenario name>
    double timeseries_interval_s = 3600;
    bool jobs_csv = true;
};

struct ScenarioSpec {
    std::string name;
    std::string description;
    std::string file;
    PlatformSpec platform;
    WorkloadSpec workload;
    PolicySpec policy;
    double horizon_s = 0;
    std::uint64_t seed = 0;
    /** Applied by the loader: pools' nodes and every demand and arrival rate x scale. */
    double scale = 1;
    double tick_s = 300;  ///< fluid services are settled, and the policy called, every tick
    OutputSpec output;
    bool energy_plugin = false;  ///< also run SimGrid's host-energy plugin (cross-check)
    std::string resolved_yaml;   ///< the scenario after --set, platform and workload inlined
};

}  // namespace fleetsim
