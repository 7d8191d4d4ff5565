// revenue-greedy: the highest revenue per GPU-hour first.
//
// Every call ranks all demand by what one more GPU-hour earns: services at their full-load
// revenue per GPU-hour ((price + ads) x 3600 x max_utilization / gpu_s_per_unit), batch jobs at
// their value per GPU-hour. It hands out the GPUs that are free or held by services (services
// are elastic: shrinking one loses no work) in that order; a batch job that does not fit is
// skipped, so lower-value work fills what is left (greedy, no reservations: a large gang can
// starve behind a stream of small high-value jobs). Running batch jobs are not preempted (see
// opportunity-cost for that). At most max_scan waiting jobs per class are examined per call,
// as Slurm's backfill bounds its work (bf_max_job_test).
// Complexity per call: O(classes log classes + scanned jobs + services x pools).

#include "policies/allocation.hpp"
#include "policies/param_values.hpp"
#include "policies/registry.hpp"

#include <algorithm>
#include <memory>

namespace fleetsim {
namespace {

class RevenueGreedy final : public Policy {
public:
    explicit RevenueGreedy(long long max_scan) : max_scan_(max_scan) {}

    void decide(const SchedulerState& state, Decisions& out) override {
        // Rank classes by the revenue per GPU-hour of their next GPU (ties: declaration order).
        std::vector<ClassId> order;
        for (const auto& c : state.classes)
            order.push_back(c.id);
        std::stable_sort(order.begin(), order.end(), [&](ClassId a, ClassId b) {
            return state.cls(a).marginal_rate_usd_per_ref_gpu_h() >
                   state.cls(b).marginal_rate_usd_per_ref_gpu_h();
        });

        // Plan against a budget of free + service-held GPUs (counts per pool).
        std::vector<int> budget = elastic_budget(state);
        std::vector<std::vector<int>> service_target(state.classes.size());
        std::vector<std::vector<JobId>> planned_jobs(state.classes.size());
        for (ClassId id : order) {
            const ClassState& c = state.cls(id);
            if (c.kind == Kind::service) {
                service_target[static_cast<std::size_t>(id)] =
                    plan_service(state, c, c.needed_ref_gpus(state.tick_s), budget);
                continue;
            }
            for (JobId jid : first_waiting(c, max_scan_)) {
                const Job& j = state.job(jid);
                for (int p : c.pools) {
                    if (budget[static_cast<std::size_t>(p)] >= j.gpus) {
                        budget[static_cast<std::size_t>(p)] -= j.gpus;
                        planned_jobs[static_cast<std::size_t>(id)].push_back(jid);
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
                for (JobId jid : planned_jobs[static_cast<std::size_t>(id)])
                    out.start(jid);
            }
        }
    }

private:
    long long max_scan_;
};

PolicyInfo info() {
    return {
        "revenue-greedy",
        "highest revenue per GPU-hour first: services shrink and grow by value, batch jobs that do "
        "not fit are skipped",
        "greedy value-density scheduling (knapsack heuristic); scan bound as Slurm bf_max_job_test",
        {max_scan_param()}};
}

std::unique_ptr<Policy> make(const ParamSet& params, const ScenarioSpec&) {
    return std::make_unique<RevenueGreedy>(max_scan_from(params));
}

}  // namespace

FLEETSIM_REGISTER_POLICY(info(), make)

}  // namespace fleetsim
