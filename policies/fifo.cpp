// fifo: first come, first served, with gang scheduling and strict head-of-line blocking.
//
// Batch jobs start in submission order across all classes; when the job at the head of the
// queue does not fit, nothing behind it starts (no backfilling), which is what makes FIFO fair
// and what makes it waste GPUs: a 512-GPU gang at the head idles the GPUs that free up until
// enough are free at once. Services are online demand: they are sized to their current demand
// and grow only into GPUs that are free, never displacing a running job, and give back what
// they no longer need. Complexity per call: O(services x pools + jobs started).
// Source: the baseline of every batch scheduler (e.g. Feitelson et al., "Parallel job
// scheduling: a status report", JSSPP 2004).

#include "policies/allocation.hpp"
#include "policies/registry.hpp"

#include <memory>

namespace fleetsim {
namespace {

class Fifo final : public Policy {
public:
    void decide(const SchedulerState& state, Decisions& out) override {
        const auto services = service_classes(state);
        std::vector<std::vector<int>> targets;
        for (ClassId id : services) {
            // Budget: what is free plus what the service holds (it never takes others' GPUs).
            std::vector<int> budget(static_cast<std::size_t>(state.fleet.pool_count()), 0);
            for (int p = 0; p < state.fleet.pool_count(); ++p) {
                budget[static_cast<std::size_t>(p)] =
                    state.fleet.free_gpus(p) +
                    state.cls(id).held_by_pool[static_cast<std::size_t>(p)];
            }
            targets.push_back(plan_service(state, state.cls(id),
                                           state.cls(id).needed_ref_gpus(state.tick_s), budget));
        }
        for (std::size_t i = 0; i < services.size(); ++i)
            shrink_service_to(out, state.cls(services[i]), targets[i]);
        for (std::size_t i = 0; i < services.size(); ++i)
            grow_service_to(out, state, state.cls(services[i]), targets[i]);

        const auto batch = batch_classes(state);
        for (JobId head = earliest_waiting(state, batch); head >= 0;
             head = earliest_waiting(state, batch)) {
            if (!out.start(head))
                break;  // head-of-line blocking
        }
    }
};

PolicyInfo info() {
    return {"fifo",
            "first come, first served with gang scheduling: the head of the queue blocks the rest; "
            "services take free GPUs as demand comes",
            "FCFS baseline (Feitelson et al., JSSPP 2004)",
            {}};
}

}  // namespace

FLEETSIM_REGISTER_POLICY(info(), [](const ParamSet&, const ScenarioSpec&) {
    return std::make_unique<Fifo>();
})

}  // namespace fleetsim
