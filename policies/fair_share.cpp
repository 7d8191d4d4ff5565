// fair-share: weighted max-min fair shares across classes, by Dominant Resource Fairness when the
// fleet has several pools.
//
// Each pool is a resource; a class's dominant share is the largest fraction of any pool's GPUs
// it holds, divided by its weight. Every call recomputes the allocation by progressive filling:
// the class with the smallest weighted dominant share that still wants GPUs gets its next piece
// (a service `service_step_gpus` more GPUs toward its need, a batch class its first waiting job
// that fits, first come, first served within the class), until no class can take more. With one
// pool this is weighted max-min fairness on GPUs; a class that wants less than its share leaves
// the rest to the others (work conserving). Services are elastic and are re-divided every call;
// running jobs keep their GPUs (no preemption: a class over its share shrinks as its jobs end).
// Gangs are indivisible, so shares are met to within one job.
// Source: Ghodsi et al., "Dominant Resource Fairness: Fair Allocation of Multiple Resource
// Types", NSDI 2011 (weighted DRF, progressive filling); weighted fair share as in Slurm's
// fair-share factor and YARN's fair scheduler.
// Complexity per call: O((fleet GPUs / step + scanned jobs) x log classes).

#include "policies/allocation.hpp"
#include "policies/param_values.hpp"
#include "policies/registry.hpp"

#include <algorithm>
#include <memory>
#include <queue>

namespace fleetsim {
namespace {

class FairShare final : public Policy {
public:
    FairShare(std::vector<double> weights, int step, long long max_scan)
        : weights_(std::move(weights)), step_(step), max_scan_(max_scan) {}

    void decide(const SchedulerState& state, Decisions& out) override {
        const auto pools = static_cast<std::size_t>(state.fleet.pool_count());
        const auto n = state.classes.size();
        std::vector<int> budget = elastic_budget(state);
        std::vector<std::vector<int>> held(n, std::vector<int>(pools, 0));
        std::vector<std::vector<int>> service_plan(n, std::vector<int>(pools, 0));
        std::vector<std::vector<JobId>> scan(n);
        std::vector<std::pair<JobId, int>> starts;
        for (const auto& c : state.classes) {
            if (c.kind == Kind::batch) {
                held[static_cast<std::size_t>(c.id)] = c.held_by_pool;
                scan[static_cast<std::size_t>(c.id)] = first_waiting(c, max_scan_);
            }
        }
        auto share = [&](ClassId id) {
            double s = 0;
            for (std::size_t p = 0; p < pools; ++p) {
                s = std::max(s, static_cast<double>(held[static_cast<std::size_t>(id)][p]) /
                                    state.fleet.pool(static_cast<int>(p)).total_gpus);
            }
            const double w = weights_[static_cast<std::size_t>(id)];
            // Weight 0: only what everyone else leaves.
            return w > 0 ? s / w : 1e300 + s;
        };
        using Entry = std::pair<double, ClassId>;
        std::priority_queue<Entry, std::vector<Entry>, std::greater<>> next;
        for (const auto& c : state.classes)
            next.emplace(share(c.id), c.id);
        while (!next.empty()) {
            const ClassId id = next.top().second;
            next.pop();
            const ClassState& c = state.cls(id);
            auto& mine = held[static_cast<std::size_t>(id)];
            bool took = false;
            if (c.kind == Kind::service) {
                double planned_eff = 0;
                for (int p : c.pools)
                    planned_eff +=
                        service_plan[static_cast<std::size_t>(id)][static_cast<std::size_t>(p)] *
                        state.fleet.pool(p).speed_factor;
                const double missing = c.needed_ref_gpus(state.tick_s) - planned_eff;
                for (int p : c.pools) {
                    auto& left = budget[static_cast<std::size_t>(p)];
                    if (missing <= 1e-9 || left == 0)
                        continue;
                    const int g =
                        std::min({step_, left, gpus_for_reference(state.fleet.pool(p), missing)});
                    service_plan[static_cast<std::size_t>(id)][static_cast<std::size_t>(p)] += g;
                    mine[static_cast<std::size_t>(p)] += g;
                    left -= g;
                    took = true;
                    break;
                }
            } else {
                auto& queue = scan[static_cast<std::size_t>(id)];
                for (auto it = queue.begin(); it != queue.end() && !took; ++it) {
                    const Job& j = state.job(*it);
                    for (int p : c.pools) {
                        if (budget[static_cast<std::size_t>(p)] < j.gpus)
                            continue;
                        budget[static_cast<std::size_t>(p)] -= j.gpus;
                        mine[static_cast<std::size_t>(p)] += j.gpus;
                        starts.emplace_back(j.id, p);
                        queue.erase(it);
                        took = true;
                        break;
                    }
                }
            }
            if (took)
                next.emplace(share(id), id);
        }
        for (ClassId id : service_classes(state))
            shrink_service_to(out, state.cls(id), service_plan[static_cast<std::size_t>(id)]);
        for (const auto& [job, pool] : starts)
            out.start(job, pool);
        for (ClassId id : service_classes(state))
            grow_service_to(out, state, state.cls(id), service_plan[static_cast<std::size_t>(id)]);
    }

private:
    std::vector<double> weights_;
    int step_;
    long long max_scan_;
};

PolicyInfo info() {
    return {"fair-share",
            "weighted max-min fair shares across classes (Dominant Resource Fairness over pools) "
            "by progressive filling; unused shares go to the others; no preemption",
            "DRF, Ghodsi et al., NSDI 2011; weighted fair share (Slurm fair-share factor, YARN "
            "fair scheduler)",
            {{"weights", "map-of-number", "{}", "",
              "class name -> weight (share in proportion); classes not listed get 1; 0 = only "
              "what others leave"},
             {"service_step_gpus", "integer", "8", "GPUs",
              "GPUs a service is given per filling step (smaller: finer shares, more work)"},
             max_scan_param()}};
}

std::unique_ptr<Policy> make(const ParamSet& params, const ScenarioSpec& scenario) {
    return std::make_unique<FairShare>(
        per_class_numbers(params, "weights", scenario, 1, 0),
        static_cast<int>(
            std::min<long long>(integer_at_least(params, "service_step_gpus", 1), 1 << 30)),
        max_scan_from(params));
}

}  // namespace

FLEETSIM_REGISTER_POLICY(info(), make)

}  // namespace fleetsim
