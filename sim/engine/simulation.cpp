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

#include "sim/engine/simulation.hpp"

#include "sim/generators/job_source.hpp"

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

namespace fleetsim {
namespace {

constexpr double kTimeEpsilon_s = 1e-6;
constexpr unsigned kJobActorStack = 64 * 1024;
constexpr unsigned kSchedulerStack = 16 * 1024 * 1024;

class Simulation {
public:
    Simulation(const ScenarioSpec& scenario, PolicyInstance policy)
        : scenario_(scenario),
          policy_(std::move(policy)),
          state_(std::make_unique<SchedulerState>(scenario, policy_.placement)),
          ledger_(std::make_unique<Ledger>(scenario, *state_)),
          source_(scenario) {}

    RunResult run() {
        std::vector<std::string> args = {"fleetsim", "--log=root.thres:critical",
                                         "--cfg=contexts/guard-size:0"};
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        int argc = static_cast<int>(argv.size());
        sg4::Engine engine(&argc, argv.data());
        if (scenario_.energy_plugin)
            sg_host_energy_plugin_init();
        build_platform();
        reference_flops_ = reference_speed();
        state_->progress_probe = [this](const Job& j) { return progress_from_simgrid(j); };

        mutex_ = sg4::Mutex::create();
        cv_ = sg4::ConditionVariable::create();
        sg4::Actor::init("scheduler", hosts_.front())->start([this] { schedule(); });
        engine.run();

        RunResult r;
        r.horizon_s = scenario_.horizon_s;
        r.events = events_;
        r.energy_simgrid_it_j = energy_simgrid_j_;
        r.state = std::move(state_);
        r.ledger = std::move(ledger_);
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
                auto* host = zone->create_host(pool.name + "-" + std::to_string(n), speed);
                host->set_core_count(pool.gpus_per_node);
                if (scenario_.energy_plugin) {
                    // Node power = gpus x idle + busy GPUs x (busy - idle): the plugin's
                    // Idle:OneCore:AllCores interpolation is linear in busy cores.
                    const double g = pool.gpus_per_node;
                    const double idle = pool.gpu_type->power_idle_w;
                    const double busy = pool.gpu_type->power_busy_w;
                    host->set_property("wattage_per_state",
                                       std::to_string(g * idle) + ":" +
                                           std::to_string(g * idle + busy - idle) + ":" +
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
        root->seal();
    }

    /** Reference-GPU seconds of work done in the current run, read from SimGrid. */
    double progress_from_simgrid(const Job& j) const {
        // A job started earlier in the same policy call has no execs yet: nothing done.
        if (static_cast<std::size_t>(j.id) >= execs_.size())
            return 0;
        const auto& execs = execs_[static_cast<std::size_t>(j.id)];
        if (execs.empty())
            return 0;
        const Pool& pool = state_->fleet.pool(j.alloc.pool);
        const double speed = pool.gpu_type->dense_bf16_tflops * 1e12;
        const sg4::ExecPtr& e = execs.front();
        const double threads = e->get_thread_count();
        const double total_per_gpu = e->get_cost() / threads;
        const double left_per_gpu = e->get_remaining() / threads;
        const double ran_s = (total_per_gpu - left_per_gpu) / speed - j.run_overhead_s;
        return std::clamp(ran_s * j.gpus * pool.speed_factor, 0.0, j.remaining_ref_gpu_s());
    }

    void launch(JobId id) {
        const Job& j = state_->job(id);
        const Pool& pool = state_->fleet.pool(j.alloc.pool);
        const double speed = pool.gpu_type->dense_bf16_tflops * 1e12;
        // Each GPU does its share of the remaining work at reference speed, plus the restart
        // overhead at its own speed: duration = remaining / (gpus x speed factor) + overhead.
        const double flops_per_gpu =
            j.remaining_ref_gpu_s() / j.gpus * reference_flops_ + j.run_overhead_s * speed;
        if (execs_.size() <= static_cast<std::size_t>(id))
            execs_.resize(static_cast<std::size_t>(id) + 1);
        std::vector<sg4::ExecPtr> execs;
        for (const auto& [node, gpus] : j.alloc.parts) {
            // ExecPtr, not auto: in 3.32 start() returns a raw pointer that would dangle.
            sg4::ExecPtr e = sg4::Exec::init();
            e->set_host(hosts_[static_cast<std::size_t>(node)]);
            // The amount is per thread: SimGrid 3.32 charges amount x thread_count flops at
            // thread_count x core speed (measured; tests/scenarios check job durations).
            e->set_flops_amount(flops_per_gpu);
            e->set_thread_count(gpus);
            execs.push_back(e);
        }
        execs_[static_cast<std::size_t>(id)] = execs;
        sg4::Actor::init("job-" + std::to_string(id),
                         hosts_[static_cast<std::size_t>(j.alloc.parts.front().first)])
            ->set_stacksize(kJobActorStack)
            ->start([this, id, execs] {
                sg4::Actor::self()->daemonize();
                for (const auto& e : execs)
                    e->start();
                try {
                    for (const auto& e : execs)
                        e->wait();
                } catch (const simgrid::CancelException&) {
                    return;  // preempted: the scheduler has already requeued the job
                }
                std::unique_lock lock(*mutex_);
                completions_.push_back(id);
                cv_->notify_one();
            });
    }

    void cancel(JobId id) {
        for (auto& e : execs_[static_cast<std::size_t>(id)])
            e->cancel();
        execs_[static_cast<std::size_t>(id)].clear();
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
        // SimGrid activities are started after the whole call, so that a job the policy
        // starts and preempts again within one call never reaches SimGrid (an Exec cancelled
        // before its actor starts it would abort).
        std::vector<JobId> to_launch;
        for (const auto& [action, id] : out.actions()) {
            Job& j = state_->job(id);
            if (action == Decisions::Action::start) {
                ledger_->on_start(j, state_->now_s);
                to_launch.push_back(id);
            } else {
                ledger_->on_preempt(j);
                ledger_->credit(j, j.saved_ref_gpu_s);
                auto it = std::find(to_launch.begin(), to_launch.end(), id);
                if (it != to_launch.end())
                    to_launch.erase(it);
                else
                    cancel(id);
            }
        }
        for (JobId id : to_launch)
            launch(id);
        shadow_price_ = state_->shadow_price_usd_per_ref_gpu_h();
    }

    void schedule() {
        const double horizon = scenario_.horizon_s;
        const double tick = scenario_.tick_s;
        long long next_tick_k = 1;
        double next_day = 86400;
        std::unique_lock lock(*mutex_);
        state_->now_s = 0;
        call_policy();
        while (true) {
            const double next_tick = std::min(horizon, static_cast<double>(next_tick_k) * tick);
            const double wake = std::min({source_.next_time(), next_tick, horizon});
            if (completions_.empty() && wake > sg4::Engine::get_clock())
                cv_->wait_until(lock, wake);
            const double now = std::min(sg4::Engine::get_clock(), horizon);
            ++events_;
            ledger_->advance(*state_, now, shadow_price_);
            state_->now_s = now;
            while (static_cast<double>(next_tick_k) * tick <= now + kTimeEpsilon_s &&
                   static_cast<double>(next_tick_k) * tick <= horizon) {
                ledger_->settle_services(*state_, static_cast<double>(next_tick_k) * tick);
                ++next_tick_k;
            }
            // Completions first (their GPUs are free for this call), in job order.
            std::vector<JobId> done;
            done.swap(completions_);
            std::sort(done.begin(), done.end());
            for (JobId id : done) {
                if (state_->job(id).status != JobStatus::running)
                    continue;
                execs_[static_cast<std::size_t>(id)].clear();
                state_->complete(id);
                ledger_->on_complete(state_->job(id));
            }
            while (source_.next_time() <= now + kTimeEpsilon_s) {
                JobId id = state_->submit(source_.pop());
                ledger_->on_submit(state_->job(id));
                if (!state_->could_ever_fit(state_->job(id))) {
                    state_->reject(id, "gang larger than any pool the class may use");
                    ledger_->on_reject(state_->job(id));
                }
            }
            if (now >= horizon - kTimeEpsilon_s)
                break;
            call_policy();
            if (now >= next_day) {
                spdlog::info("simulated day {:.0f} of {:.0f}: {} jobs so far, {} GPUs free",
                             now / 86400, horizon / 86400, state_->jobs.size(),
                             state_->fleet.free_gpus());
                next_day += 86400;
            }
        }
        // The last tick may be shorter than tick_s when the horizon is not a multiple of it.
        ledger_->advance(*state_, horizon, shadow_price_);
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
        // Job actors are daemons: they end with this actor.
    }

    const ScenarioSpec& scenario_;
    PolicyInstance policy_;
    std::unique_ptr<SchedulerState> state_;
    std::unique_ptr<Ledger> ledger_;
    JobSource source_;
    std::vector<sg4::Host*> hosts_;
    std::vector<std::vector<sg4::ExecPtr>> execs_;
    std::vector<JobId> completions_;
    sg4::MutexPtr mutex_;
    sg4::ConditionVariablePtr cv_;
    double shadow_price_ = 0;
    double reference_flops_ = 1e12;
    long long events_ = 0;
    double energy_simgrid_j_ = -1;
};

}  // namespace

RunResult run_simulation(const ScenarioSpec& scenario, PolicyInstance policy) {
    Simulation sim(scenario, std::move(policy));
    return sim.run();
}

}  // namespace fleetsim
