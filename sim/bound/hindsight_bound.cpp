#include "sim/bound/hindsight_bound.hpp"

#include "sim/generators/job_source.hpp"
#include "sim/generators/rate_profile.hpp"
#include "sim/model/fleet.hpp"

#include <glpk.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace fleetsim {
namespace {

/** A linear programme max c'x, rows <= b, 0 <= x <= u, collected and then handed to GLPK. */
class Lp {
public:
    int add_col(double objective, double upper = std::numeric_limits<double>::infinity()) {
        objective_.push_back(objective);
        upper_.push_back(upper);
        return static_cast<int>(objective_.size());  // GLPK columns are 1-based
    }
    int add_row(double upper) {
        row_upper_.push_back(upper);
        return static_cast<int>(row_upper_.size());
    }
    void set(int row, int col, double value) {
        ia_.push_back(row);
        ja_.push_back(col);
        ar_.push_back(value);
    }
    int cols() const { return static_cast<int>(objective_.size()); }
    int rows() const { return static_cast<int>(row_upper_.size()); }

    /** Solves with the simplex method; x and the row duals are then available. */
    void solve() {
        std::unique_ptr<glp_prob, void (*)(glp_prob*)> lp(glp_create_prob(), glp_delete_prob);
        glp_set_obj_dir(lp.get(), GLP_MAX);
        if (rows() > 0)
            glp_add_rows(lp.get(), rows());
        if (cols() > 0)
            glp_add_cols(lp.get(), cols());
        for (int r = 1; r <= rows(); ++r)
            glp_set_row_bnds(lp.get(), r, GLP_UP, 0, row_upper_[static_cast<std::size_t>(r - 1)]);
        for (int c = 1; c <= cols(); ++c) {
            const double u = upper_[static_cast<std::size_t>(c - 1)];
            const int type = !std::isfinite(u) ? GLP_LO : u > 0 ? GLP_DB : GLP_FX;
            glp_set_col_bnds(lp.get(), c, type, 0, std::isfinite(u) ? std::max(u, 0.0) : 0);
            glp_set_obj_coef(lp.get(), c, objective_[static_cast<std::size_t>(c - 1)]);
        }
        // GLPK's arrays are 1-based: element 0 is ignored.
        std::vector<int> ia = {0}, ja = {0};
        std::vector<double> ar = {0};
        ia.insert(ia.end(), ia_.begin(), ia_.end());
        ja.insert(ja.end(), ja_.begin(), ja_.end());
        ar.insert(ar.end(), ar_.begin(), ar_.end());
        glp_load_matrix(lp.get(), static_cast<int>(ar_.size()), ia.data(), ja.data(), ar.data());
        glp_term_out(GLP_OFF);  // GLPK prints its progress to stdout otherwise
        glp_scale_prob(lp.get(), GLP_SF_AUTO);
        glp_smcp parm;
        glp_init_smcp(&parm);
        parm.msg_lev = GLP_MSG_OFF;
        parm.presolve = GLP_ON;
        const int rc = glp_simplex(lp.get(), &parm);
        if (rc != 0 || glp_get_status(lp.get()) != GLP_OPT) {
            throw std::runtime_error("hindsight bound: GLPK simplex failed (return code " +
                                     std::to_string(rc) + ", status " +
                                     std::to_string(glp_get_status(lp.get())) + ")");
        }
        objective_value_ = glp_get_obj_val(lp.get());
        x_.resize(static_cast<std::size_t>(cols()));
        for (int c = 1; c <= cols(); ++c)
            x_[static_cast<std::size_t>(c - 1)] = glp_get_col_prim(lp.get(), c);
        dual_.resize(static_cast<std::size_t>(rows()));
        for (int r = 1; r <= rows(); ++r)
            dual_[static_cast<std::size_t>(r - 1)] = glp_get_row_dual(lp.get(), r);
    }

    double objective_value() const { return objective_value_; }
    double x(int col) const { return x_[static_cast<std::size_t>(col - 1)]; }
    double objective(int col) const { return objective_[static_cast<std::size_t>(col - 1)]; }
    double dual(int row) const { return dual_[static_cast<std::size_t>(row - 1)]; }

private:
    std::vector<double> objective_, upper_, row_upper_;
    std::vector<int> ia_, ja_;
    std::vector<double> ar_;
    double objective_value_ = 0;
    std::vector<double> x_, dual_;
};

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

}  // namespace

BoundResult hindsight_bound(const ScenarioSpec& scenario, const BoundOptions& options) {
    BoundResult out;
    const double L =
        options.interval_s > 0 ? options.interval_s : scenario.output.timeseries_interval_s;
    const double ratio = L / scenario.tick_s;
    if (std::fabs(ratio - std::round(ratio)) > 1e-9 || ratio < 1 - 1e-9) {
        std::ostringstream msg;
        msg << "expected the bound's LP interval to be a whole multiple of tick_s ("
            << scenario.tick_s << " s), found " << L << " s";
        throw InputError(SourceSpan{"<command line>", 0, 0}, "--interval-s", msg.str());
    }
    const double horizon = scenario.horizon_s;
    const int K = static_cast<int>(std::ceil(horizon / L - 1e-9));
    auto t0 = [&](int k) { return k * L; };
    auto t1 = [&](int k) { return std::min((k + 1) * L, horizon); };
    out.interval_s = L;
    out.intervals = K;

    const Fleet fleet(scenario.platform);
    const auto& classes = scenario.workload.classes;
    const auto P = static_cast<std::size_t>(fleet.pool_count());
    Lp lp;

    // Capacity of every pool in every interval, in GPU-hours.
    std::vector<std::vector<int>> cap_row(P, std::vector<int>(static_cast<std::size_t>(K)));
    for (std::size_t p = 0; p < P; ++p) {
        for (int k = 0; k < K; ++k) {
            cap_row[p][static_cast<std::size_t>(k)] =
                lp.add_row(fleet.pool(static_cast<int>(p)).total_gpus * (t1(k) - t0(k)) / 3600);
        }
    }
    // GPU-hours per class, pool and interval; the class's own rows turn them into capacity.
    std::vector<std::vector<int>> cls_row(classes.size(),
                                          std::vector<int>(static_cast<std::size_t>(K)));
    std::vector<std::vector<int>> held_cols(classes.size());
    for (std::size_t c = 0; c < classes.size(); ++c) {
        const auto pools = class_pools(fleet, classes[c]);
        const double util =
            classes[c].kind == Kind::service ? classes[c].service.max_utilization : 1.0;
        for (int k = 0; k < K; ++k) {
            const int row = lp.add_row(0);
            cls_row[c][static_cast<std::size_t>(k)] = row;
            for (int p : pools) {
                const int col = lp.add_col(0);
                held_cols[c].push_back(col);
                lp.set(cap_row[static_cast<std::size_t>(p)][static_cast<std::size_t>(k)], col, 1);
                // Work the held GPU-hours can do, in reference GPU-hours.
                lp.set(row, col, -util * fleet.pool(p).speed_factor);
            }
        }
    }
    std::vector<std::vector<int>> revenue_cols(classes.size());

    // Services: units arriving in interval i, served in interval j in [i, i + m].
    for (std::size_t c = 0; c < classes.size(); ++c) {
        if (classes[c].kind != Kind::service)
            continue;
        const ServiceSpec& s = classes[c].service;
        const RateProfile profile(s.profile);
        const int m = static_cast<int>(std::ceil((s.slo_s + 2 * scenario.tick_s) / L - 1e-9));
        for (int i = 0; i < K; ++i) {
            const double demand = s.demand_units_per_s * profile.integral(t0(i), t1(i));
            const int demand_row = lp.add_row(demand);
            for (int j = i; j <= std::min(K - 1, i + m); ++j) {
                const int col =
                    lp.add_col(s.price_usd_per_unit + s.ad_revenue_usd_per_unit, demand);
                revenue_cols[c].push_back(col);
                lp.set(demand_row, col, 1);
                lp.set(cls_row[c][static_cast<std::size_t>(j)], col, s.gpu_s_per_unit / 3600);
            }
        }
    }

    // Batch jobs: the same draws as the engine (JobSource, same seed).
    std::vector<double> fastest(classes.size(), 0);
    std::vector<int> largest_pool(classes.size(), 0);
    for (std::size_t c = 0; c < classes.size(); ++c) {
        for (int p : class_pools(fleet, classes[c])) {
            fastest[c] = std::max(fastest[c], fleet.pool(p).speed_factor);
            largest_pool[c] = std::max(largest_pool[c], fleet.pool(p).total_gpus);
        }
    }
    JobSource source(scenario);
    while (std::isfinite(source.next_time())) {
        const JobArrival j = source.pop();
        out.jobs += 1;
        const auto c = static_cast<std::size_t>(j.cls);
        if (j.gpus > largest_pool[c]) {
            out.jobs_excluded += 1;  // the engine rejects it
            continue;
        }
        const int work_row = lp.add_row(j.work_ref_gpu_s / 3600);
        for (int k = static_cast<int>(std::floor(j.submit_s / L)); k < K; ++k) {
            const double overlap_h = (t1(k) - std::max(t0(k), j.submit_s)) / 3600;
            if (overlap_h <= 0)
                continue;
            const int col = lp.add_col(j.value_usd_per_ref_gpu_h, j.gpus * fastest[c] * overlap_h);
            revenue_cols[c].push_back(col);
            lp.set(work_row, col, 1);
            lp.set(cls_row[c][static_cast<std::size_t>(k)], col, 1);
        }
    }

    out.variables = lp.cols();
    out.constraints = lp.rows();
    lp.solve();
    out.revenue_usd = lp.objective_value();
    for (std::size_t c = 0; c < classes.size(); ++c) {
        ClassBound b;
        b.name = classes[c].name;
        for (int col : revenue_cols[c])
            b.revenue_usd += lp.objective(col) * lp.x(col);
        for (int col : held_cols[c])
            b.gpu_h += lp.x(col);
        out.classes.push_back(b);
    }
    double dual_x_capacity = 0, capacity = 0;
    for (std::size_t p = 0; p < P; ++p) {
        for (int k = 0; k < K; ++k) {
            const double cap = fleet.pool(static_cast<int>(p)).total_gpus * (t1(k) - t0(k)) / 3600;
            dual_x_capacity += lp.dual(cap_row[p][static_cast<std::size_t>(k)]) * cap;
            capacity += cap;
        }
    }
    out.mean_shadow_price_usd_per_gpu_h = capacity > 0 ? dual_x_capacity / capacity : 0;
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
               {"solver", std::string("GLPK ") + glp_version() + " simplex"}};
    j["relaxes"] = kRelaxations;
    return j.dump(2) + "\n";
}

}  // namespace fleetsim
