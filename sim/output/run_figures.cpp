#include "sim/output/run_figures.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace fleetsim {
namespace {

/** Nearest-rank percentile of sorted values. */
double percentile_sorted(const std::vector<double>& sorted, double q) {
    const auto n = sorted.size();
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(n)));
    rank = std::clamp<std::size_t>(rank, 1, n);
    return sorted[rank - 1];
}

/** Weighted nearest-rank percentile over (value -> weight), values ascending. */
double percentile_weighted(const std::map<double, double>& weights, double total, double q) {
    double seen = 0;
    for (const auto& [v, w] : weights) {
        seen += w;
        if (seen >= q * total - 1e-12)
            return v;
    }
    return weights.rbegin()->first;
}

ClassFailureFigures class_failure_figures(const ClassBook& b, Kind kind) {
    ClassFailureFigures out;
    out.interruptions = b.faults.interruptions;
    out.failure_lost_work_gpu_h = b.faults.lost_work_ref_gpu_s / 3600.0;
    out.restart_gpu_h = b.faults.restart_gpu_s / 3600.0;
    out.checkpoint_gpu_h = b.faults.checkpoint_gpu_s / 3600.0;
    out.revenue_lost_usd = b.faults.revenue_lost_usd;
    if (kind == Kind::batch && b.span_gpu_s > 0)
        out.effective_time_fraction = b.advanced_gpu_s / b.span_gpu_s;
    return out;
}

/** fleet.failures: the events, the down GPU-hours and what they cost, the classes' sums. */
FleetFailureFigures fleet_failure_figures(const RunResult& result,
                                          const std::vector<ClassFigures>& classes) {
    FleetFailureFigures out;
    out.failures = result.state->failures.events();
    out.node_failures = static_cast<long long>(result.failures.size());
    out.gpu_h_down = result.ledger->down_gpu_s() / 3600.0;
    out.down_cost_usd = result.ledger->down_cost_usd();
    for (const auto& c : classes) {
        const ClassFailureFigures& f = *c.failures;
        out.interruptions += f.interruptions;
        out.failure_lost_work_gpu_h += f.failure_lost_work_gpu_h;
        out.restart_gpu_h += f.restart_gpu_h;
        out.checkpoint_gpu_h += f.checkpoint_gpu_h;
        out.revenue_lost_usd += f.revenue_lost_usd;
    }
    return out;
}

/** The figures of a class replayed from a job log: counts, and simulated beside recorded waits. */
JobTraceFigures job_trace_figures(const BatchSpec& b,
                                  const SchedulerState& state,
                                  ClassId cls,
                                  long long submitted) {
    const JobTraceScan& scan = b.trace_scan;
    JobTraceFigures t;
    t.format = to_string(b.trace->format);
    t.path = b.trace->path;
    t.rows = scan.rows;
    t.jobs_matched = scan.matched;
    t.jobs_capped = scan.capped;
    t.cap_gpus = scan.cap_gpus;
    t.jobs_dropped_unknown = scan.dropped_unknown;
    t.jobs_dropped_zero_run = scan.dropped_zero_run;
    t.jobs_dropped_oversize = scan.dropped_oversize;
    t.jobs_not_submitted = scan.replayable() - submitted;
    // Over the same jobs: those that started and whose wait the log recorded.
    std::vector<double> simulated, recorded;
    for (const auto& j : state.jobs) {
        if (j.cls != cls || j.recorded_wait_s < 0 || j.first_start_s < 0)
            continue;
        simulated.push_back(j.first_start_s - j.submit_s);
        recorded.push_back(j.recorded_wait_s);
    }
    t.jobs_compared = static_cast<long long>(simulated.size());
    if (simulated.empty())
        return t;
    auto mean = [](const std::vector<double>& v) {
        double sum = 0;
        for (double x : v)
            sum += x;
        return sum / static_cast<double>(v.size());
    };
    t.wait_s_mean = mean(simulated);
    t.recorded_wait_s_mean = mean(recorded);
    std::sort(simulated.begin(), simulated.end());
    std::sort(recorded.begin(), recorded.end());
    t.wait_s_p50 = percentile_sorted(simulated, 0.50);
    t.wait_s_p90 = percentile_sorted(simulated, 0.90);
    t.recorded_wait_s_p50 = percentile_sorted(recorded, 0.50);
    t.recorded_wait_s_p90 = percentile_sorted(recorded, 0.90);
    return t;
}

RequestTraceFigures request_trace_figures(const ServiceSpec& s) {
    RequestTraceFigures t;
    t.format = to_string(s.trace->format);
    t.path = s.trace->path;
    t.requests = s.trace_scan.requests;
    t.input_tokens = s.trace_scan.input_tokens;
    t.output_tokens = s.trace_scan.output_tokens;
    t.window_s = s.trace_scan.period_s;
    t.repeat = s.trace->repeat;
    t.demand_units_per_s = s.demand_units_per_s;
    return t;
}

}  // namespace

RunSummary compute_figures(const ScenarioSpec& scenario,
                           const RunResult& result,
                           std::optional<double> bound_revenue_usd) {
    const SchedulerState& state = *result.state;
    const Ledger& ledger = *result.ledger;
    RunSummary f;
    f.scenario = scenario.name;
    f.policy = scenario.policy.name;
    f.seed = scenario.seed;
    f.horizon_s = scenario.horizon_s;
    f.events = result.events;
    f.version = fleetsim_version();
    FleetFigures& fleet = f.fleet;
    RunTotals& totals = f.totals;
    fleet.gpus = state.fleet.total_gpus();
    // Capacity is owned GPU-hours: a pool counts only while it is online and not retired.
    fleet.gpu_h_capacity = scenario.platform.fleet_changes()
                               ? ledger.owned_gpu_s() / 3600.0
                               : fleet.gpus * scenario.horizon_s / 3600.0;

    std::vector<long long> running_at_end(state.classes.size(), 0),
        waiting_at_end(state.classes.size(), 0);
    for (const auto& j : state.jobs) {
        if (j.status == JobStatus::running_at_end)
            running_at_end[static_cast<std::size_t>(j.cls)] += 1;
        if (j.status == JobStatus::waiting_at_end)
            waiting_at_end[static_cast<std::size_t>(j.cls)] += 1;
    }

    double busy_s = 0, held_s = 0, energy_j = 0;
    for (const auto& c : state.classes) {
        const ClassBook& b = ledger.classes()[static_cast<std::size_t>(c.id)];
        ClassFigures cf;
        cf.name = c.name;
        cf.family = to_string(c.family);
        cf.kind = to_string(c.kind);
        cf.unit =
            c.kind == Kind::service ? c.spec->service.unit : "GPU-hour of work (reference GPU)";
        cf.gpu_h = b.held_gpu_s / 3600.0;
        cf.busy_gpu_h = b.busy_gpu_s / 3600.0;
        cf.revenue_usd = b.revenue_usd;
        cf.cost_usd = b.cost_usd;
        cf.profit_usd = b.revenue_usd - b.cost_usd;
        if (cf.gpu_h > 0)
            cf.revenue_usd_per_gpu_h = cf.revenue_usd / cf.gpu_h;
        cf.opportunity_cost_usd = b.opportunity_cost_usd;
        cf.energy_kwh = b.energy_facility_j / 3.6e6;
        cf.demand_units = b.demand_units;
        cf.served_units = b.served_units;
        cf.lost_units = b.lost_units;
        if (b.demand_units > 0)
            cf.served_fraction = std::min(1.0, b.served_units / b.demand_units);
        cf.jobs_submitted = b.jobs_submitted;
        cf.jobs_completed = b.jobs_completed;
        cf.jobs_rejected = b.jobs_rejected;
        cf.jobs_running_at_end = running_at_end[static_cast<std::size_t>(c.id)];
        cf.jobs_waiting_at_end = waiting_at_end[static_cast<std::size_t>(c.id)];
        cf.preemptions = b.preemptions;
        cf.lost_work_gpu_h = b.lost_work_gpu_h;
        if (c.kind == Kind::batch) {
            cf.queue_len_mean = b.waiting_job_s / scenario.horizon_s;
            cf.jobs_in_system_mean = b.in_system_job_s / scenario.horizon_s;
            if (!b.job_waits_s.empty()) {
                std::vector<double> w = b.job_waits_s;
                std::sort(w.begin(), w.end());
                double sum = 0;
                for (double x : w)
                    sum += x;
                cf.wait_s_mean = sum / static_cast<double>(w.size());
                cf.wait_s_p50 = percentile_sorted(w, 0.50);
                cf.wait_s_p99 = percentile_sorted(w, 0.99);
            }
        } else if (!b.unit_waits_s.empty()) {
            double total = 0, sum = 0;
            for (const auto& [wait, units] : b.unit_waits_s) {
                total += units;
                sum += wait * units;
            }
            if (total > 0) {
                cf.wait_s_mean = sum / total;
                cf.wait_s_p50 = percentile_weighted(b.unit_waits_s, total, 0.50);
                cf.wait_s_p99 = percentile_weighted(b.unit_waits_s, total, 0.99);
            }
        }
        if (scenario.platform.failures.enabled())
            cf.failures = class_failure_figures(b, c.kind);
        if (c.kind == Kind::batch && c.spec->batch.trace)
            cf.job_trace = job_trace_figures(c.spec->batch, state, c.id, b.jobs_submitted);
        if (c.kind == Kind::service && c.spec->service.trace)
            cf.request_trace = request_trace_figures(c.spec->service);
        busy_s += b.busy_gpu_s;
        held_s += b.held_gpu_s;
        energy_j += b.energy_it_j;
        totals.revenue_usd += cf.revenue_usd;
        totals.cost_usd += cf.cost_usd;
        totals.opportunity_cost_usd += cf.opportunity_cost_usd;
        f.classes.push_back(cf);
    }
    f.families = family_figures(f.classes);
    fleet.gpu_h_busy = busy_s / 3600.0;
    // Idle is integrated on its own (unallocated GPUs + allocated GPUs a service left idle),
    // so busy + idle = capacity checks the books rather than defining idle by subtraction.
    fleet.gpu_h_idle = (ledger.unallocated_gpu_s() + ledger.allocated_idle_gpu_s()) / 3600.0;
    fleet.gpu_h_allocated = held_s / 3600.0;
    fleet.gpu_h_unallocated = ledger.unallocated_gpu_s() / 3600.0;
    fleet.utilization = fleet.gpu_h_capacity > 0 ? fleet.gpu_h_busy / fleet.gpu_h_capacity : 0;
    totals.idle_cost_usd = ledger.unallocated_cost_usd();
    totals.cost_usd += totals.idle_cost_usd;
    if (scenario.platform.failures.enabled()) {
        // Down GPUs are owned: their fixed cost is the fleet's, in no class's books.
        fleet.failures = fleet_failure_figures(result, f.classes);
        totals.cost_usd += fleet.failures->down_cost_usd;
    }
    totals.profit_usd = totals.revenue_usd - totals.cost_usd;
    fleet.idle_cost_usd = totals.idle_cost_usd;
    fleet.cost_usd = totals.cost_usd;
    fleet.energy_it_kwh = (energy_j + ledger.unallocated_energy_it_j()) / 3.6e6;
    double facility_j = ledger.unallocated_energy_facility_j();
    for (const auto& b : ledger.classes())
        facility_j += b.energy_facility_j;
    fleet.energy_kwh = facility_j / 3.6e6;
    if (result.energy_simgrid_it_j >= 0)
        fleet.energy_it_kwh_simgrid = result.energy_simgrid_it_j / 3.6e6;
    double shadow_x_s = 0;
    for (const auto& row : ledger.intervals())
        shadow_x_s += row.shadow_price_x_s;
    fleet.mean_shadow_price_usd_per_gpu_h =
        scenario.horizon_s > 0 ? shadow_x_s / scenario.horizon_s : 0;
    if (bound_revenue_usd) {
        BoundFigures& bound = f.bound.emplace();
        bound.revenue_usd = *bound_revenue_usd;
        if (*bound_revenue_usd > 0)
            bound.revenue_fraction = totals.revenue_usd / *bound_revenue_usd;
    }
    return f;
}

}  // namespace fleetsim
