#include "sim/bound/hindsight_bound.hpp"

#include "sim/bound/linear_programme.hpp"
#include "sim/generators/job_source.hpp"
#include "sim/generators/rate_profile.hpp"
#include "sim/model/fleet.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace fleetsim {
namespace {

/** Pool indices a class may use (all when it lists none), as SchedulerState resolves them. */
std::vector<int> class_pools(const Fleet& fleet, const WorkloadClassSpec& c) {
    std::vector<int> out;
    for (const auto& name : c.pools) {
        for (const auto& p : fleet.pools()) {
            if (p.name == name)
                out.push_back(p.index);
        }
    }
    if (out.empty()) {
        for (const auto& p : fleet.pools())
            out.push_back(p.index);
    }
    return out;
}

const char* const kRelaxations[] = {
    "GPUs are fluid within a pool and an interval: no gangs, nodes, fragmentation or placement",
    "batch jobs are divisible and get any share of work up to their gang at the fastest GPU of "
    "their class, from their arrival; no preemption loss, restart cost or checkpoints",
    "jobs paid per completed job earn their value in proportion to the work done",
    "service demand may be served in its arrival interval or in those up to slo_s + 2 x tick_s "
    "later, with no latency inside an interval",
};

/** The LP's time grid: K intervals of L seconds from 0 to the horizon (the last may be
    shorter). */
struct Intervals {
    double L = 0;
    int K = 0;
    double horizon_s = 0;
    double t0(int k) const { return k * L; }
    double t1(int k) const { return std::min((k + 1) * L, horizon_s); }
};

/** The grid of the options (default: the timeseries interval); it must be a whole number of
    ticks, since the relaxation of service demand counts in ticks. */
Intervals build_intervals(const ScenarioSpec& scenario, const BoundOptions& options) {
    const double L =
        options.interval_s > 0 ? options.interval_s : scenario.output.timeseries_interval_s;
    const double ratio = L / scenario.tick_s;
    if (std::fabs(ratio - std::round(ratio)) > 1e-9 || ratio < 1 - 1e-9) {
        std::ostringstream msg;
        msg << "expected the bound's LP interval to be a whole multiple of tick_s ("
            << scenario.tick_s << " s), found " << L << " s";
        throw InputError(SourceSpan{"<command line>", 0, 0}, "--interval-s", msg.str());
    }
    if (options.interval_s > 0 && L > scenario.horizon_s) {
        // One interval past the horizon leaves no grid to bound anything on.
        std::ostringstream msg;
        msg << "expected the bound's LP interval to be at most horizon_s (" << scenario.horizon_s
            << " s), found " << L << " s";
        throw InputError(SourceSpan{"<command line>", 0, 0}, "--interval-s", msg.str());
    }
    return {L, static_cast<int>(std::ceil(scenario.horizon_s / L - 1e-9)), scenario.horizon_s};
}

/**
 * The bound's LP, built in the order hindsight_bound() calls the steps: the capacity rows, the
 * GPU-hours each class holds and the work they do, the demand (services, then batch jobs), and
 * after solving, the figures read back from the solution.
 */
class BoundLp {
public:
    BoundLp(const ScenarioSpec& scenario, const Intervals& iv)
        : scenario_(scenario),
          classes_(scenario.workload.classes),
          iv_(iv),
          fleet_(scenario.platform),
          pools_(static_cast<std::size_t>(fleet_.pool_count())),
          cap_row_(pools_, std::vector<int>(static_cast<std::size_t>(iv.K))),
          cls_row_(classes_.size(), std::vector<int>(static_cast<std::size_t>(iv.K))),
          held_cols_(classes_.size()),
          revenue_cols_(classes_.size()) {}

    /** Capacity of every pool in every interval, in GPU-hours. */
    void add_capacity_rows() {
        for (std::size_t p = 0; p < pools_; ++p) {
            for (int k = 0; k < iv_.K; ++k)
                cap_row_[p][static_cast<std::size_t>(k)] = lp_.add_row(capacity_gpu_h(p, k));
        }
    }

    /** GPU-hours per class, pool and interval; the class's own row per interval turns them into
        the reference GPU-hours of work they can do, which its demand then uses. */
    void add_class_work_rows() {
        for (std::size_t c = 0; c < classes_.size(); ++c) {
            const auto pools = class_pools(fleet_, classes_[c]);
            const double util =
                classes_[c].kind == Kind::service ? classes_[c].service.max_utilization : 1.0;
            for (int k = 0; k < iv_.K; ++k) {
                const int row = lp_.add_row(0);
                cls_row_[c][static_cast<std::size_t>(k)] = row;
                for (int p : pools) {
                    const int col = lp_.add_col(0);
                    held_cols_[c].push_back(col);
                    lp_.set(cap_row_[static_cast<std::size_t>(p)][static_cast<std::size_t>(k)], col,
                            1);
                    // Work the held GPU-hours can do, in reference GPU-hours.
                    lp_.set(row, col, -util * class_speed(classes_[c], fleet_.pool(p)));
                }
            }
        }
    }

    /** Services: units arriving in interval i, served in interval j in [i, i + m], where m
        intervals cover slo_s + 2 x tick_s. */
    void add_service_demand() {
        for (std::size_t c = 0; c < classes_.size(); ++c) {
            if (classes_[c].kind != Kind::service)
                continue;
            const ServiceSpec& s = classes_[c].service;
            const RateProfile profile(s.profile);
            // At most K intervals: an SLO of 10^20 s must not wrap the int.
            const int m = static_cast<int>(
                std::min(static_cast<double>(iv_.K),
                         std::ceil((s.slo_s + 2 * scenario_.tick_s) / iv_.L - 1e-9)));
            for (int i = 0; i < iv_.K; ++i) {
                const double demand = s.demand_units_per_s * profile.integral(iv_.t0(i), iv_.t1(i));
                const int demand_row = lp_.add_row(demand);
                for (int j = i; j <= std::min(iv_.K - 1, i + m); ++j) {
                    const int col =
                        lp_.add_col(s.price_usd_per_unit + s.ad_revenue_usd_per_unit, demand);
                    revenue_cols_[c].push_back(col);
                    lp_.set(demand_row, col, 1);
                    lp_.set(cls_row_[c][static_cast<std::size_t>(j)], col, s.gpu_s_per_unit / 3600);
                }
            }
        }
    }

    /** Batch jobs, the same draws as the engine (JobSource, same seed): each may receive work
        from its arrival on, up to its gang at the fastest GPU of its class per interval. */
    void add_batch_demand(BoundResult& out) {
        // The fastest GPU of each class's pools in each interval: only pools the fleet owns
        // in it count (a fleet that changes over time); on a fixed fleet, all of them.
        std::vector<std::vector<double>> fastest(
            classes_.size(), std::vector<double>(static_cast<std::size_t>(iv_.K), 0));
        std::vector<int> largest_pool(classes_.size(), 0);
        for (std::size_t c = 0; c < classes_.size(); ++c) {
            for (int p : class_pools(fleet_, classes_[c])) {
                const double speed = class_speed(classes_[c], fleet_.pool(p));
                for (int k = 0; k < iv_.K; ++k) {
                    double& f = fastest[c][static_cast<std::size_t>(k)];
                    if (capacity_gpu_h(static_cast<std::size_t>(p), k) > 0)
                        f = std::max(f, speed);
                }
                largest_pool[c] = std::max(largest_pool[c], fleet_.pool(p).total_gpus);
            }
        }
        JobSource source(scenario_);
        while (std::isfinite(source.next_time())) {
            const JobArrival j = source.pop();
            out.jobs += 1;
            const auto c = static_cast<std::size_t>(j.cls);
            if (j.gpus > largest_pool[c]) {
                out.jobs_excluded += 1;  // the engine rejects it
                continue;
            }
            const int work_row = lp_.add_row(j.work_ref_gpu_s / 3600);
            for (int k = static_cast<int>(std::floor(j.submit_s / iv_.L)); k < iv_.K; ++k) {
                const double overlap_h = (iv_.t1(k) - std::max(iv_.t0(k), j.submit_s)) / 3600;
                const double speed = fastest[c][static_cast<std::size_t>(k)];
                if (overlap_h <= 0 || !(speed > 0))
                    continue;
                const int col = lp_.add_col(j.value_usd_per_ref_gpu_h, j.gpus * speed * overlap_h);
                revenue_cols_[c].push_back(col);
                lp_.set(work_row, col, 1);
                lp_.set(cls_row_[c][static_cast<std::size_t>(k)], col, 1);
            }
        }
    }

    void solve(BoundResult& out) {
        out.variables = lp_.cols();
        out.constraints = lp_.rows();
        lp_.solve();
    }

    /** Revenue and GPU-hours per class from the solution, and the capacity duals' mean. */
    void read_back(BoundResult& out) const {
        out.revenue_usd = lp_.objective_value();
        for (std::size_t c = 0; c < classes_.size(); ++c) {
            ClassBound b;
            b.name = classes_[c].name;
            for (int col : revenue_cols_[c])
                b.revenue_usd += lp_.objective(col) * lp_.x(col);
            for (int col : held_cols_[c])
                b.gpu_h += lp_.x(col);
            out.classes.push_back(b);
        }
        double dual_x_capacity = 0, capacity = 0;
        for (std::size_t p = 0; p < pools_; ++p) {
            for (int k = 0; k < iv_.K; ++k) {
                const double cap = capacity_gpu_h(p, k);
                dual_x_capacity += lp_.dual(cap_row_[p][static_cast<std::size_t>(k)]) * cap;
                capacity += cap;
            }
        }
        out.mean_shadow_price_usd_per_gpu_h = capacity > 0 ? dual_x_capacity / capacity : 0;
    }

private:
    /** GPU-hours the pool owns in the interval: all of it, or (a fleet that changes over
        time) only the part between its online and retire times, so that the bound stays one. */
    double capacity_gpu_h(std::size_t p, int k) const {
        const Pool& pool = fleet_.pool(static_cast<int>(p));
        if (pool.online_at_s <= 0 && !std::isfinite(pool.retire_at_s))
            return pool.total_gpus * (iv_.t1(k) - iv_.t0(k)) / 3600;
        const double owned_s =
            std::min(iv_.t1(k), pool.retire_at_s) - std::max(iv_.t0(k), pool.online_at_s);
        return pool.total_gpus * std::max(0.0, owned_s) / 3600;
    }

    const ScenarioSpec& scenario_;
    const std::vector<WorkloadClassSpec>& classes_;
    Intervals iv_;
    Fleet fleet_;
    std::size_t pools_;
    LinearProgramme lp_;
    std::vector<std::vector<int>> cap_row_;       ///< per pool and interval
    std::vector<std::vector<int>> cls_row_;       ///< per class and interval: its work
    std::vector<std::vector<int>> held_cols_;     ///< per class: its GPU-hours columns
    std::vector<std::vector<int>> revenue_cols_;  ///< per class: its earning columns
};

}  // namespace

BoundResult hindsight_bound(const ScenarioSpec& scenario, const BoundOptions& options) {
    const Intervals intervals = build_intervals(scenario, options);
    BoundResult out;
    out.interval_s = intervals.L;
    out.intervals = intervals.K;
    BoundLp lp(scenario, intervals);
    lp.add_capacity_rows();
    lp.add_class_work_rows();
    lp.add_service_demand();
    lp.add_batch_demand(out);
    lp.solve(out);
    lp.read_back(out);
    return out;
}

std::string bound_json(const ScenarioSpec& scenario, const BoundResult& r) {
    nlohmann::ordered_json j;
    j["scenario"] = scenario.name;
    j["seed"] = scenario.seed;
    j["horizon_s"] = scenario.horizon_s;
    j["revenue_usd"] = r.revenue_usd;
    j["mean_shadow_price_usd_per_gpu_h"] = r.mean_shadow_price_usd_per_gpu_h;
    nlohmann::ordered_json classes = nlohmann::ordered_json::object();
    for (const auto& c : r.classes)
        classes[c.name] = {{"revenue_usd", c.revenue_usd}, {"gpu_h", c.gpu_h}};
    j["classes"] = classes;
    j["jobs"] = r.jobs;
    j["jobs_excluded"] = r.jobs_excluded;
    j["lp"] = {{"interval_s", r.interval_s},
               {"intervals", r.intervals},
               {"variables", r.variables},
               {"constraints", r.constraints},
               {"solver", LinearProgramme::solver()}};
    j["relaxes"] = kRelaxations;
    return j.dump(2) + "\n";
}

}  // namespace fleetsim
