#pragma once
// A hand-built fleet and workload for policy tests, without YAML or SimGrid: build a ScenarioSpec
// with the helpers, construct a Harness with a registered policy and its parameters, submit
// jobs, call the policy and step the clock. Completions follow the analytic duration the engine
// gives SimGrid (remaining work / (GPUs x speed factor) + restart overhead), so a test can work
// a schedule out on paper and check every start and end.

#include "policies/registry.hpp"
#include "sim/config/spec.hpp"
#include "sim/model/state.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace fleetsim::test {

/** An empty scenario: one H100-like GPU type (989 TFLOPS, the reference) and one site. */
inline ScenarioSpec small_scenario(double tick_s = 300) {
    ScenarioSpec s;
    s.name = "hand";
    s.horizon_s = 1e9;
    s.tick_s = tick_s;
    s.platform.name = "hand";
    s.platform.reference_gpu_type = "h100";
    s.platform.gpu_types.push_back(GpuTypeSpec{"h100", 989, 80, 300, 1275, 45000, 4, {}});
    s.platform.sites.push_back(SiteSpec{"site", 0.08, 1.2, 0.4, 0});
    s.policy.params.value = ParamValue::Map{};
    return s;
}

inline void add_gpu_type(ScenarioSpec& s, const std::string& name, double tflops) {
    s.platform.gpu_types.push_back(GpuTypeSpec{name, tflops, 80, 300, 1275, 45000, 4, {}});
}

inline void add_pool(ScenarioSpec& s,
                     const std::string& name,
                     int nodes,
                     int gpus_per_node,
                     const std::string& gpu_type = "h100") {
    PoolSpec p;
    p.name = name;
    p.site = "site";
    p.gpu_type = gpu_type;
    p.nodes = nodes;
    p.gpus_per_node = gpus_per_node;
    s.platform.pools.push_back(p);
}

/** A service whose revenue per reference GPU-hour at full load is `usd_per_gpu_h` (1 unit =
    1 reference GPU-second, max_utilization 1), with a constant demand of `demand_gpus`. */
inline WorkloadClassSpec& add_service(ScenarioSpec& s,
                                      const std::string& name,
                                      double usd_per_gpu_h,
                                      double demand_gpus,
                                      Family family = Family::llm) {
    WorkloadClassSpec c;
    c.name = name;
    c.family = family;
    c.kind = Kind::service;
    c.service.unit = "GPU-second";
    c.service.gpu_s_per_unit = 1;
    c.service.price_usd_per_unit = usd_per_gpu_h / 3600;
    c.service.max_utilization = 1;
    c.service.slo_s = 0;
    c.service.demand_units_per_s = demand_gpus;
    s.workload.classes.push_back(c);
    return s.workload.classes.back();
}

inline WorkloadClassSpec& add_batch(ScenarioSpec& s,
                                    const std::string& name,
                                    double usd_per_gpu_h,
                                    bool preemptible = false,
                                    double checkpoint_interval_s = 0,
                                    double restart_cost_s = 0,
                                    Family family = Family::llm) {
    WorkloadClassSpec c;
    c.name = name;
    c.family = family;
    c.kind = Kind::batch;
    c.batch.value_usd_per_gpu_h = usd_per_gpu_h;
    c.batch.preemptible = preemptible;
    c.batch.checkpoint_interval_s = checkpoint_interval_s;
    c.batch.restart_cost_s = restart_cost_s;
    s.workload.classes.push_back(c);
    return s.workload.classes.back();
}

/** Policy parameters as they would come from YAML (scalars are text). */
inline ParamValue param(const std::string& text) {
    ParamValue v;
    v.value = text;
    v.path = "policy.params";
    return v;
}
inline ParamValue param(std::initializer_list<std::pair<const std::string, ParamValue>> entries) {
    ParamValue v;
    v.value = ParamValue::Map(entries);
    v.path = "policy.params";
    return v;
}

class Harness {
public:
    Harness(ScenarioSpec scenario, const std::string& policy, ParamValue params = param({}))
        : spec_(std::make_unique<ScenarioSpec>(std::move(scenario))) {
        spec_->policy.name = policy;
        spec_->policy.params = std::move(params);
        PolicyInstance made = PolicyRegistry::instance().create(*spec_);
        policy_ = std::move(made.policy);
        state_ = std::make_unique<SchedulerState>(*spec_, made.placement);
    }

    SchedulerState& state() { return *state_; }
    const ScenarioSpec& spec() const { return *spec_; }
    ClassId cls(const std::string& name) const { return state_->class_id(name); }

    /** Submits a job of `gpus` with `work_gpu_h` reference GPU-hours at the current time. */
    JobId submit(const std::string& cls_name, int gpus, double work_gpu_h) {
        Job j;
        j.cls = cls(cls_name);
        j.submit_s = state_->now_s;
        j.gpus = gpus;
        j.work_ref_gpu_s = work_gpu_h * 3600;
        j.value_usd_per_ref_gpu_h = state_->cls(j.cls).spec->batch.value_usd_per_gpu_h;
        return state_->submit(j);
    }

    /** Calls the policy once and returns what it did. */
    std::vector<std::pair<Decisions::Action, JobId>> decide() {
        Decisions out(*state_);
        policy_->decide(*state_, out);
        return out.actions();
    }

    /** When the running job will complete (analytic, as SimGrid would run it). */
    double end_of(JobId id) const {
        const Job& j = state_->job(id);
        const double sf = state_->cls(j.cls).speed(j.alloc.pool);
        return j.start_s + j.run_overhead_s + j.remaining_ref_gpu_s() / (j.gpus * sf);
    }

    /** Steps the clock to `t_s`: completes every job that ends by then in end order, calling the
        policy after each completion (as the engine does), then calls it once at `t_s`. */
    void run_until(double t_s) {
        while (true) {
            JobId next = -1;
            double next_end = std::numeric_limits<double>::infinity();
            for (const auto& j : state_->jobs) {
                if (j.status == JobStatus::running && end_of(j.id) < next_end - 1e-9) {
                    next = j.id;
                    next_end = end_of(j.id);
                }
            }
            if (next < 0 || next_end > t_s + 1e-9)
                break;
            state_->now_s = next_end;
            state_->complete(next);
            decide();
        }
        state_->now_s = t_s;
        decide();
    }

    /** Runs until every job has completed (or nothing more can start). */
    void run_to_end() { run_until(std::numeric_limits<double>::max() / 4); }

private:
    std::unique_ptr<ScenarioSpec> spec_;
    std::unique_ptr<Policy> policy_;
    std::unique_ptr<SchedulerState> state_;
};

}  // namespace fleetsim::test
