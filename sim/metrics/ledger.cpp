#include "sim/metrics/ledger.hpp"

#include <algorithm>
#include <cmath>

namespace fleetsim {

Ledger::Ledger(const ScenarioSpec& scenario, const SchedulerState& state)
    : scenario_(scenario),
      interval_s_(scenario.output.timeseries_interval_s),
      pool_count_(static_cast<std::size_t>(state.fleet.pool_count())) {
    classes_.resize(state.classes.size());
    ticks_.resize(state.classes.size());
    for (auto& t : ticks_)
        t.held_gpu_s_by_pool.assign(static_cast<std::size_t>(state.fleet.pool_count()), 0);
}

IntervalRow& Ledger::interval_at(double t_s) {
    auto k = static_cast<std::size_t>(std::floor(t_s / interval_s_ + 1e-9));
    // What happens at the horizon (credit for work in progress, a completion at the last
    // instant) belongs to the last row: a row starting at the horizon has no length and is
    // never written, so anything booked there vanished from timeseries.csv.
    const auto rows = static_cast<std::size_t>(std::ceil(scenario_.horizon_s / interval_s_ - 1e-9));
    k = std::min(k, std::max<std::size_t>(rows, 1) - 1);
    while (intervals_.size() <= k) {
        IntervalRow row;
        row.t_s = static_cast<double>(intervals_.size()) * interval_s_;
        row.length_s = std::min(interval_s_, scenario_.horizon_s - row.t_s);
        row.classes.resize(classes_.size());
        row.pools.resize(pool_count_);
        intervals_.push_back(std::move(row));
    }
    return intervals_[k];
}

namespace {

/** The fleet's shadow price: λ_p averaged over the fleet's GPUs (docs/metrics.md). */
double fleet_shadow_price(const SchedulerState& state, const std::vector<double>& pool_shadow) {
    // Weights G_p / G as fractions: on one pool the weight is exactly 1 and the fleet's price
    // is that pool's, bit for bit. Over the GPUs owned now (a fleet that changes over time).
    const double gpus = state.fleet.owned_gpus();
    if (!(gpus > 0))
        return 0;
    double shadow = 0;
    for (int p = 0; p < state.fleet.pool_count(); ++p)
        shadow += state.fleet.owned_gpus(p) / gpus * pool_shadow[static_cast<std::size_t>(p)];
    return shadow;
}

}  // namespace

void Ledger::advance(const SchedulerState& state,
                     double t_s,
                     const std::vector<double>& pool_shadow) {
    const double shadow = fleet_shadow_price(state, pool_shadow);
    while (last_t_s_ < t_s) {
        // Integrate interval by interval so that every row gets its own share.
        IntervalRow& row = interval_at(last_t_s_);
        const double seg_end = std::min(t_s, row.t_s + interval_s_);
        const double dt = seg_end - last_t_s_;
        if (dt <= 0)
            break;
        row.shadow_price_x_s += shadow * dt;
        owned_gpu_s_ += state.fleet.owned_gpus() * dt;
        for (int p = 0; p < state.fleet.pool_count(); ++p) {
            IntervalPoolRow& pr = row.pools[static_cast<std::size_t>(p)];
            pr.gpu_s += state.fleet.owned_gpus(p) * dt;
            pr.shadow_price_x_s += pool_shadow[static_cast<std::size_t>(p)] * dt;
        }
        for (const auto& c : state.classes) {
            ClassBook& book = classes_[static_cast<std::size_t>(c.id)];
            IntervalClassRow& cr = row.classes[static_cast<std::size_t>(c.id)];
            if (c.kind == Kind::batch) {
                for (int p = 0; p < state.fleet.pool_count(); ++p) {
                    const int held = c.held_by_pool[static_cast<std::size_t>(p)];
                    if (held == 0)
                        continue;
                    const auto& cost = state.fleet.pool(p).cost;
                    const double gs = held * dt;
                    const double energy = gs * cost.power_busy_w;
                    book.held_gpu_s += gs;
                    book.busy_gpu_s += gs;
                    book.energy_it_j += energy;
                    book.energy_facility_j += energy * cost.pue;
                    book.cost_usd += gs * cost.fixed_usd_per_gpu_s + energy * cost.energy_usd_per_j;
                    cr.held_gpu_s += gs;
                    cr.busy_gpu_s += gs;
                    row.pools[static_cast<std::size_t>(p)].busy_gpu_s += gs;
                }
                // Opportunity cost per pool: the GPU-hours a job holds in p times λ_p less its
                // own revenue per GPU-hour there (value per reference GPU-hour x its speed in
                // p), counted in reference GPU-hours against λ_p / speed.
                double oc = 0;
                for (int p = 0; p < state.fleet.pool_count(); ++p) {
                    const auto& by_rate = c.running_eff_by_pool[static_cast<std::size_t>(p)];
                    if (by_rate.empty())
                        continue;
                    const double lambda = pool_shadow[static_cast<std::size_t>(p)] / c.speed(p);
                    for (const auto& [rate, eff] : by_rate) {
                        if (rate >= lambda)
                            break;  // ordered by rate
                        oc += eff * dt * (lambda - rate) / 3600.0;
                    }
                }
                book.opportunity_cost_usd += oc;
                cr.opportunity_cost_usd += oc;
                book.waiting_job_s += static_cast<double>(c.waiting.size()) * dt;
                book.in_system_job_s +=
                    static_cast<double>(c.waiting.size() +
                                        static_cast<std::size_t>(c.running_jobs)) *
                    dt;
            } else {
                TickAccumulator& tick = ticks_[static_cast<std::size_t>(c.id)];
                for (int p = 0; p < state.fleet.pool_count(); ++p) {
                    const int held = c.held_by_pool[static_cast<std::size_t>(p)];
                    if (held == 0)
                        continue;
                    tick.held_gpu_s_by_pool[static_cast<std::size_t>(p)] += held * dt;
                    book.held_gpu_s += held * dt;
                    cr.held_gpu_s += held * dt;
                    // Each pool's shadow price in reference units of this class's work.
                    tick.eff_s_by_shadow[pool_shadow[static_cast<std::size_t>(p)] / c.speed(p)] +=
                        held * c.speed(p) * dt;
                }
                if (c.held_eff > 0)
                    tick.held_eff_s += c.held_eff * dt;
            }
        }
        for (int p = 0; p < state.fleet.pool_count(); ++p) {
            const int free = state.fleet.free_gpus(p);
            if (free == 0)
                continue;
            const auto& cost = state.fleet.pool(p).cost;
            const double gs = free * dt;
            const double energy = gs * cost.power_idle_w;
            unallocated_gpu_s_ += gs;
            unallocated_energy_it_j_ += energy;
            unallocated_energy_facility_j_ += energy * cost.pue;
            unallocated_cost_usd_ += gs * cost.fixed_usd_per_gpu_s + energy * cost.energy_usd_per_j;
        }
        if (state.failures.enabled())
            advance_faults(state, row, dt);
        last_t_s_ = seg_end;
    }
}

void Ledger::advance_faults(const SchedulerState& state, IntervalRow& row, double dt) {
    // Down GPUs are owned: capex, overhead and subsidy go on; a node that is off draws nothing.
    for (int p = 0; p < state.fleet.pool_count(); ++p) {
        const int down = state.fleet.down_gpus(p);
        if (down == 0)
            continue;
        const double gs = down * dt;
        down_gpu_s_ += gs;
        row.down_gpu_s += gs;
        down_cost_usd_ += gs * state.fleet.pool(p).cost.fixed_usd_per_gpu_s;
    }
    for (const auto& c : state.classes) {
        if (c.kind == Kind::service)
            ticks_[static_cast<std::size_t>(c.id)].deficit_eff_s +=
                state.failures.service_deficit_ref_gpus(c.id) * dt;
    }
}

IntervalClassRow& Ledger::row_now(ClassId cls) {
    return interval_at(std::min(last_t_s_, scenario_.horizon_s * (1 - 1e-12)))
        .classes[static_cast<std::size_t>(cls)];
}

void Ledger::on_run_end(const SchedulerState& state,
                        const Job& j,
                        RunEnd why,
                        double lost_ref_gpu_s) {
    ClassBook& book = classes_[static_cast<std::size_t>(j.cls)];
    FaultBook& row = row_now(j.cls).faults;
    const double sf = state.cls(j.cls).speed(j.alloc.pool);
    const double rate_per_ref_gpu_s = j.value_usd_per_ref_gpu_h / 3600.0;
    auto book_both = [&](double FaultBook::*figure, double value) {
        book.faults.*figure += value;
        row.*figure += value;
    };
    // The run's GPU time: its restart overhead first, then compute and checkpoint writes.
    const double wall = std::max(0.0, state.now_s - j.start_s);
    const double overhead = std::min(j.run_overhead_s, wall);
    const CheckpointPlan plan = state.checkpoint_plan(j);
    if (plan.writes()) {
        const double rest = wall - overhead;
        book_both(&FaultBook::checkpoint_gpu_s, (rest - plan.compute_s(rest)) * j.gpus);
    }
    if (j.faults.run_after_failure && overhead > 0) {
        book_both(&FaultBook::restart_gpu_s, overhead * j.gpus);
        book_both(&FaultBook::revenue_lost_usd, overhead * j.gpus * sf * rate_per_ref_gpu_s);
    }
    if (why == RunEnd::interrupted) {
        book.faults.interruptions += 1;
        row.interruptions += 1;
        book_both(&FaultBook::lost_work_ref_gpu_s, lost_ref_gpu_s);
        book_both(&FaultBook::revenue_lost_usd, lost_ref_gpu_s * rate_per_ref_gpu_s);
    }
    // Effective time: the compute of this run whose work was kept.
    const double progress =
        why == RunEnd::completed ? j.remaining_ref_gpu_s() : state.progress_probe(j);
    book.advanced_gpu_s += (progress - lost_ref_gpu_s) / sf;
}

void Ledger::settle_services(SchedulerState& state, double t_s) {
    for (auto& c : state.classes) {
        if (c.kind != Kind::service)
            continue;
        const ServiceSpec& s = c.spec->service;
        ClassBook& book = classes_[static_cast<std::size_t>(c.id)];
        TickAccumulator& tick = ticks_[static_cast<std::size_t>(c.id)];
        const double t0 = tick.t0_s;
        const double span = t_s - t0;
        if (span <= 0)
            continue;
        IntervalRow& row = interval_at(t0);
        IntervalClassRow& cr = row.classes[static_cast<std::size_t>(c.id)];

        const double demand = s.demand_units_per_s * c.profile.integral(t0, t_s);
        book.demand_units += demand;
        cr.demand_units += demand;

        // Fluid FIFO: capacity serves the oldest waiting demand first, then this tick's.
        double capacity = tick.held_eff_s * s.max_utilization / s.gpu_s_per_unit;
        double served = 0;
        for (auto& bucket : tick.backlog) {
            const double take = std::min(capacity, bucket.units);
            if (take <= 0)
                continue;
            served += take;
            capacity -= take;
            bucket.units -= take;
            book.unit_waits_s[t0 - bucket.t0_s] += take;
        }
        std::erase_if(tick.backlog, [](const DemandBucket& b) { return b.units <= 1e-12; });
        const double fresh = std::min(capacity, demand);
        served += fresh;
        if (fresh > 0)
            book.unit_waits_s[0] += fresh;
        if (demand - fresh > 1e-12)
            tick.backlog.push_back({t0, demand - fresh});
        // Demand that could not be served by the end of the next tick within its SLO is lost.
        double lost = 0;
        std::erase_if(tick.backlog, [&](const DemandBucket& b) {
            if ((t_s + span) - b.t0_s <= s.slo_s + 1e-9)
                return false;
            lost += b.units;
            return true;
        });
        c.backlog_units = 0;
        for (const auto& b : tick.backlog)
            c.backlog_units += b.units;
        book.lost_units += lost;
        book.served_units += served;
        cr.served_units += served;

        const double revenue = served * (s.price_usd_per_unit + s.ad_revenue_usd_per_unit);
        book.revenue_usd += revenue;
        cr.revenue_usd += revenue;
        if (tick.deficit_eff_s > 0) {
            // Failures cost a service the demand it dropped for want of the GPUs they took:
            // at most what those GPUs would have served over the tick.
            const double capacity_lost = tick.deficit_eff_s * s.max_utilization / s.gpu_s_per_unit;
            const double revenue_lost =
                std::min(capacity_lost, lost) * (s.price_usd_per_unit + s.ad_revenue_usd_per_unit);
            book.faults.revenue_lost_usd += revenue_lost;
            cr.faults.revenue_lost_usd += revenue_lost;
            tick.deficit_eff_s = 0;
        }

        // Busy GPU-seconds are spread over pools in proportion to the capacity each provided.
        const double busy_ref_s = served * s.gpu_s_per_unit;
        for (int p = 0; p < state.fleet.pool_count(); ++p) {
            const double held_s = tick.held_gpu_s_by_pool[static_cast<std::size_t>(p)];
            if (held_s <= 0)
                continue;
            const auto& cost = state.fleet.pool(p).cost;
            const double busy = std::min(held_s, busy_ref_s * held_s / tick.held_eff_s);
            const double energy = busy * cost.power_busy_w + (held_s - busy) * cost.power_idle_w;
            book.busy_gpu_s += busy;
            book.energy_it_j += energy;
            book.energy_facility_j += energy * cost.pue;
            book.cost_usd += held_s * cost.fixed_usd_per_gpu_s + energy * cost.energy_usd_per_j;
            cr.busy_gpu_s += busy;
            row.pools[static_cast<std::size_t>(p)].busy_gpu_s += busy;
            allocated_idle_gpu_s_ += held_s - busy;
        }
        // Opportunity cost: the class's own revenue per reference GPU-hour over this tick
        // against the shadow price of the pool it held, at each moment it held GPUs there
        // (design.md section 3: Σ_p GPU-hours in p x max(0, λ_p - own revenue per GPU-hour
        // in p), both sides divided by the class's speed in p).
        if (tick.held_eff_s > 0) {
            const double own_rate = revenue / (tick.held_eff_s / 3600.0);
            double oc = 0;
            for (const auto& [shadow, eff_s] : tick.eff_s_by_shadow) {
                if (shadow > own_rate)
                    oc += eff_s * (shadow - own_rate) / 3600.0;
            }
            book.opportunity_cost_usd += oc;
            cr.opportunity_cost_usd += oc;
        }
        std::fill(tick.held_gpu_s_by_pool.begin(), tick.held_gpu_s_by_pool.end(), 0.0);
        tick.held_eff_s = 0;
        tick.eff_s_by_shadow.clear();
        tick.t0_s = t_s;
    }
}

void Ledger::credit(Job& job, double delivered_ref_gpu_s) {
    const double fresh = delivered_ref_gpu_s - job.credited_ref_gpu_s;
    if (fresh <= 0)
        return;
    job.credited_ref_gpu_s = delivered_ref_gpu_s;
    ClassBook& book = classes_[static_cast<std::size_t>(job.cls)];
    IntervalClassRow& cr = interval_at(std::min(last_t_s_, scenario_.horizon_s * (1 - 1e-12)))
                               .classes[static_cast<std::size_t>(job.cls)];
    book.served_units += fresh / 3600.0;
    cr.served_units += fresh / 3600.0;
    if (job.value_usd_per_job <= 0) {
        const double revenue = fresh / 3600.0 * job.value_usd_per_ref_gpu_h;
        book.revenue_usd += revenue;
        cr.revenue_usd += revenue;
    }
}

void Ledger::on_submit(const Job& job) {
    ClassBook& book = classes_[static_cast<std::size_t>(job.cls)];
    book.jobs_submitted += 1;
    book.demand_units += job.work_ref_gpu_s / 3600.0;
    interval_at(job.submit_s).classes[static_cast<std::size_t>(job.cls)].demand_units +=
        job.work_ref_gpu_s / 3600.0;
}

void Ledger::on_reject(const Job& job) {
    classes_[static_cast<std::size_t>(job.cls)].jobs_rejected += 1;
}

void Ledger::on_start(const Job& job, double now_s) {
    if (job.first_start_s == now_s && job.preemptions == 0) {
        classes_[static_cast<std::size_t>(job.cls)].job_waits_s.push_back(now_s - job.submit_s);
    }
}

void Ledger::on_complete(Job& job) {
    ClassBook& book = classes_[static_cast<std::size_t>(job.cls)];
    book.jobs_completed += 1;
    credit(job, job.work_ref_gpu_s);
    if (job.value_usd_per_job > 0) {
        book.revenue_usd += job.value_usd_per_job;
        interval_at(std::min(last_t_s_, scenario_.horizon_s * (1 - 1e-12)))
            .classes[static_cast<std::size_t>(job.cls)]
            .revenue_usd += job.value_usd_per_job;
    }
}

void Ledger::on_preempt(const Job& job) {
    ClassBook& book = classes_[static_cast<std::size_t>(job.cls)];
    book.preemptions += 1;
    book.lost_work_gpu_h = 0;  // recomputed in finish() from the jobs themselves
}

void Ledger::finish(SchedulerState& state, double horizon_s) {
    for (auto& j : state.jobs) {
        ClassBook& book = classes_[static_cast<std::size_t>(j.cls)];
        if (j.status == JobStatus::running) {
            on_run_end(state, j, RunEnd::horizon, 0);
            // Work in progress is delivered work when the class is paid per GPU-hour.
            credit(j, j.saved_ref_gpu_s + state.progress_probe(j));
            j.status = JobStatus::running_at_end;
        } else if (j.status == JobStatus::waiting) {
            j.status = JobStatus::waiting_at_end;
        }
        book.lost_work_gpu_h += j.lost_ref_gpu_s / 3600.0;
        if (j.first_start_s >= 0)
            book.span_gpu_s += j.gpus * ((j.end_s >= 0 ? j.end_s : horizon_s) - j.first_start_s);
    }
}

}  // namespace fleetsim
