// comparative-advantage: revenue-greedy's order, with each class placed on the GPU type where
// it earns most relative to the alternative (heterogeneity-aware in Gavel's sense).
//
// On a fleet of several GPU types, where each class runs at its own speed on each type (the
// throughput matrix, docs/model.md), the fastest GPU is not always where a class should go:
// B200s are 3.3 H100s for LLM serving but 2.3 for video, so video should leave the B200s to
// LLM work when both want them. Every call:
//   - each class with demand waiting (a queued job, or a service below its need) values a
//     GPU-hour of pool p at v(c, p) = its revenue per reference GPU-hour (as revenue-greedy) x
//     its speed on p;
//   - the alternative on p for c is the best v(c', p) of another class with demand there;
//   - c tries its pools in decreasing v(c, p) / alternative (a pool no other class wants
//     first; ties by v, then platform order): its comparative advantage;
//   - classes are served in decreasing revenue per reference GPU-hour, against a budget of
//     free + service-held GPUs (services are elastic), as in revenue-greedy; jobs that do not
//     fit are skipped; running jobs are not preempted.
// Gavel (Narayanan et al., OSDI 2020) normalises each job's throughput on each GPU type and
// solves an LP for the time fractions of each job on each type; this is the greedy, one-pass
// version of its "maximise total effective throughput" objective, weighted by revenue and
// applied per class at each decision rather than per round of a time-sliced allocation. With
// one GPU type, or no throughput matrix, the ratio orders pools by their dense BF16 speed for
// every class alike, and it places work like revenue-greedy on the fastest pool first.
// Complexity per call: O(classes x pools x classes + scanned jobs + services x pools).

#include "policies/allocation.hpp"
#include "policies/param_values.hpp"
#include "policies/registry.hpp"

#include <algorithm>
#include <limits>
#include <memory>

namespace fleetsim {
namespace {

class ComparativeAdvantage final : public Policy {
public:
    explicit ComparativeAdvantage(long long max_scan) : max_scan_(max_scan) {}

    void decide(const SchedulerState& state, Decisions& out) override {
        const std::size_t n = state.classes.size();
        std::vector<ClassId> order;
        std::vector<double> rate(n, 0);
        std::vector<bool> wants(n, false);
        for (const auto& c : state.classes) {
            order.push_back(c.id);
            rate[static_cast<std::size_t>(c.id)] = c.marginal_rate_usd_per_ref_gpu_h();
            wants[static_cast<std::size_t>(c.id)] =
                c.kind == Kind::service ? c.needed_ref_gpus(state.tick_s) > 0 : !c.waiting.empty();
        }
        std::stable_sort(order.begin(), order.end(), [&](ClassId a, ClassId b) {
            return rate[static_cast<std::size_t>(a)] > rate[static_cast<std::size_t>(b)];
        });
        const auto pools = pool_orders(state, rate, wants);

        std::vector<int> budget = elastic_budget(state);
        std::vector<std::vector<int>> service_target(n);
        std::vector<std::vector<std::pair<JobId, int>>> planned_jobs(n);
        for (ClassId id : order) {
            const ClassState& c = state.cls(id);
            const auto& mine = pools[static_cast<std::size_t>(id)];
            if (c.kind == Kind::service) {
                service_target[static_cast<std::size_t>(id)] =
                    plan_service(state, c, c.needed_ref_gpus(state.tick_s), budget, mine);
                continue;
            }
            for (JobId jid : first_waiting(c, max_scan_)) {
                const Job& j = state.job(jid);
                for (int p : mine) {
                    if (budget[static_cast<std::size_t>(p)] >= j.gpus) {
                        budget[static_cast<std::size_t>(p)] -= j.gpus;
                        planned_jobs[static_cast<std::size_t>(id)].emplace_back(jid, p);
                        break;
                    }
                }
            }
        }

        // Apply: services give back first, then everyone takes in rank order.
        for (ClassId id : order) {
            if (state.cls(id).kind == Kind::service)
                shrink_service_to(out, state.cls(id), service_target[static_cast<std::size_t>(id)]);
        }
        for (ClassId id : order) {
            const ClassState& c = state.cls(id);
            if (c.kind == Kind::service) {
                grow_service_to(out, state, c, service_target[static_cast<std::size_t>(id)]);
            } else {
                for (const auto& [jid, p] : planned_jobs[static_cast<std::size_t>(id)]) {
                    // The budget counts GPUs, not nodes: a gang that does not fit its planned
                    // pool for fragmentation tries the class's next pools.
                    if (!out.start(jid, p))
                        out.start(jid);
                }
            }
        }
    }

private:
    /** Each class's pools in decreasing comparative advantage (see the file comment). */
    static std::vector<std::vector<int>> pool_orders(const SchedulerState& state,
                                                     const std::vector<double>& rate,
                                                     const std::vector<bool>& wants) {
        const int pool_count = state.fleet.pool_count();
        // value[c][p]: what a GPU-hour of p earns in c's work; 0 where c cannot use p or has
        // no demand waiting.
        std::vector<std::vector<double>> value(state.classes.size(),
                                               std::vector<double>(pool_count, 0.0));
        for (const auto& c : state.classes) {
            if (!wants[static_cast<std::size_t>(c.id)])
                continue;
            for (int p : c.pools)
                value[static_cast<std::size_t>(c.id)][static_cast<std::size_t>(p)] =
                    rate[static_cast<std::size_t>(c.id)] * c.speed(p);
        }
        std::vector<std::vector<int>> out(state.classes.size());
        for (const auto& c : state.classes) {
            const auto& mine = value[static_cast<std::size_t>(c.id)];
            std::vector<double> advantage(static_cast<std::size_t>(pool_count), 0);
            for (int p : c.pools) {
                double alternative = 0;
                for (const auto& other : state.classes) {
                    if (other.id != c.id)
                        alternative = std::max(
                            alternative,
                            value[static_cast<std::size_t>(other.id)][static_cast<std::size_t>(p)]);
                }
                // Its own speed stands in for its value when it has no demand now.
                const double own = wants[static_cast<std::size_t>(c.id)]
                                       ? mine[static_cast<std::size_t>(p)]
                                       : c.speed(p);
                advantage[static_cast<std::size_t>(p)] =
                    alternative > 0 ? own / alternative : std::numeric_limits<double>::infinity();
            }
            auto& order = out[static_cast<std::size_t>(c.id)];
            order = c.pools;
            std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
                const double x = advantage[static_cast<std::size_t>(a)];
                const double y = advantage[static_cast<std::size_t>(b)];
                if (x != y)
                    return x > y;
                return c.speed(a) > c.speed(b);
            });
        }
        return out;
    }

    long long max_scan_;
};

PolicyInfo info() {
    return {"comparative-advantage",
            "revenue-greedy's order, each class placed where its revenue per GPU-hour relative to "
            "the best other demand for the same GPUs is highest (heterogeneity-aware)",
            "Gavel's throughput-normalised placement (Narayanan et al., OSDI 2020), greedy and "
            "revenue-weighted",
            {max_scan_param()}};
}

std::unique_ptr<Policy> make(const ParamSet& params, const ScenarioSpec&) {
    return std::make_unique<ComparativeAdvantage>(max_scan_from(params));
}

}  // namespace

FLEETSIM_REGISTER_POLICY(info(), make)

}  // namespace fleetsim
