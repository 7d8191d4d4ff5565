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
        size_services_from_free(state, out);
        // Head-of-line blocking: nothing starts behind the first job that does not fit.
        start_in_submission_order(state, out, batch_classes(state));
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
