#pragma once
// The one seam between the simulator and an allocation policy. A policy sees the scheduler's
// state (read-only) and answers with Decisions: start this job, preempt that one, give this
// service n GPUs in that pool. It never sees SimGrid or YAML, so it is testable on a
// hand-built state (tests/policies/) and the engine is testable without a clever policy.

#include "sim/model/state.hpp"

#include <memory>
#include <string>
#include <vector>

namespace fleetsim {

class Policy {
public:
    virtual ~Policy() = default;
    /** Called on every event (arrivals, completions, service ticks) after the state is updated. */
    virtual void decide(const SchedulerState& state, Decisions& out) = 0;
};

/** A policy built from a scenario (PolicyRegistry::create), with the placement rule it asked
    for: what the engine runs. */
struct PolicyInstance {
    std::unique_ptr<Policy> policy;
    PlacementRule placement = PlacementRule::pack;
};

}  // namespace fleetsim
