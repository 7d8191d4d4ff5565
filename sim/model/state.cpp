#include "sim/model/state.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fleetsim {

const char* to_string(JobStatus s) {
    switch (s) {
        case JobStatus::waiting:
            return "waiting";
        case JobStatus::running:
            return "running";
        case JobStatus::completed:
            return "completed";
        case JobStatus::rejected:
            return "rejected";
        case JobStatus::running_at_end:
            return "running_at_end";
        case JobStatus::waiting_at_end:
            return "waiting_at_end";
    }
    return "?";
}

Job waiting_job(const JobArrival& arrival) {
    Job j;
    j.cls = arrival.cls;
    j.submit_s = arrival.submit_s;
    j.gpus = arrival.gpus;
    j.work_ref_gpu_s = arrival.work_ref_gpu_s;
    j.value_usd_per_ref_gpu_h = arrival.value_usd_per_ref_gpu_h;
    j.value_usd_per_job = arrival.value_usd_per_job;
    j.requested_s = arrival.requested_s;
    j.recorded_wait_s = arrival.recorded_wait_s;
    return j;
}

double ClassState::needed_ref_gpus(double tick) const {
    if (kind != Kind::service)
        return 0;
    const auto& s = spec->service;
    const double units_per_s = demand_units_per_s + backlog_units / tick;
    return units_per_s * s.gpu_s_per_unit / s.max_utilization;
}

double ClassState::waiting_rate_usd_per_ref_gpu_h(double tick) const {
    if (kind == Kind::batch)
        return waiting_rates.empty() ? 0 : *waiting_rates.rbegin();
    return needed_ref_gpus(tick) > held_eff + 1e-9 ? full_rate_usd_per_ref_gpu_h : 0;
}

double ClassState::marginal_rate_usd_per_ref_gpu_h() const {
    if (kind == Kind::service)
        return full_rate_usd_per_ref_gpu_h;
    if (!waiting_rates.empty())
        return *waiting_rates.rbegin();
    return value_rate_usd_per_ref_gpu_h;
}

SchedulerState::SchedulerState(const ScenarioSpec& scenario, PlacementRule rule)
    : tick_s(scenario.tick_s),
      fleet(scenario.platform),
      placement(rule),
      failures(scenario.platform, fleet, static_cast<int>(scenario.workload.classes.size())) {
    for (const auto& spec : scenario.workload.classes) {
        ClassState c;
        c.id = static_cast<ClassId>(classes.size());
        c.spec = &spec;
        c.name = spec.name;
        c.kind = spec.kind;
        c.family = spec.family;
        for (const auto& pool_name : spec.pools) {
            for (const auto& p : fleet.pools()) {
                if (p.name == pool_name)
                    c.pools.push_back(p.index);
            }
        }
        c.held_by_pool.assign(static_cast<std::size_t>(fleet.pool_count()), 0);
        c.running_eff_by_pool.resize(static_cast<std::size_t>(fleet.pool_count()));
        for (const auto& p : fleet.pools())
            c.speed_by_pool.push_back(class_speed(spec, p));
        if (c.pools.empty()) {
            for (const auto& p : fleet.pools())
                c.pools.push_back(p.index);
            // A class whose speeds differ from the dense BF16 ratios somewhere (a throughput
            // matrix) and with no `pools:` of its own tries the pools where its work runs
            // fastest first (ties in platform order), so that every policy places it where a
            // GPU does most of its work; otherwise platform order as before. A `pools:` list
            // keeps the order its author wrote.
            bool matrix = false;
            for (const auto& p : fleet.pools())
                matrix = matrix || c.speed(p.index) != p.speed_factor;
            if (matrix) {
                std::stable_sort(c.pools.begin(), c.pools.end(),
                                 [&](int x, int y) { return c.speed(x) > c.speed(y); });
            }
        }
        if (spec.kind == Kind::service) {
            const auto& s = spec.service;
            c.service_alloc.resize(static_cast<std::size_t>(fleet.pool_count()));
            c.profile = RateProfile(s.profile);
            c.demand_units_per_s = s.demand_units_per_s * c.profile.factor(0);
            c.full_rate_usd_per_ref_gpu_h = (s.price_usd_per_unit + s.ad_revenue_usd_per_unit) *
                                            3600.0 * s.max_utilization / s.gpu_s_per_unit;
        } else {
            c.value_rate_usd_per_ref_gpu_h = spec.batch.value_basis == BatchSpec::Value::per_gpu_h
                                                 ? spec.batch.value_usd_per_gpu_h
                                                 : 0;
        }
        classes.push_back(std::move(c));
    }
    // A pool that comes online later, or is retired from the start, is not in the fleet yet.
    for (const auto& p : fleet.pools()) {
        if (!(p.online_at_s <= 0 && p.retire_at_s > 0))
            fleet.retire_pool(p.index);
    }
    // Analytic progress: a gang runs at its pool's speed once the restart overhead is paid.
    elapsed_probe = [this](const Job& j) {
        return std::max(0.0, now_s - j.start_s - j.run_overhead_s);
    };
    progress_probe = [this](const Job& j) {
        const double sf = cls(j.cls).speed(j.alloc.pool);
        const CheckpointPlan plan = checkpoint_plan(j);
        if (plan.writes())
            return std::min(j.remaining_ref_gpu_s(),
                            plan.compute_s(elapsed_probe(j)) * j.gpus * sf);
        const double t = std::max(0.0, now_s - j.start_s - j.run_overhead_s);
        return std::min(j.remaining_ref_gpu_s(), t * j.gpus * sf);
    };
}

CheckpointPlan SchedulerState::checkpoint_plan(const Job& j) const {
    const BatchSpec& b = cls(j.cls).spec->batch;
    return CheckpointPlan{
        b.checkpoint_auto ? j.faults.checkpoint_interval_s : b.checkpoint_interval_s,
        b.checkpoint_write_s};
}

ClassId SchedulerState::class_id(const std::string& name) const {
    for (const auto& c : classes) {
        if (c.name == name)
            return c.id;
    }
    return -1;
}

int SchedulerState::pool_that_fits(const Job& j) const {
    for (int p : cls(j.cls).pools) {
        if (fleet.can_fit(p, j.gpus))
            return p;
    }
    return -1;
}

bool SchedulerState::could_ever_fit(const Job& j) const {
    for (int p : cls(j.cls).pools) {
        if (fleet.pool(p).total_gpus >= j.gpus)
            return true;
    }
    return false;
}

void SchedulerState::hold(ClassState& c, int pool, int gpus, double rate) {
    const double eff = gpus * c.speed(pool);
    c.held_by_pool[static_cast<std::size_t>(pool)] += gpus;
    c.gpus_held += gpus;
    c.held_eff += eff;
    if (c.kind == Kind::batch)
        c.running_eff_by_pool[static_cast<std::size_t>(pool)][rate] += eff;
}

void SchedulerState::unhold(ClassState& c, int pool, int gpus, double rate) {
    const double eff = gpus * c.speed(pool);
    c.held_by_pool[static_cast<std::size_t>(pool)] -= gpus;
    c.gpus_held -= gpus;
    c.held_eff -= eff;
    if (c.kind == Kind::batch) {
        auto& by_rate = c.running_eff_by_pool[static_cast<std::size_t>(pool)];
        auto it = by_rate.find(rate);
        if (it == by_rate.end())
            throw std::logic_error("releasing a rate that is not held");
        it->second -= eff;
        if (it->second <= 1e-9)
            by_rate.erase(it);
    }
    if (c.gpus_held == 0)
        c.held_eff = 0;  // no drift from repeated float sums
}

JobId SchedulerState::submit(Job j) {
    j.id = static_cast<JobId>(jobs.size());
    j.status = JobStatus::waiting;
    ClassState& c = cls(j.cls);
    const JobId id = j.id;
    const double rate = j.value_usd_per_ref_gpu_h;
    jobs.push_back(std::move(j));
    c.waiting.insert(id);
    c.waiting_rates.insert(rate);
    return id;
}

void SchedulerState::reject(JobId id, const std::string& reason) {
    Job& j = job(id);
    if (j.status != JobStatus::waiting)
        throw std::logic_error("rejecting a job that is not waiting");
    ClassState& c = cls(j.cls);
    c.waiting.erase(id);
    c.waiting_rates.erase(c.waiting_rates.find(j.value_usd_per_ref_gpu_h));
    j.status = JobStatus::rejected;
    j.end_s = now_s;
    j.reject_reason = reason;
}

Job& SchedulerState::startable(JobId id, int pool) {
    Job& j = job(id);
    if (j.status != JobStatus::waiting) {
        throw std::logic_error("job " + std::to_string(id) + " started while " +
                               to_string(j.status));
    }
    const ClassState& c = cls(j.cls);
    if (std::find(c.pools.begin(), c.pools.end(), pool) == c.pools.end()) {
        throw std::logic_error("job " + std::to_string(id) +
                               " started in a pool its class may not use");
    }
    return j;
}

void SchedulerState::place(Job& j, const Allocation& alloc) {
    ClassState& c = cls(j.cls);
    j.alloc = alloc;
    j.status = JobStatus::running;
    j.start_s = now_s;
    if (j.first_start_s < 0)
        j.first_start_s = now_s;
    j.run_overhead_s = j.restart_overhead_s;
    j.restart_overhead_s = 0;
    j.faults.run_after_failure = j.faults.restart_after_failure;
    j.faults.restart_after_failure = false;
    if (c.spec->batch.checkpoint_auto) {
        // Young/Daly for the gang as placed: its nodes' and racks' failure rates.
        j.faults.checkpoint_interval_s = young_daly_interval_s(failures.gang_mtbi_s(j.alloc, fleet),
                                                               c.spec->batch.checkpoint_write_s);
    }
    c.waiting.erase(j.id);
    c.waiting_rates.erase(c.waiting_rates.find(j.value_usd_per_ref_gpu_h));
    c.running_jobs += 1;
    c.running.insert(j.id);
    index_running(j);
    hold(c, alloc.pool, j.gpus, j.value_usd_per_ref_gpu_h);
}

void SchedulerState::index_running(const Job& j) {
    if (!failures.enabled())
        return;
    if (running_on_node_.empty())
        running_on_node_.resize(static_cast<std::size_t>(fleet.node_count()));
    for (const auto& part : j.alloc.parts)
        running_on_node_[static_cast<std::size_t>(part.first)].push_back(j.id);
}

void SchedulerState::unindex_running(const Job& j) {
    if (!failures.enabled())
        return;
    for (const auto& part : j.alloc.parts) {
        auto& on = running_on_node_[static_cast<std::size_t>(part.first)];
        const auto it = std::find(on.begin(), on.end(), j.id);
        if (it == on.end())
            throw std::logic_error("job " + std::to_string(j.id) + " not indexed on node " +
                                   std::to_string(part.first));
        *it = on.back();
        on.pop_back();
    }
}

bool SchedulerState::start(JobId id, int pool) {
    Job& j = startable(id, pool);
    auto alloc = fleet.allocate_gang(pool, j.gpus, placement);
    if (!alloc)
        return false;
    place(j, *alloc);
    return true;
}

bool SchedulerState::start_on(JobId id, int pool, const std::vector<std::pair<int, int>>& parts) {
    Job& j = startable(id, pool);
    int gpus = 0;
    for (const auto& part : parts)
        gpus += part.second;
    if (gpus != j.gpus) {
        throw std::logic_error("job " + std::to_string(id) + " of " + std::to_string(j.gpus) +
                               " GPUs started on " + std::to_string(gpus));
    }
    auto alloc = fleet.allocate_parts(pool, parts);
    if (!alloc)
        return false;
    place(j, *alloc);
    return true;
}

void SchedulerState::preempt(JobId id) {
    Job& j = job(id);
    if (j.status != JobStatus::running) {
        throw std::logic_error("job " + std::to_string(id) + " preempted while " +
                               to_string(j.status));
    }
    ClassState& c = cls(j.cls);
    const auto& b = c.spec->batch;
    if (!b.preemptible)
        throw std::logic_error("job " + std::to_string(id) +
                               " of a non-preemptible class preempted");
    const double progress = progress_probe(j);
    const double lost = preemption_loss_ref_gpu_s(j);
    const double kept = progress - lost;
    if (run_ended)
        run_ended(j, RunEnd::preempted, lost);
    j.lost_ref_gpu_s += lost;
    j.saved_ref_gpu_s += kept;
    j.restart_overhead_s = b.restart_cost_s;
    j.preemptions += 1;
    requeue(j, c);
}

void SchedulerState::requeue(Job& j, ClassState& c) {
    unindex_running(j);
    fleet.release(j.alloc);
    unhold(c, j.alloc.pool, j.gpus, j.value_usd_per_ref_gpu_h);
    j.alloc = Allocation{};
    j.status = JobStatus::waiting;
    c.running_jobs -= 1;
    c.running.erase(j.id);
    c.waiting.insert(j.id);
    c.waiting_rates.insert(j.value_usd_per_ref_gpu_h);
}

double SchedulerState::preemption_loss_ref_gpu_s(const Job& j) const {
    const double sf = cls(j.cls).speed(j.alloc.pool);
    const double progress = progress_probe(j);
    const CheckpointPlan plan = checkpoint_plan(j);
    // Work survives only up to the last checkpoint of this run (none: back to the last save).
    double kept = 0;
    if (plan.writes()) {
        // Time and work differ by the writes: the checkpoints completed by now keep theirs.
        kept = std::min(progress, plan.checkpointed_compute_s(elapsed_probe(j)) * j.gpus * sf);
    } else if (plan.interval_s > 0) {
        const double ran_s = progress / (j.gpus * sf);
        kept = std::floor(ran_s / plan.interval_s) * plan.interval_s * j.gpus * sf;
        kept = std::min(kept, progress);
    }
    return progress - kept;
}

void SchedulerState::interrupt(JobId id, bool planned) {
    Job& j = job(id);
    if (j.status != JobStatus::running) {
        throw std::logic_error("job " + std::to_string(id) + " interrupted while " +
                               to_string(j.status));
    }
    ClassState& c = cls(j.cls);
    const double progress = progress_probe(j);
    // A planned stop writes a checkpoint first: nothing is lost but the restart.
    const double lost = planned ? 0.0 : preemption_loss_ref_gpu_s(j);
    if (run_ended)
        run_ended(j, RunEnd::interrupted, lost);
    j.faults.lost_ref_gpu_s += lost;
    j.saved_ref_gpu_s += progress - lost;
    j.restart_overhead_s = c.spec->batch.restart_cost_s;
    j.faults.interruptions += 1;
    j.faults.restart_after_failure = true;
    requeue(j, c);
}

SchedulerState::FailureOutcome SchedulerState::fail_nodes(const FailureEvent& event) {
    FailureOutcome out;
    std::vector<int> nodes = failures.nodes_of(event, fleet);
    // A pool out of the fleet (not yet online, or retired) is not the lab's to fail.
    std::erase_if(nodes, [&](int node) { return !fleet.owned(fleet.node_pool(node)); });
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    failures.events_ += 1;
    // The batch jobs with a GPU on a failing node, in job order (a gang on two failing nodes
    // once).
    if (!running_on_node_.empty()) {
        for (int node : nodes) {
            const auto& on = running_on_node_[static_cast<std::size_t>(node)];
            out.interrupted.insert(out.interrupted.end(), on.begin(), on.end());
        }
    }
    std::sort(out.interrupted.begin(), out.interrupted.end());
    out.interrupted.erase(std::unique(out.interrupted.begin(), out.interrupted.end()),
                          out.interrupted.end());
    for (JobId id : out.interrupted)
        interrupt(id, event.cause == FailureCause::maintenance);
    for (auto& c : classes) {
        if (c.kind != Kind::service)
            continue;
        for (int node : nodes) {
            const int pool = fleet.node_pool(node);
            Allocation& held = c.service_alloc[static_cast<std::size_t>(pool)];
            if (held.gpus == 0)
                continue;
            const int lost = fleet.drop_node(held, node);
            if (lost > 0) {
                unhold(c, pool, lost, 0);
                failures.service_lost(c.id, lost * c.speed(pool));
            }
        }
    }
    const double up_at = now_s + event.duration_s;
    for (int node : nodes) {
        if (failures.mark_down(node, up_at, fleet.topology().rack_of(node), now_s)) {
            fleet.take_down(node);
            out.nodes_down.push_back(node);
        }
    }
    return out;
}

std::vector<int> SchedulerState::repair_nodes() {
    std::vector<int> up = failures.take_repairs(now_s);
    // A node whose pool was retired while it was down left the fleet then.
    std::erase_if(up, [&](int node) { return !fleet.is_down(node); });
    for (int node : up)
        fleet.bring_up(node);
    return up;
}

std::vector<JobId> SchedulerState::retire_pool(int pool) {
    std::vector<JobId> moved;
    for (const auto& c : classes) {
        if (c.kind != Kind::batch)
            continue;
        for (JobId id : c.running) {
            if (job(id).alloc.pool == pool)
                moved.push_back(id);
        }
    }
    std::sort(moved.begin(), moved.end());
    const bool keeps_work = fleet.pool(pool).retire_keeps_work;
    for (JobId id : moved) {
        // on_retire: migrate, a planned stop: the job writes a checkpoint first and keeps all
        // its work. on_retire: preempt: it keeps the work of its last checkpoint, as a policy's
        // preemption. Either way it pays its restart cost at its next start and goes back to
        // its queue in its original position. Counted as a preemption, preemptible class or
        // not: the run was stopped by a decision, not a failure.
        Job& j = job(id);
        ClassState& c = cls(j.cls);
        const double progress = progress_probe(j);
        const double lost = keeps_work ? 0.0 : preemption_loss_ref_gpu_s(j);
        if (run_ended)
            run_ended(j, RunEnd::preempted, lost);
        j.lost_ref_gpu_s += lost;
        j.saved_ref_gpu_s += progress - lost;
        j.restart_overhead_s = c.spec->batch.restart_cost_s;
        j.preemptions += 1;
        requeue(j, c);
    }
    for (auto& c : classes) {
        if (c.kind == Kind::service) {
            const Allocation& held = c.service_alloc[static_cast<std::size_t>(pool)];
            if (held.gpus > 0)
                set_service_gpus(c.id, pool, 0);
        }
    }
    fleet.retire_pool(pool);
    return moved;
}

void SchedulerState::commission_pool(int pool) {
    fleet.commission_pool(pool);
}

void SchedulerState::complete(JobId id) {
    Job& j = job(id);
    if (j.status != JobStatus::running) {
        throw std::logic_error("job " + std::to_string(id) + " completed while " +
                               to_string(j.status));
    }
    ClassState& c = cls(j.cls);
    if (run_ended)
        run_ended(j, RunEnd::completed, 0);
    unindex_running(j);
    fleet.release(j.alloc);
    unhold(c, j.alloc.pool, j.gpus, j.value_usd_per_ref_gpu_h);
    j.saved_ref_gpu_s = j.work_ref_gpu_s;
    j.status = JobStatus::completed;
    j.end_s = now_s;
    c.running_jobs -= 1;
    c.running.erase(id);
}

ClassState& SchedulerState::resizable(ClassId id, int pool, int gpus) {
    ClassState& c = cls(id);
    if (c.kind != Kind::service)
        throw std::logic_error("set_service_gpus on batch class " + c.name);
    if (gpus < 0)
        throw std::logic_error("negative service GPUs for " + c.name);
    if (std::find(c.pools.begin(), c.pools.end(), pool) == c.pools.end()) {
        throw std::logic_error("service " + c.name + " given GPUs in a pool it may not use");
    }
    return c;
}

bool SchedulerState::set_service_gpus(ClassId id, int pool, int gpus) {
    ClassState& c = resizable(id, pool, gpus);
    Allocation& held = c.service_alloc[static_cast<std::size_t>(pool)];
    const int delta = gpus - held.gpus;
    if (delta > 0) {
        if (!fleet.grow(held, pool, delta))
            return false;
        hold(c, pool, delta, 0);
        if (failures.enabled())
            failures.service_grew(id, delta * c.speed(pool));
    } else if (delta < 0) {
        fleet.shrink(held, -delta);
        unhold(c, pool, -delta, 0);
        if (failures.enabled())
            failures.service_shrank(id);
    }
    return true;
}

bool SchedulerState::set_service_parts(ClassId id,
                                       int pool,
                                       const std::vector<std::pair<int, int>>& parts) {
    int gpus = 0;
    for (const auto& part : parts)
        gpus += part.second;
    ClassState& c = resizable(id, pool, gpus);
    Allocation& held = c.service_alloc[static_cast<std::size_t>(pool)];
    const int before = held.gpus;
    if (!fleet.reshape(held, pool, parts))
        return false;
    if (gpus > before)
        hold(c, pool, gpus - before, 0);
    else if (gpus < before)
        unhold(c, pool, before - gpus, 0);
    return true;
}

std::vector<double> SchedulerState::shadow_prices_usd_per_gpu_h() const {
    std::vector<double> best(static_cast<std::size_t>(fleet.pool_count()), 0);
    for (const auto& c : classes) {
        const double rate = c.waiting_rate_usd_per_ref_gpu_h(tick_s);
        if (rate <= 0)
            continue;
        for (int p : c.pools) {
            auto& b = best[static_cast<std::size_t>(p)];
            b = std::max(b, rate * c.speed(p));
        }
    }
    return best;
}

double SchedulerState::shadow_price_usd_per_ref_gpu_h() const {
    double best = 0;
    for (const auto& c : classes)
        best = std::max(best, c.waiting_rate_usd_per_ref_gpu_h(tick_s));
    return best;
}

bool Decisions::start(JobId id, int pool) {
    if (pool < 0)
        pool = state_.pool_that_fits(state_.job(id));
    if (pool < 0)
        return false;
    if (!state_.start(id, pool))
        return false;
    actions_.emplace_back(Action::start, id);
    changed({Change::What::start, id, -1, pool});
    return true;
}

bool Decisions::start_on(JobId id, int pool, const std::vector<std::pair<int, int>>& parts) {
    if (!state_.start_on(id, pool, parts))
        return false;
    actions_.emplace_back(Action::start, id);
    changed({Change::What::start, id, -1, pool});
    return true;
}

void Decisions::preempt(JobId id) {
    const int pool = state_.job(id).alloc.pool;
    state_.preempt(id);
    actions_.emplace_back(Action::preempt, id);
    changed({Change::What::preempt, id, -1, pool});
}

void Decisions::reject(JobId id, const std::string& reason) {
    state_.reject(id, reason);
    actions_.emplace_back(Action::reject, id);
    changed({Change::What::reject, id, -1, -1});
}

bool Decisions::set_service_gpus(ClassId service, int pool, int gpus) {
    // An unknown pool is refused by the state (a logic_error) before `before` is used.
    const auto& held = state_.cls(service).held_by_pool;
    const int before = pool >= 0 && pool < static_cast<int>(held.size())
                           ? held[static_cast<std::size_t>(pool)]
                           : -1;
    if (!state_.set_service_gpus(service, pool, gpus))
        return false;
    if (gpus != before)
        changed({Change::What::service, -1, service, pool});
    return true;
}

bool Decisions::set_service_parts(ClassId service,
                                  int pool,
                                  const std::vector<std::pair<int, int>>& parts) {
    if (!state_.set_service_parts(service, pool, parts))
        return false;
    changed({Change::What::service, -1, service, pool});
    return true;
}

}  // namespace fleetsim
