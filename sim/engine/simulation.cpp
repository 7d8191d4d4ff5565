// The only code that talks to SimGrid.
//
// Mapping (measured choices, docs/performance.md): every node of the fleet is a SimGrid host
// with one core per GPU and the GPU's dense bf16 speed per core. A running batch job is one
// Exec per node it occupies (thread_count = its GPUs there), so SimGrid's CPU model gives
// its duration on that GPU type. Each running job has a small daemon actor that starts its
// execs and waits on them: execs started from a single owner (maestro or one scheduler actor)
// are kept by SimGrid 3.32 in one list that is searched linearly at every completion, which
// made 10,000 GPUs 5x slower; a short-lived actor per job keeps that list at one element.
// One scheduler actor sleeps until the next arrival, service tick or the horizon, or until a
// job actor hands it a completion through a condition variable; it then updates the state,
// calls the policy once, and applies the decisions.
//
// Failures (platform.failures, docs/model.md): with the energy plugin on, a failure turns the
// SimGrid hosts of its nodes off and the repair turns them on (without it the hosts stay on:
// see apply_failures()); the timer actor also wakes for both. SimGrid 3.32 kills
// the actors that sit on a host it turns off and fails the Execs running there (their waiters
// get a HostFailureException; get_remaining() afterwards is meaningless, measured), so with
// failures on every actor sits on a "control" host outside the fleet that never fails, and an
// interrupted job's progress is read and its Execs cancelled before its hosts go off.

#include "sim/engine/simulation.hpp"

#include "sim/generators/failure_source.hpp"
#include "sim/generators/job_source.hpp"

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <limits>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace sg4 = simgrid::s4u;

namespace fleetsim {
namespace {

constexpr double kTimeEpsilon_s = 1e-6;
// SimGrid zero-fills every actor stack when the actor starts, so the many short-lived job actors
// (they only create, start and wait on Execs) get small stacks: at 256 KiB the memset took 60%
// of a 10,000-GPU run. The scheduler, which runs the policy, gets 16 MiB of its own.
// Both figures are KiB: contexts/stack-size is in KiB, and so is Actor::set_stacksize() in
// SimGrid 3.32 (s4u_Actor.cpp multiplies by 1024 in an unsigned: 1024 * 1024 gave the
// scheduler a 1 GiB stack, and 4 Mi "bytes" wrapped to 0, the crash seen from "4 MiB" up).
constexpr unsigned kJobActorStack_kib = 64;
constexpr unsigned kSchedulerStack_kib = 16 * 1024;

class Simulation {
public:
    Simulation(const ScenarioSpec& scenario, PolicyInstance policy)
        : scenario_(scenario),
          policy_(std::move(policy)),
          state_(std::make_unique<SchedulerState>(scenario, policy_.placement)),
          ledger_(std::make_unique<Ledger>(scenario, *state_)),
          source_(scenario),
          failure_source_(scenario) {
        // The jobs vector would otherwise be moved a few dozen times on a long run.
        double expected = 0;
        for (const auto& c : scenario.workload.classes) {
            if (c.kind != Kind::batch)
                continue;
            double n = c.batch.arrival_rate_per_h * scenario.horizon_s / 3600.0;
            if (c.batch.max_jobs >= 0)
                n = std::min(n, static_cast<double>(c.batch.max_jobs));
            expected += n;
        }
        state_->jobs.reserve(static_cast<std::size_t>(std::min(expected * 1.05 + 16, 5e7)));
        plan_fleet_changes();
    }

    /** The SimGrid side of one run of a job (a preempted job gets a new one). */
    struct JobRun {
        JobId id = 0;
        std::vector<std::pair<sg4::Host*, int>> parts;  ///< host, GPUs on it
        double flops_per_gpu = 0;
        std::vector<sg4::ExecPtr> execs;  ///< filled by the worker as it starts them
        bool cancelled = false;
        std::multiset<double>::iterator end_s;  ///< its predicted end in ends_s_, or ends_s_.end()
    };
    struct Worker {
        sg4::SemaphorePtr wake = sg4::Semaphore::create(0);
        std::shared_ptr<JobRun> run;
        bool stepping = false;  ///< running a scheduler step: a job given to it needs no wake-up
    };

    RunResult run() {
        std::vector<std::string> args = {
            "fleetsim", "--log=root.thres:critical", "--cfg=contexts/guard-size:0",
            "--cfg=contexts/stack-size:" + std::to_string(kJobActorStack_kib)};
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        int argc = static_cast<int>(argv.size());
        sg4::Engine engine(&argc, argv.data());
        // SimGrid's SIGINT handler ends the process with exit code 1, which fleetsim's contract
        // reserves for internal errors (and a sweep records as a failed point): Ctrl-C ends a
        // run as SIGTERM does, by the signal, before any output folder exists.
        std::signal(SIGINT, SIG_DFL);
        if (scenario_.energy_plugin)
            sg_host_energy_plugin_init();
        build_platform();
        reference_flops_ = reference_speed();
        pool_shadow_.assign(static_cast<std::size_t>(state_->fleet.pool_count()), 0.0);
        state_->progress_probe = [this](const Job& j) { return progress_from_simgrid(j); };
        state_->elapsed_probe = [this](const Job& j) { return elapsed_from_simgrid(j); };
        state_->run_ended = [this](const Job& j, RunEnd why, double lost_ref_gpu_s) {
            ledger_->on_run_end(*state_, j, why, lost_ref_gpu_s);
        };

        sg4::Actor::init("scheduler", actor_host())
            ->set_stacksize(kSchedulerStack_kib)
            ->start([this] { schedule(); });
        engine.run();

        RunResult r;
        r.horizon_s = scenario_.horizon_s;
        r.events = events_;
        r.energy_simgrid_it_j = energy_simgrid_j_;
        r.state = std::move(state_);
        r.ledger = std::move(ledger_);
        r.failures = std::move(failure_log_);
        return r;
    }

private:
    double reference_speed() const {
        for (const auto& t : scenario_.platform.gpu_types) {
            if (t.name == scenario_.platform.reference_gpu_type)
                return t.dense_bf16_tflops * 1e12;
        }
        return 1e12;
    }

    void build_platform() {
        // A star zone per pool inside a star zone for the fleet: star zones build in linear
        // time and memory (a full zone is quadratic, design.md section 7). Each node has its
        // own link to the pool's switch; jobs do not communicate in this model (the network
        // is described, not simulated: docs/model.md).
        auto* root = sg4::create_star_zone("fleet");
        const Fleet& fleet = state_->fleet;
        hosts_.reserve(static_cast<std::size_t>(fleet.node_count()));
        for (const auto& pool : fleet.pools()) {
            auto* zone = sg4::create_star_zone("pool-" + pool.name);
            zone->set_parent(root);
            const double speed = pool.gpu_type->dense_bf16_tflops * 1e12;
            const PoolSpec& spec = scenario_.platform.pools[static_cast<std::size_t>(pool.index)];
            for (int n = 0; n < pool.nodes; ++n) {
                auto* host = zone->create_host(fleet.node_name(pool.first_node + n), speed);
                host->set_core_count(pool.gpus_per_node);
                if (scenario_.energy_plugin) {
                    // Node power = gpus x idle + busy GPUs x (busy - idle). SimGrid 3.32 reads
                    // "Idle:Epsilon:AllCores" and draws P = Epsilon + load x (AllCores -
                    // Epsilon) with load = busy cores / cores, so Epsilon is the power at a
                    // vanishing load, gpus x idle (not the old OneCore value, which added
                    // (busy - idle) x (1 - busy/gpus) to every partly busy node).
                    const double g = pool.gpus_per_node;
                    const double idle = pool.gpu_type->power_idle_w;
                    const double busy = pool.gpu_type->power_busy_w;
                    host->set_property("wattage_per_state", std::to_string(g * idle) + ":" +
                                                                std::to_string(g * idle) + ":" +
                                                                std::to_string(g * busy));
                    host->set_property("wattage_off", "0");
                }
                auto* link =
                    zone->create_link(host->get_name() + "-nic", spec.inter_node_gbps * 1e9 / 8);
                link->seal();
                zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr,
                                {sg4::LinkInRoute(link)}, true);
                hosts_.push_back(host);
            }
            zone->seal();
        }
        if (state_->failures.enabled() || scenario_.platform.fleet_changes()) {
            // Where the actors live: a host outside the fleet, never turned off.
            auto* zone = sg4::create_star_zone("control");
            zone->set_parent(root);
            control_host_ = zone->create_host("control", 1e9);
            zone->seal();
        }
        root->seal();
    }

    /** The host every actor runs on: the control host when hosts can fail. */
    sg4::Host* actor_host() const { return control_host_ ? control_host_ : hosts_.front(); }

    /** Seconds the current run has run past its restart overhead, read from SimGrid (negative
        while the overhead is being paid); nullopt before its Execs exist. */
    std::optional<double> ran_s_from_simgrid(const Job& j) const {
        // A job started earlier in the same policy call has no run yet: nothing done.
        if (static_cast<std::size_t>(j.id) >= runs_.size())
            return std::nullopt;
        const auto& run = runs_[static_cast<std::size_t>(j.id)];
        if (!run || run->execs.empty())
            return std::nullopt;  // its actor has not started yet
        const Pool& pool = state_->fleet.pool(j.alloc.pool);
        const double speed = pool.gpu_type->dense_bf16_tflops * 1e12;
        const sg4::ExecPtr& e = run->execs.front();
        const double threads = e->get_thread_count();
        const double total_per_gpu = e->get_cost() / threads;
        const double left_per_gpu = e->get_remaining() / threads;
        return (total_per_gpu - left_per_gpu) / speed - j.run_overhead_s;
    }

    /** Reference-GPU seconds of work done in the current run, read from SimGrid. */
    double progress_from_simgrid(const Job& j) const {
        const auto ran_s = ran_s_from_simgrid(j);
        if (!ran_s)
            return 0;
        const CheckpointPlan plan = state_->checkpoint_plan(j);
        const double compute_s = plan.writes() ? plan.compute_s(std::max(0.0, *ran_s)) : *ran_s;
        return std::clamp(compute_s * j.gpus * state_->cls(j.cls).speed(j.alloc.pool), 0.0,
                          j.remaining_ref_gpu_s());
    }

    double elapsed_from_simgrid(const Job& j) const {
        return std::max(0.0, ran_s_from_simgrid(j).value_or(0));
    }

    void launch(JobId id) {
        const Job& j = state_->job(id);
        const Pool& pool = state_->fleet.pool(j.alloc.pool);
        const double speed = pool.gpu_type->dense_bf16_tflops * 1e12;
        // Each GPU does its share of the remaining work at the class's speed on this GPU type,
        // plus the restart overhead at its own speed: duration = remaining / (gpus x class
        // speed) + overhead. A reference-GPU second of the class's work costs the host
        // reference_flops x (dense BF16 ratio / class speed) flops: exactly reference_flops
        // when the class runs at the dense BF16 ratio (no throughput matrix).
        const double class_speed = state_->cls(j.cls).speed(j.alloc.pool);
        const double flops_per_ref_gpu_s = reference_flops_ * (pool.speed_factor / class_speed);
        double flops_per_gpu =
            j.remaining_ref_gpu_s() / j.gpus * flops_per_ref_gpu_s + j.run_overhead_s * speed;
        // Checkpoint writes stop the gang for their time: one after each interval but the last.
        const CheckpointPlan plan = state_->checkpoint_plan(j);
        if (plan.writes()) {
            const double compute_s = j.remaining_ref_gpu_s() / (j.gpus * class_speed);
            flops_per_gpu += plan.writes_in(compute_s) * plan.write_s * speed;
        }
        if (runs_.size() <= static_cast<std::size_t>(id))
            runs_.resize(static_cast<std::size_t>(id) + 1);
        auto run = std::make_shared<JobRun>();
        run->flops_per_gpu = flops_per_gpu;
        for (const auto& [node, gpus] : j.alloc.parts) {
            // The fleet has no free GPUs on a down node (Fleet::take_down); the SimGrid host may
            // be on all the same (apply_failures), so this is where a placement there is caught.
            if (state_->failures.node_down(node))
                throw std::logic_error("job " + std::to_string(id) + " placed on node " +
                                       hosts_[static_cast<std::size_t>(node)]->get_name() +
                                       ", which is down");
            run->parts.emplace_back(hosts_[static_cast<std::size_t>(node)], gpus);
        }
        runs_[static_cast<std::size_t>(id)] = run;
        run->id = id;
        run->end_s = ends_s_.insert(state_->now_s + flops_per_gpu / speed);
        // A pooled worker actor runs the job: creating an actor per job cost a zero-filled
        // stack and a context each time (a third of a 100,000-GPU run); waking an idle
        // worker costs a semaphore.
        Worker* worker = nullptr;
        if (idle_.empty()) {
            workers_.push_back(std::make_unique<Worker>());
            worker = workers_.back().get();
            sg4::Actor::init("worker-" + std::to_string(workers_.size()), actor_host())
                ->start([this, worker] { work(worker); });
        } else {
            worker = idle_.back();
            idle_.pop_back();
        }
        worker->run = std::move(run);
        if (!worker->stepping)
            worker->wake->release();
    }

    /**
     * A worker actor: runs a job's Execs; when they complete, it runs the scheduler step itself
     * (no hand-off to another actor) and, when that step starts a job, runs it next without
     * waiting. Waking another actor for every completion and every start cost two context
     * switches and four simcalls per job.
     */
    void work(Worker* self) {
        self->wake->acquire();
        while (true) {
            std::shared_ptr<JobRun> run = std::move(self->run);
            const bool completed = run && run_to_end(*run);
            idle_.push_back(self);  // only now: a busy worker must not be handed a job
            if (completed) {
                completions_.push_back(run->id);
                --finishing_;
                forget_end(*run);
                self->stepping = true;
                if (another_job_ends_now())
                    settle_instant();
                // Another actor's step at this instant may have completed this job already.
                if (!completions_.empty())
                    step();
                self->stepping = false;
                if (self->run)
                    continue;  // the step gave this worker a job
            }
            self->wake->acquire();
        }
    }

    /**
     * Lets every actor that SimGrid woke at this instant run before a step, so that all the
     * jobs that end at the same instant are completed before the policy is called once (as
     * EASY and every hand-worked schedule assume; tests/scenarios/replay_test.cpp checks it
     * against an independent EASY). Actors woken together run in one round; a yield moves this
     * one to the next round, after them, and a worker still waiting on the other Execs of a
     * job that has ended (one round per Exec) counts in finishing_ until it has queued its
     * completion. Only when another job is predicted to end at this instant (a yield per
     * completion cost 7% of a 1,000,000-job run).
     */
    void settle_instant() {
        do {
            sg4::this_actor::yield();
        } while (finishing_ > 0);
    }

    /** Whether a running job is predicted to end now (its launch time + its Exec's length). */
    bool another_job_ends_now() const {
        const double now = sg4::Engine::get_clock();
        const auto it = ends_s_.lower_bound(now - kTimeEpsilon_s);
        return it != ends_s_.end() && *it <= now + kTimeEpsilon_s;
    }

    void forget_end(JobRun& run) {
        if (run.end_s != ends_s_.end()) {
            ends_s_.erase(run.end_s);
            run.end_s = ends_s_.end();
        }
    }

    /** Starts the run's Execs and waits for them; false when the run was cancelled. */
    bool run_to_end(JobRun& run) {
        // The Execs are created here, not by the scheduler: SimGrid 3.32 keeps every activity
        // in its creator's list and searches the whole list at each completion, so a single
        // creator made completions cost O(running jobs).
        for (const auto& [host, gpus] : run.parts) {
            if (run.cancelled)
                break;
            // ExecPtr, not auto: in 3.32 start() returns a raw pointer that would dangle.
            sg4::ExecPtr e = sg4::Exec::init();
            e->set_host(host);
            // The amount is per thread: SimGrid 3.32 charges amount x thread_count flops at
            // thread_count x core speed (measured; tests/scenarios check job durations).
            e->set_flops_amount(run.flops_per_gpu);
            e->set_thread_count(gpus);
            e->start();
            run.execs.push_back(e);
        }
        // Every s4u call may yield to the scheduler, which may have preempted the job in
        // between: then cancel what this worker started after the scheduler looked.
        if (run.cancelled) {
            for (auto& e : run.execs) {
                // Cancelling a FAILED Exec (its host went off) is fine in 3.32 (measured).
                if (e->get_state() != sg4::Activity::State::CANCELED)
                    e->cancel();
            }
            return false;
        }
        bool ended = false;  // the first Exec is done: the others end at this instant too
        try {
            for (const auto& e : run.execs) {
                e->wait();
                if (!ended) {
                    ended = true;
                    ++finishing_;
                }
            }
        } catch (const simgrid::CancelException&) {
            if (ended)
                --finishing_;
            return false;  // preempted or failed: the scheduler has already requeued the job
        } catch (const simgrid::HostFailureException&) {
            if (ended)
                --finishing_;
            return false;  // an Exec it started as its host went off: the job is requeued too
        }
        return true;
    }

    void cancel(JobId id) {
        auto& run = runs_[static_cast<std::size_t>(id)];
        run->cancelled = true;
        forget_end(*run);
        // Read nothing after cancel(): the progress was taken before (design.md section 7).
        for (auto& e : run->execs)
            e->cancel();
        run.reset();
    }

    void update_service_demand(double t) {
        for (auto& c : state_->classes) {
            if (c.kind == Kind::service)
                c.demand_units_per_s = c.spec->service.demand_units_per_s * c.profile.factor(t);
        }
    }

    void call_policy() {
        update_service_demand(state_->now_s);
        Decisions out(*state_);
        policy_.policy->decide(*state_, out);
        for (const auto& [action, id] : out.actions()) {
            Job& j = state_->job(id);
            if (action == Decisions::Action::start) {
                ledger_->on_start(j, state_->now_s);
                if (debug_)
                    spdlog::debug("{:.3f} s: start job {} ({} GPUs, {})", state_->now_s, id, j.gpus,
                                  state_->cls(j.cls).name);
                launch(id);
            } else if (action == Decisions::Action::reject) {
                ledger_->on_reject(j);
                if (debug_)
                    spdlog::debug("{:.3f} s: reject job {} ({})", state_->now_s, id,
                                  j.reject_reason);
            } else {
                ledger_->on_preempt(j);
                if (debug_)
                    spdlog::debug("{:.3f} s: preempt job {} ({} reference GPU-h kept)",
                                  state_->now_s, id, j.saved_ref_gpu_s / 3600);
                ledger_->credit(j, j.saved_ref_gpu_s);
                cancel(id);
            }
        }
        pool_shadow_ = state_->shadow_prices_usd_per_gpu_h();
    }

    double next_tick_s() const {
        return std::min(scenario_.horizon_s, static_cast<double>(next_tick_k_) * scenario_.tick_s);
    }

    /** A pool coming online or retiring (docs/model.md, "Fleets that change over time"). */
    struct FleetChange {
        double t_s = 0;
        bool online = false;
        int pool = 0;
        bool operator<(const FleetChange& o) const {
            // Retirements first at one instant, then by pool.
            return std::tie(t_s, online, pool) < std::tie(o.t_s, o.online, o.pool);
        }
    };

    /** Every change of the fleet before the horizon, in time order. */
    void plan_fleet_changes() {
        for (const auto& p : state_->fleet.pools()) {
            if (p.online_at_s > 0 && p.online_at_s < p.retire_at_s &&
                p.online_at_s < scenario_.horizon_s)
                fleet_changes_.push_back({p.online_at_s, true, p.index});
            if (p.retire_at_s < scenario_.horizon_s && p.retire_at_s > p.online_at_s &&
                p.retire_at_s > 0)
                fleet_changes_.push_back({p.retire_at_s, false, p.index});
        }
        std::sort(fleet_changes_.begin(), fleet_changes_.end());
    }

    double next_fleet_change_s() const {
        return next_change_ < fleet_changes_.size() ? fleet_changes_[next_change_].t_s
                                                    : std::numeric_limits<double>::infinity();
    }

    void set_pool_hosts(int pool, bool on) {
        const Pool& p = state_->fleet.pool(pool);
        for (int n = p.first_node; n < p.first_node + p.nodes; ++n) {
            sg4::Host* host = hosts_[static_cast<std::size_t>(n)];
            if (on && !host->is_on())
                host->turn_on();
            else if (!on && host->is_on())
                host->turn_off();
        }
    }

    /** The pools that come online or retire now: a retirement moves the pool's running jobs
        (their progress read and their Execs cancelled before its hosts go off, as a failure). */
    void apply_fleet_changes(double now) {
        while (next_fleet_change_s() <= now + kTimeEpsilon_s) {
            const FleetChange c = fleet_changes_[next_change_++];
            if (c.online) {
                state_->commission_pool(c.pool);
                set_pool_hosts(c.pool, true);
            } else {
                for (JobId id : state_->retire_pool(c.pool)) {
                    Job& j = state_->job(id);
                    ledger_->on_preempt(j);
                    ledger_->credit(j, j.saved_ref_gpu_s);
                    cancel(id);
                }
                set_pool_hosts(c.pool, false);
            }
            if (debug_)
                spdlog::debug("{:.3f} s: pool {} {}", now, state_->fleet.pool(c.pool).name,
                              c.online ? "comes online" : "retires");
        }
    }

    /** The next failure or repair (infinity when nothing can fail). */
    double next_failure_event_s() const {
        return std::min(failure_source_.next_time(), state_->failures.next_repair_s());
    }

    /**
     * Repairs, then failures, due now: a repaired node's host is turned on; a failure reads the
     * progress of the jobs it interrupts (SchedulerState::fail_nodes), cancels their Execs, and
     * only then turns its nodes' hosts off (Execs on a host turned off fail and their progress
     * is lost, measured).
     */
    void apply_failures(double now) {
        // Only the energy plugin reads a SimGrid host's state (a host turned off draws its
        // wattage_off, 0). Otherwise nothing runs on a down node's host: the fleet gives out
        // none of its GPUs (launch() checks), and the Execs of the jobs a failure interrupts
        // are cancelled here before anything else. And SimGrid 3.32's Host::turn_off() and
        // turn_on() each walk every actor of the simulation (about 8,000 workers at scale run
        // (b): 16% of its CPU time with failures, docs/performance.md), so without the plugin
        // the hosts stay on: the same results (checked byte for byte), without that walk.
        const bool power_hosts = scenario_.energy_plugin;
        for (int node : state_->repair_nodes()) {
            if (power_hosts)
                hosts_[static_cast<std::size_t>(node)]->turn_on();
            if (debug_)
                spdlog::debug("{:.3f} s: node {} repaired", now,
                              hosts_[static_cast<std::size_t>(node)]->get_name());
        }
        while (failure_source_.next_time() <= now + kTimeEpsilon_s) {
            const FailureEvent e = failure_source_.pop();
            const SchedulerState::FailureOutcome out = state_->fail_nodes(e);
            for (JobId id : out.interrupted) {
                Job& j = state_->job(id);
                ledger_->credit(j, j.saved_ref_gpu_s);
                cancel(id);
            }
            if (power_hosts) {
                for (int node : out.nodes_down)
                    hosts_[static_cast<std::size_t>(node)]->turn_off();
            }
            const long long event = state_->failures.events();
            for (int node : state_->failures.nodes_of(e, state_->fleet)) {
                // A pool out of the fleet (not yet online, or retired) does not fail.
                if (!state_->fleet.owned(state_->fleet.node_pool(node)))
                    continue;
                failure_log_.push_back(FailureRecord{event, e.t_s, node, e.gpu, e.duration_s,
                                                     e.cause,
                                                     static_cast<int>(out.interrupted.size())});
            }
            if (debug_)
                spdlog::debug(
                    "{:.3f} s: {} failure takes {} node(s) down for {:.0f} s, "
                    "interrupting {} job(s)",
                    now, to_string(e.cause), out.nodes_down.size(), e.duration_s,
                    out.interrupted.size());
        }
    }

    /**
     * Everything the scheduler does at one instant: integrate the books up to now, settle the
     * service ticks that ended, apply completions and arrivals, call the policy once. Any actor
     * may run it (a worker that saw a completion, or the timer actor), one at a time; a step
     * loops while actors that ran during its simcalls queued more work for the same instant.
     */
    void step() {
        if (in_step_ || finished_)
            return;
        in_step_ = true;
        const double horizon = scenario_.horizon_s;
        const double now = std::min(sg4::Engine::get_clock(), horizon);
        do {
            ++events_;
            ledger_->advance(*state_, now, pool_shadow_);
            state_->now_s = now;
            while (static_cast<double>(next_tick_k_) * scenario_.tick_s <= now + kTimeEpsilon_s &&
                   static_cast<double>(next_tick_k_) * scenario_.tick_s <= horizon) {
                ledger_->settle_services(*state_,
                                         static_cast<double>(next_tick_k_) * scenario_.tick_s);
                ++next_tick_k_;
            }
            // Completions first (their GPUs are free for this call), in job order.
            std::vector<JobId> done;
            done.swap(completions_);
            std::sort(done.begin(), done.end());
            for (JobId id : done) {
                if (state_->job(id).status != JobStatus::running)
                    continue;
                runs_[static_cast<std::size_t>(id)].reset();
                state_->complete(id);
                if (debug_)
                    spdlog::debug("{:.3f} s: job {} completed", now, id);
                ledger_->on_complete(state_->job(id));
            }
            if (next_failure_event_s() <= now + kTimeEpsilon_s)
                apply_failures(now);
            if (next_fleet_change_s() <= now + kTimeEpsilon_s)
                apply_fleet_changes(now);
            while (source_.next_time() <= now + kTimeEpsilon_s) {
                JobId id = state_->submit(waiting_job(source_.pop()));
                if (debug_)
                    spdlog::debug("{:.3f} s: job {} submitted ({} GPUs)", now, id,
                                  state_->job(id).gpus);
                ledger_->on_submit(state_->job(id));
                if (!state_->could_ever_fit(state_->job(id))) {
                    state_->reject(id, "gang larger than any pool the class may use");
                    ledger_->on_reject(state_->job(id));
                }
            }
            if (now >= horizon - kTimeEpsilon_s)
                break;  // the timer actor closes the books
            call_policy();
        } while (!completions_.empty() || source_.next_time() <= now + kTimeEpsilon_s ||
                 next_tick_s() <= now + kTimeEpsilon_s ||
                 next_failure_event_s() <= now + kTimeEpsilon_s ||
                 next_fleet_change_s() <= now + kTimeEpsilon_s);
        in_step_ = false;
    }

    /** The timer actor: wakes for arrivals, service ticks and the horizon; closes the books. */
    void schedule() {
        const double horizon = scenario_.horizon_s;
        double next_day = 86400;
        state_->now_s = 0;
        // Pools not in the fleet at the start (SchedulerState took them out) are off.
        for (const auto& p : state_->fleet.pools()) {
            if (!state_->fleet.owned(p.index))
                set_pool_hosts(p.index, false);
        }
        step();
        while (true) {
            const double wake = std::min({source_.next_time(), next_tick_s(), horizon,
                                          next_failure_event_s(), next_fleet_change_s()});
            if (wake > sg4::Engine::get_clock())
                sg4::this_actor::sleep_until(wake);
            // Jobs that end at this instant first; another actor's step at this instant will
            // see the due timers, so let it finish.
            if (another_job_ends_now())
                settle_instant();
            while (in_step_)
                sg4::this_actor::yield();
            if (sg4::Engine::get_clock() >= horizon - kTimeEpsilon_s)
                break;
            step();
            if (sg4::Engine::get_clock() >= next_day) {
                spdlog::info("simulated day {:.0f} of {:.0f}: {} jobs so far, {} GPUs free",
                             sg4::Engine::get_clock() / 86400, horizon / 86400, state_->jobs.size(),
                             state_->fleet.free_gpus());
                next_day += 86400;
            }
        }
        step();  // completions, arrivals and ticks due at the horizon; no policy call
        finished_ = true;
        // The last tick may be shorter than tick_s when the horizon is not a multiple of it.
        ledger_->advance(*state_, horizon, pool_shadow_);
        state_->now_s = horizon;
        ledger_->settle_services(*state_, horizon);
        ledger_->finish(*state_, horizon);
        if (scenario_.energy_plugin) {
            sg_host_energy_update_all();
            double total = 0;
            for (auto* h : hosts_)
                total += sg_host_get_consumed_energy(h);
            energy_simgrid_j_ = total;
        }
        spdlog::info("{} worker actors ran {} jobs", workers_.size(), state_->jobs.size());
        // Idle and busy workers alike end here (they wait on semaphores or Execs).
        sg4::Actor::kill_all();
    }

    const ScenarioSpec& scenario_;
    PolicyInstance policy_;
    std::unique_ptr<SchedulerState> state_;
    std::unique_ptr<Ledger> ledger_;
    JobSource source_;
    FailureSource failure_source_;
    std::vector<FailureRecord> failure_log_;
    std::vector<FleetChange> fleet_changes_;
    std::size_t next_change_ = 0;
    sg4::Host* control_host_ = nullptr;  ///< with failures on: where the actors live
    std::vector<sg4::Host*> hosts_;
    std::vector<std::shared_ptr<JobRun>> runs_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<Worker*> idle_;
    std::vector<JobId> completions_;
    long long next_tick_k_ = 1;  ///< the next service tick ends at next_tick_k_ x tick_s
    bool in_step_ = false;
    int finishing_ = 0;             ///< workers whose job has ended at this instant, not yet queued
    std::multiset<double> ends_s_;  ///< predicted end of every running job's current run
    bool finished_ = false;
    std::vector<double> pool_shadow_;  ///< λ_p after the last policy call, per pool
    double reference_flops_ = 1e12;
    long long events_ = 0;
    const bool debug_ = spdlog::should_log(spdlog::level::debug);  ///< -vv: log every event
    double energy_simgrid_j_ = -1;
};

}  // namespace

RunResult run_simulation(const ScenarioSpec& scenario, PolicyInstance policy) {
    Simulation sim(scenario, std::move(policy));
    return sim.run();
}

}  // namespace fleetsim
