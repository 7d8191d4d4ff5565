#pragma once
// What the scheduler knows at time t: the fleet's free GPUs, every job, and each workload
// class's queue, holdings and demand. Policies read it (const) and act only through Decisions,
// whose every call is checked here: starting a job twice, or on GPUs that are not free, is a
// bug in the policy and raises std::logic_error (exit 1), never a silent repair.
// No SimGrid and no YAML here: policies are tested on this state without a simulation.

#include "sim/config/spec.hpp"
#include "sim/generators/job_source.hpp"
#include "sim/generators/rate_profile.hpp"
#include "sim/model/failure_state.hpp"
#include "sim/model/fleet.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace fleetsim {

using JobId = std::int64_t;
using ClassId = int;

enum class JobStatus { waiting, running, completed, rejected, running_at_end, waiting_at_end };
const char* to_string(JobStatus s);

/** What failures did to a job (docs/model.md, "Failures"). */
struct JobFaults {
    int interruptions = 0;               ///< runs stopped by a failure or a maintenance window
    double lost_ref_gpu_s = 0;           ///< work lost to them (done since the last checkpoint)
    bool restart_after_failure = false;  ///< the next run's restart cost follows a failure
    bool run_after_failure = false;      ///< the current run's restart cost followed a failure
    double checkpoint_interval_s = 0;    ///< the current run's, when the class's is `auto`
};

/** Why a run of a job ended (SchedulerState::run_ended). */
enum class RunEnd { completed, preempted, interrupted, horizon };

struct Job {
    JobId id = 0;
    ClassId cls = 0;
    double submit_s = 0;
    int gpus = 1;
    double work_ref_gpu_s = 0;           ///< whole gang's work, in reference-GPU seconds
    double saved_ref_gpu_s = 0;          ///< work kept: checkpoints (or nothing) after a preemption
    double credited_ref_gpu_s = 0;       ///< work already counted as delivered (revenue)
    double value_usd_per_ref_gpu_h = 0;  ///< revenue per reference GPU-hour of work
    double value_usd_per_job = 0;        ///< > 0 when the class is paid per completed job
    double requested_s = -1;      ///< replayed logs: requested run time (reference GPU); -1 none
    double recorded_wait_s = -1;  ///< replayed logs: the wait the log recorded; -1 none
    JobStatus status = JobStatus::waiting;
    double first_start_s = -1;
    double start_s = -1;  ///< of the current run
    double end_s = -1;
    double restart_overhead_s = 0;  ///< paid at the start of the next run
    double run_overhead_s = 0;      ///< overhead of the current run
    int preemptions = 0;
    double lost_ref_gpu_s = 0;  ///< work redone because of preemptions
    Allocation alloc;
    std::string reject_reason;
    JobFaults faults;

    double remaining_ref_gpu_s() const { return work_ref_gpu_s - saved_ref_gpu_s; }
};

/** A waiting job as JobSource drew it (SchedulerState::submit gives it its id). */
Job waiting_job(const JobArrival& arrival);

struct ClassState {
    ClassId id = 0;
    const WorkloadClassSpec* spec = nullptr;
    std::string name;
    Kind kind = Kind::service;
    Family family = Family::llm;
    std::vector<int> pools;  ///< pools this class may use (all when the spec lists none)

    std::vector<int> held_by_pool;  ///< GPUs held now, per pool (jobs or service allocation)
    int gpus_held = 0;
    double held_eff = 0;  ///< GPUs held weighted by the class's speed (reference-GPU equivalents)
    /** The class's speed in each pool relative to the reference GPU (1 on the reference GPU):
        reference-GPU seconds of its work that one GPU of the pool does per second. */
    std::vector<double> speed_by_pool;
    double speed(int pool) const { return speed_by_pool[static_cast<std::size_t>(pool)]; }

    // batch
    std::set<JobId> waiting;              ///< in submission order (ids grow with submit time)
    std::multiset<double> waiting_rates;  ///< value rates of waiting jobs (shadow price)
    /** Per pool: value rate (per reference GPU-hour) -> reference-GPU equivalents running. */
    std::vector<std::map<double, double>> running_eff_by_pool;
    std::set<JobId> running;  ///< running jobs (policies that preempt pick victims here)
    int running_jobs = 0;
    double value_rate_usd_per_ref_gpu_h = 0;  ///< class-wide rate (per-GPU-hour valued classes)

    // service
    std::vector<Allocation> service_alloc;  ///< per pool
    RateProfile profile{RateProfileSpec{}};
    double demand_units_per_s = 0;           ///< current arrival rate of demand
    double backlog_units = 0;                ///< demand waiting (within its SLO) from earlier ticks
    double full_rate_usd_per_ref_gpu_h = 0;  ///< revenue per reference GPU-hour at max utilization

    /** Reference-GPU equivalents a service needs now: demand rate plus draining the backlog. */
    double needed_ref_gpus(double tick_s) const;
    /** Revenue per reference GPU-hour of the next GPU given to this class (service or head job). */
    double marginal_rate_usd_per_ref_gpu_h() const;
    /** Revenue per reference GPU-hour of the most valuable demand of this class left waiting
        now (a queued job, or service demand above what it holds); 0 when none waits. */
    double waiting_rate_usd_per_ref_gpu_h(double tick_s) const;
};

class SchedulerState {
public:
    SchedulerState(const ScenarioSpec& scenario, PlacementRule placement);

    double now_s = 0;
    double tick_s = 300;
    Fleet fleet;
    std::vector<Job> jobs;  ///< indexed by JobId
    std::vector<ClassState> classes;
    PlacementRule placement = PlacementRule::pack;

    const Job& job(JobId id) const { return jobs[static_cast<std::size_t>(id)]; }
    Job& job(JobId id) { return jobs[static_cast<std::size_t>(id)]; }
    const ClassState& cls(ClassId id) const { return classes[static_cast<std::size_t>(id)]; }
    ClassState& cls(ClassId id) { return classes[static_cast<std::size_t>(id)]; }
    int class_count() const { return static_cast<int>(classes.size()); }
    /** -1 when there is no class of that name. */
    ClassId class_id(const std::string& name) const;

    /** Work done (reference-GPU seconds) in the current run of a running job; the engine
        replaces the analytic default with SimGrid's own remaining-work figure. */
    std::function<double(const Job&)> progress_probe;
    /** Seconds of the current run past its restart overhead (compute and checkpoint writes),
        read where checkpoint writes make work and time differ; SimGrid's figure in the engine. */
    std::function<double(const Job&)> elapsed_probe;
    /** Called when a run of a job ends, before its GPUs are freed, with the work the end lost
        (since the last checkpoint; the ledger's fault books; none when unset). */
    std::function<void(const Job&, RunEnd, double lost_ref_gpu_s)> run_ended;
    /** What can fail and what is down (empty when the platform has no failure model). */
    FailureState failures;
    /** The current run's checkpoints: the class's interval (or the job's Young/Daly one) and
        write time. */
    CheckpointPlan checkpoint_plan(const Job& job) const;

    /** The first pool of the job's class where the gang fits now, or -1. */
    int pool_that_fits(const Job& job) const;
    /** Whether the gang could ever fit in one of its class's pools (an empty fleet). */
    bool could_ever_fit(const Job& job) const;

    // ---- checked state changes (used by Decisions and by the engine) ----
    JobId submit(Job job);
    void reject(JobId id, const std::string& reason);
    /** Places and marks running; false (no change) when it does not fit in `pool`. */
    bool start(JobId id, int pool);
    /** Starts a waiting job on exactly these (node, GPUs) parts of `pool`, which must add up
        to its gang; false (no change) when they are not free. */
    bool start_on(JobId id, int pool, const std::vector<std::pair<int, int>>& parts);
    /** Stops a running job, keeps the work up to its last checkpoint, requeues it. */
    void preempt(JobId id);
    /** Work (reference-GPU seconds) a running job would lose if preempted now: what it did
        since its last checkpoint (all of this run's work when the class has none). */
    double preemption_loss_ref_gpu_s(const Job& job) const;
    /** Marks a running job completed and frees its GPUs. */
    void complete(JobId id);

    /** What a failure did: the nodes it took down (that were up), the jobs it interrupted. */
    struct FailureOutcome {
        std::vector<int> nodes_down;
        std::vector<JobId> interrupted;  ///< in id order
    };
    /**
     * Applies a failure (or a maintenance window) at now_s: every running job with a GPU on one
     * of its nodes is interrupted (any job, preemptible or not: it keeps the work of its last
     * checkpoint, all of it when the stop is planned, and pays its restart cost at its next
     * start), services lose their GPUs there, and the nodes go down until now_s + duration.
     */
    FailureOutcome fail_nodes(const FailureEvent& event);
    /** Brings back the nodes whose repair is due at now_s; returns them in node order. */
    std::vector<int> repair_nodes();
    /**
     * Retires a pool at now_s (docs/model.md, "Fleets that change over time"): its running jobs
     * checkpoint, keep all their work and go back to their queues (returned in id order, for
     * the engine to cancel), its services lose their GPUs there; then the pool leaves the
     * fleet. The policy, called next, re-places them.
     */
    std::vector<JobId> retire_pool(int pool);
    /** Brings a pool that was out of the fleet in, wholly free. */
    void commission_pool(int pool);
    /** Stops a running job for a failure and requeues it (interrupt() of fail_nodes()). */
    void interrupt(JobId id, bool planned);
    /** Sets a service's GPUs in a pool; false (no change) when growing needs more than is free. */
    bool set_service_gpus(ClassId cls, int pool, int gpus);
    /** Sets a service's GPUs in a pool to exactly these (node, GPUs) parts; false (no change)
        when a node lacks the GPUs to take. */
    bool set_service_parts(ClassId cls, int pool, const std::vector<std::pair<int, int>>& parts);

    /**
     * Shadow price of each pool, λ_p (design.md section 3), in USD per GPU-hour of that pool:
     * the revenue per GPU-hour, at its speed there, of the most valuable demand left waiting
     * now (a batch job in a queue, service demand above its allocation) whose class may use
     * the pool; 0 when no such demand waits.
     */
    std::vector<double> shadow_prices_usd_per_gpu_h() const;
    /**
     * The most valuable demand waiting anywhere, per reference GPU-hour: λ_p of every pool
     * when every class may use every pool and runs at the reference speed (one pool of the
     * reference GPU, as in every shipped scenario); the books use the per-pool prices.
     */
    double shadow_price_usd_per_ref_gpu_h() const;

private:
    /** The checks before a job starts in `pool` (a logic_error when the policy is wrong). */
    Job& startable(JobId id, int pool);
    /** Marks a job running on `alloc` and counts it in its class. */
    void place(Job& j, const Allocation& alloc);
    /** The checks before a service's GPUs change in `pool`. */
    ClassState& resizable(ClassId id, int pool, int gpus);
    void hold(ClassState& c, int pool, int gpus, double rate);
    void unhold(ClassState& c, int pool, int gpus, double rate);
    /** Frees a running job's GPUs and puts it back in its class's queue. */
    void requeue(Job& job, ClassState& c);
    /** Records (or forgets) that a batch job runs on its allocation's nodes. */
    void index_running(const Job& j);
    void unindex_running(const Job& j);

    /**
     * With failures on only: per node, the batch jobs running on it, so that a failure finds
     * the jobs it interrupts among the few on its nodes rather than by a walk over every
     * running job (measured: that walk was most of what failures added to scale run (b),
     * docs/performance.md). Unordered; fail_nodes() sorts what it collects.
     */
    std::vector<std::vector<JobId>> running_on_node_;
};

/**
 * A policy's decisions for one call, applied to the state as they are made (so the policy sees
 * the effect of its own earlier decisions) and recorded for the engine, which then starts and
 * cancels the SimGrid activities.
 */
class Decisions {
public:
    explicit Decisions(SchedulerState& state) : state_(state) {}

    /** Starts a waiting job in `pool` (-1: the first of its class's pools where it fits). */
    bool start(JobId job, int pool = -1);
    /** Starts a waiting job on exactly these (node, GPUs) parts of `pool`. */
    bool start_on(JobId job, int pool, const std::vector<std::pair<int, int>>& parts);
    void preempt(JobId job);
    /** Refuses a waiting job for good (e.g. larger than every share it may ever have). */
    void reject(JobId job, const std::string& reason);
    bool set_service_gpus(ClassId service, int pool, int gpus);
    /** Sets a service's GPUs in `pool` to exactly these (node, GPUs) parts. */
    bool set_service_parts(ClassId service,
                           int pool,
                           const std::vector<std::pair<int, int>>& parts);

    enum class Action { start, preempt, reject };
    /** Job starts, preemptions and rejections in the order they were made. */
    const std::vector<std::pair<Action, JobId>>& actions() const { return actions_; }
    const SchedulerState& state() const { return state_; }

    /** One change made to the state, as it is made: a job action, or a service's GPUs in a
        pool (job -1). */
    struct Change {
        enum class What { start, preempt, reject, service };
        What what = What::start;
        JobId job = -1;
        ClassId service = -1;
        int pool = -1;
    };
    /** Calls `observer` after every change made through these Decisions, in order, while the
        state shows its effect (a block of the fleet mirrors its own decisions this way:
        policies/fleet_block.hpp). */
    void observe(std::function<void(const Change&)> observer) { observer_ = std::move(observer); }

private:
    void changed(const Change& change) const {
        if (observer_)
            observer_(change);
    }

    SchedulerState& state_;
    std::vector<std::pair<Action, JobId>> actions_;
    std::function<void(const Change&)> observer_;
};

}  // namespace fleetsim
