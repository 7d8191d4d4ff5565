#pragma once
// The books of a run: GPU-seconds, energy, cost, revenue and opportunity cost per class, the
// idle line, and the per-interval rows of timeseries.csv. Every figure is an integral over the
// piecewise-constant state between two events (design.md section 3 gives the definitions;
// docs/metrics.md gives each formula). Busy and idle GPU-seconds are integrated separately, so
// busy + idle = capacity is a real check (tests/scenarios), not an identity.

#include "sim/config/spec.hpp"
#include "sim/model/state.hpp"

#include <deque>
#include <map>
#include <string>
#include <vector>

namespace fleetsim {

/** What failures (and maintenance windows) cost a class (docs/metrics.md): a class's books and
    each timeseries row keep one. All zero when nothing fails. */
struct FaultBook {
    long long interruptions = 0;     ///< runs of the class's jobs a failure stopped
    double lost_work_ref_gpu_s = 0;  ///< work lost to them (since each run's last checkpoint)
    double restart_gpu_s = 0;        ///< restart cost paid on the GPUs after them
    double checkpoint_gpu_s = 0;     ///< GPU time spent writing checkpoints
    double revenue_lost_usd = 0;     ///< batch: the lost work and restarts at the job's value;
                                     ///< services: demand dropped for want of failed GPUs
};

struct ClassBook {
    double held_gpu_s = 0;  ///< GPU-seconds allocated to the class (what it is charged for)
    double busy_gpu_s = 0;  ///< of which doing work
    double energy_it_j = 0;
    double energy_facility_j = 0;  ///< IT energy x the site's PUE
    double cost_usd = 0;
    double revenue_usd = 0;
    double opportunity_cost_usd = 0;
    double demand_units = 0;  ///< services: units asked for; batch: reference GPU-hours submitted
    double served_units = 0;  ///< services: units served; batch: reference GPU-hours delivered
    double lost_units = 0;    ///< services: demand dropped after its SLO
    long long jobs_submitted = 0;
    long long jobs_completed = 0;
    long long jobs_rejected = 0;
    long long preemptions = 0;
    double lost_work_gpu_h = 0;       ///< batch work redone after preemptions (reference GPU-hours)
    double waiting_job_s = 0;         ///< integral of the number of waiting jobs (Little's law)
    double in_system_job_s = 0;       ///< integral of waiting + running jobs
    std::vector<double> job_waits_s;  ///< batch: one wait per started job
    std::map<double, double> unit_waits_s;  ///< services: wait_s -> units served after that wait
    FaultBook faults;
    double advanced_gpu_s = 0;  ///< batch: GPU-seconds of compute whose work was kept
    double span_gpu_s = 0;      ///< batch: Σ jobs gang x (end, or the horizon, - first start)
};

struct IntervalClassRow {
    double held_gpu_s = 0;
    double busy_gpu_s = 0;
    double demand_units = 0;
    double served_units = 0;
    double revenue_usd = 0;
    double opportunity_cost_usd = 0;
    FaultBook faults;
};

/** One pool's share of an interval (timeseries.csv's columns per pool). */
struct IntervalPoolRow {
    double gpu_s = 0;       ///< GPU-seconds the pool owned (its GPUs while online, not retired)
    double busy_gpu_s = 0;  ///< of which doing work
    double shadow_price_x_s = 0;  ///< integral of the pool's shadow price λ_p
};

struct IntervalRow {
    double t_s = 0;
    double length_s = 0;
    double shadow_price_x_s = 0;  ///< integral of the fleet's shadow price (GPU-weighted λ_p)
    double down_gpu_s = 0;        ///< GPU-seconds of nodes that were down (failures)
    std::vector<IntervalClassRow> classes;
    std::vector<IntervalPoolRow> pools;
};

class Ledger {
public:
    Ledger(const ScenarioSpec& scenario, const SchedulerState& state);

    /**
     * Integrates the state (held GPUs, queues, the shadow price of each pool, `pool_shadow`,
     * as SchedulerState::shadow_prices_usd_per_gpu_h gave it at the last event) from the last
     * call up to t.
     */
    void advance(const SchedulerState& state, double t_s, const std::vector<double>& pool_shadow);
    /** Settles fluid services for the tick that ends at t_s: served, lost, revenue, energy. */
    void settle_services(SchedulerState& state, double t_s);
    /** Counts newly saved batch work (completion, checkpoint kept at preemption) as delivered. */
    void credit(Job& job, double delivered_ref_gpu_s);
    void on_submit(const Job& job);
    void on_reject(const Job& job);
    void on_start(const Job& job, double now_s);
    void on_complete(Job& job);
    void on_preempt(const Job& job);
    /** Closes the books at the horizon: partial credit for running jobs, final job states. */
    void finish(SchedulerState& state, double horizon_s);
    /** The fault books of a run of a job that ends (SchedulerState::run_ended): the restart it
        paid after a failure, its checkpoint writes, and what an interruption lost. */
    void on_run_end(const SchedulerState& state, const Job& job, RunEnd why, double lost_ref_gpu_s);

    const std::vector<ClassBook>& classes() const { return classes_; }
    const std::vector<IntervalRow>& intervals() const { return intervals_; }
    double unallocated_gpu_s() const { return unallocated_gpu_s_; }
    double unallocated_energy_it_j() const { return unallocated_energy_it_j_; }
    double unallocated_energy_facility_j() const { return unallocated_energy_facility_j_; }
    double unallocated_cost_usd() const { return unallocated_cost_usd_; }
    double allocated_idle_gpu_s() const { return allocated_idle_gpu_s_; }
    /** GPU-seconds of nodes that were down, and what they cost (owned: capex and overhead go on;
        a node that is off draws no power). */
    double down_gpu_s() const { return down_gpu_s_; }
    double down_cost_usd() const { return down_cost_usd_; }
    /** GPU-seconds the fleet owned (each pool's GPUs while it was online and not retired). */
    double owned_gpu_s() const { return owned_gpu_s_; }

private:
    struct DemandBucket {
        double t0_s;
        double units;
    };
    struct TickAccumulator {
        double t0_s = 0;
        std::vector<double> held_gpu_s_by_pool;
        double held_eff_s = 0;
        /** λ_p / the class's speed in p (the pool's shadow price per reference GPU-hour of the
            class's work) -> reference-GPU-seconds held there at that price. */
        std::map<double, double> eff_s_by_shadow;
        std::deque<DemandBucket> backlog;
        double deficit_eff_s = 0;  ///< reference-GPU-seconds lost to failures, not grown back
    };
    void advance_faults(const SchedulerState& state, IntervalRow& row, double dt);
    IntervalClassRow& row_now(ClassId cls);
    IntervalRow& interval_at(double t_s);
    void close_intervals_before(double t_s);

    const ScenarioSpec& scenario_;
    double last_t_s_ = 0;
    std::vector<ClassBook> classes_;
    std::vector<TickAccumulator> ticks_;  ///< per class (services only)
    std::vector<IntervalRow> intervals_;
    double interval_s_;
    std::size_t pool_count_;
    double unallocated_gpu_s_ = 0;
    double unallocated_energy_it_j_ = 0;
    double unallocated_energy_facility_j_ = 0;
    double unallocated_cost_usd_ = 0;
    double allocated_idle_gpu_s_ = 0;
    double down_gpu_s_ = 0;
    double down_cost_usd_ = 0;
    double owned_gpu_s_ = 0;
};

}  // namespace fleetsim
