// spare-nodes: fifo that keeps whole nodes of each pool free for large gangs, sized from the
// failure model, so that a large gang a failure interrupts restarts at once on the spares
// instead of waiting for the repair.
//
// A gang of `large_gang_gpus` or more runs in submission order as under fifo and may use every
// free GPU. Smaller jobs (and services growing) may not take a pool's last `spares(pool)` nodes
// worth of free GPUs. With `spare_nodes: -1` (the default) the reserve comes from the failure
// model (platform.failures): nodes down at a time are M/G/infinity, Poisson with mean
// E = nodes x sum over failure modes (rate per node x mean repair time) (Little's law), and
// the reserve is ceil(E + 3 sqrt(E)), enough 99.9% of the time; without a failure model it is 0
// and the policy is fifo. What it trades: the reserved GPUs idle while small jobs and services
// could have used them, against the large gang's waits for repairs (docs/policies.md;
// scenarios/README.md, failures-week and llama3-405b, measures both).
// Source: the practice of keeping spare nodes for large training gangs; the reserve's size is
// this file's own (Little's law and a Poisson tail), not a published rule.

#include "policies/allocation.hpp"
#include "policies/param_values.hpp"
#include "policies/registry.hpp"

#include <cmath>
#include <memory>

namespace fleetsim {
namespace {

/** Expected nodes of `pool` down at once under the failure model (Little's law). */
double expected_nodes_down(const ScenarioSpec& s, const PoolSpec& pool) {
    const FailureSpec& f = s.platform.failures;
    double busy = 0;  // failures per hour per node x hours each keeps the node down
    for (const auto& g : f.gpu_types) {
        if (g.gpu_type == pool.gpu_type)
            busy += pool.gpus_per_node / g.mode.mtbf_h * g.mode.repair_s.mean_value() / 3600;
    }
    for (const auto& pf : f.pools) {
        if (pf.pool != pool.name)
            continue;
        if (pf.node)
            busy += 1 / pf.node->mtbf_h * pf.node->repair_s.mean_value() / 3600;
        if (pf.rack)  // a rack failure takes nodes_per_rack nodes; per node, its rack's rate
            busy += 1 / pf.rack->mtbf_h * pf.rack->repair_s.mean_value() / 3600;
    }
    return pool.nodes * busy;
}

class SpareNodes final : public Policy {
public:
    SpareNodes(int large_gang_gpus, std::vector<int> spare_gpus)
        : large_gang_gpus_(large_gang_gpus), spare_gpus_(std::move(spare_gpus)) {}

    void decide(const SchedulerState& state, Decisions& out) override {
        // Services grow only into GPUs above the reserve of their pools.
        size_services_from_free(state, out, [&](ClassId id) {
            const ClassState& c = state.cls(id);
            int cap = c.gpus_held;
            for (int p : c.pools)
                cap += std::max(0, state.fleet.free_gpus(p) - spare(p));
            return cap;
        });
        const std::vector<ClassId> classes = batch_classes(state);
        for (JobId head = earliest_waiting(state, classes); head >= 0;
             head = earliest_waiting(state, classes)) {
            const Job& j = state.job(head);
            if (!start(state, out, j))
                break;  // head-of-line blocking, as fifo
        }
    }

private:
    int spare(int pool) const { return spare_gpus_[static_cast<std::size_t>(pool)]; }

    bool start(const SchedulerState& state, Decisions& out, const Job& j) {
        if (j.gpus >= large_gang_gpus_)
            return out.start(j.id);
        for (int p : state.cls(j.cls).pools) {
            if (state.fleet.free_gpus(p) - j.gpus >= spare(p) && out.start(j.id, p))
                return true;
        }
        return false;
    }

    int large_gang_gpus_;
    std::vector<int> spare_gpus_;  ///< per pool
};

PolicyInfo info() {
    return {"spare-nodes",
            "fifo that keeps spare nodes free for large gangs, sized from the failure model, so "
            "an interrupted gang restarts at once instead of waiting for the repair",
            "spare capacity for large training gangs (Llama 3, arXiv 2407.21783, section 3.3.4)",
            {{"large_gang_gpus", "integer", "256", "GPUs",
              "gangs this large or larger may use the spare nodes"},
             {"spare_nodes", "integer", "-1", "nodes",
              "nodes kept free per pool; -1: ceil(E + 3 sqrt(E)), E the nodes the failure model "
              "keeps down on average (0 without one)"}}};
}

}  // namespace

FLEETSIM_REGISTER_POLICY(info(), [](const ParamSet& params, const ScenarioSpec& s) {
    const long long large = integer_at_least(params, "large_gang_gpus", 1);
    const long long fixed = integer_at_least(params, "spare_nodes", -1);
    std::vector<int> spare_gpus;
    for (const auto& pool : s.platform.pools) {
        long long nodes = fixed;
        if (nodes < 0) {
            const double e = expected_nodes_down(s, pool);
            nodes = static_cast<long long>(std::ceil(e + 3 * std::sqrt(e)));
        }
        nodes = std::min<long long>(nodes, pool.nodes);
        spare_gpus.push_back(static_cast<int>(nodes * pool.gpus_per_node));
    }
    return std::make_unique<SpareNodes>(static_cast<int>(std::min<long long>(large, 1 << 30)),
                                        std::move(spare_gpus));
})

}  // namespace fleetsim
