#pragma once
// A block of the fleet: some nodes of some pools, given to some classes, scheduled by any
// registered policy as if they were the whole fleet. The `reserved` policy (reserved.cpp)
// composes blocks; a block is also how another composite policy would give an inner policy a
// part of the fleet.
//
// How an inner policy sees only its block without a line of it changing: the block keeps its
// own SchedulerState, the view, built from a scenario cut down to the block (each pool reduced
// to the block's nodes of it, the workload to the block's classes), so the inner policy reads
// a real fleet and real queues and acts through real, checked Decisions. Each call
//   1. pulls into the view what happened in the fleet since the last call: jobs submitted to
//      the block's classes (and those the engine refused), jobs that completed, each service's
//      demand and backlog, the clock;
//   2. runs the inner policy on the view;
//   3. mirrors each of its changes, as it is made (Decisions::observe), onto the whole state
//      on exactly the nodes the view chose (Decisions::start_on, set_service_parts), so the
//      books, the engine and the outputs see one fleet.
// Blocks hold disjoint nodes and classes, so what one block does never changes another's
// view. Work done by a running job is read from the whole state (the engine's figure), so a
// preemption keeps the same work in the view and in the fleet. A block with every node and
// every class decides exactly what its inner policy alone would (tests/scenarios check the
// outputs are byte-identical).

#include "policies/policy.hpp"
#include "sim/config/spec.hpp"
#include "sim/model/state.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace fleetsim {

/** The nodes of one pool that a block holds: the pool's nodes [first, first + count). */
struct BlockNodes {
    int pool = 0;   ///< index in the whole platform
    int first = 0;  ///< index within the pool
    int count = 0;
};

struct BlockSpec {
    std::string name;                  ///< for messages
    std::vector<std::string> classes;  ///< names in the whole workload
    std::vector<BlockNodes> nodes;     ///< one entry per pool where the block has nodes
    PolicySpec policy;                 ///< the inner policy, its parameters as written
};

class FleetBlock {
public:
    /** Builds the view and the inner policy (its parameters are checked against the block's
        classes and fleet: an InputError at their position). */
    FleetBlock(const ScenarioSpec& whole, BlockSpec block);

    /** One call of the inner policy on the block (steps 1 to 3 above). */
    void decide(const SchedulerState& whole, Decisions& out);

    const std::string& name() const { return block_.name; }
    const std::string& policy_name() const { return block_.policy.name; }
    const SchedulerState& view() const { return *view_; }
    /** GPUs of the block in all its pools. */
    int gpus() const { return view_->fleet.total_gpus(); }

private:
    void pull_completions(const SchedulerState& whole);
    void pull_submissions(const SchedulerState& whole, Decisions& out);
    void pull_services(const SchedulerState& whole);
    void mirror(const Decisions::Change& change, Decisions& out);
    void check_holdings(const SchedulerState& whole) const;
    /** A view allocation's (node, GPUs) parts as the whole fleet's nodes. */
    std::vector<std::pair<int, int>> whole_parts(const Allocation& view_alloc) const;

    BlockSpec block_;
    std::unique_ptr<ScenarioSpec> spec_;  ///< the cut-down scenario the view's classes point into
    PolicyInstance inner_;
    std::unique_ptr<SchedulerState> view_;
    const SchedulerState* whole_ = nullptr;  ///< the state of the current call
    std::vector<ClassId> whole_class_;       ///< view class -> whole class
    std::vector<ClassId> view_class_;        ///< whole class -> view class, -1 when not here
    std::vector<int> whole_pool_;            ///< view pool -> whole pool
    std::vector<int> whole_first_node_;      ///< view pool -> whole index of its first node
    std::vector<JobId> whole_job_;           ///< view job -> whole job
    std::size_t seen_jobs_ = 0;              ///< whole jobs already looked at
};

}  // namespace fleetsim
