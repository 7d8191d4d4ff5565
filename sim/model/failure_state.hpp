#pragma once
// Failures as the scheduler sees them (docs/model.md, "Failures"): which nodes are down and
// until when, when each rack last failed, the platform's failure rates (per GPU, node and rack
// of each pool: the Young/Daly rule and failure-aware policies weigh a placement with them), and
// the GPUs each service lost to failures and has not grown back. SchedulerState owns one and
// changes it through fail_nodes() and repair_nodes(); policies read it. With failures off
// (platform.failures absent) it is empty and nothing here runs.
//
// Also here: CheckpointPlan, how a run of a job turns time into work when every checkpoint
// interval of compute is followed by a checkpoint write.

#include "sim/config/spec.hpp"
#include "sim/generators/failure_source.hpp"
#include "sim/model/fleet.hpp"

#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <utility>
#include <vector>

namespace fleetsim {

/** Failures per second of one component, from the failure modes' mean times between failures
    (the long-run rate of a Weibull renewal process is 1 / its mean too). */
struct PoolFailureRates {
    double per_gpu_s = 0;   ///< each GPU (its failure takes its node down)
    double per_node_s = 0;  ///< each node as a whole
    double per_rack_s = 0;  ///< each rack
};

/**
 * The Young/Daly checkpoint interval: sqrt(2 x MTBI x write time), which minimises the time
 * lost to writing checkpoints plus the work redone after an interruption, to first order
 * (Young, CACM 1974; Daly, FGCS 2006). 0 when nothing fails (no checkpoints needed).
 */
inline double young_daly_interval_s(double mtbi_s, double write_s) {
    if (!(mtbi_s > 0) || std::isinf(mtbi_s) || !(write_s > 0))
        return 0;
    return std::sqrt(2.0 * mtbi_s * write_s);
}

/**
 * A run's checkpoints: after every `interval_s` of compute the gang stops for `write_s` to write
 * one, except after the last interval (the job completes instead). With write_s = 0 a
 * checkpoint costs nothing, as before checkpoint writes were modelled.
 */
struct CheckpointPlan {
    double interval_s = 0;  ///< compute between two checkpoints; 0: no checkpoints
    double write_s = 0;

    bool writes() const { return interval_s > 0 && write_s > 0; }
    /** Compute seconds done `elapsed_s` into the run (past its restart overhead). */
    double compute_s(double elapsed_s) const {
        if (!writes())
            return elapsed_s;
        const double cycle = interval_s + write_s;
        const double n = std::floor(elapsed_s / cycle);
        return n * interval_s + std::min(elapsed_s - n * cycle, interval_s);
    }
    /** Compute seconds kept by the last checkpoint completed `elapsed_s` into the run. */
    double checkpointed_compute_s(double elapsed_s) const {
        if (!(interval_s > 0))
            return 0;
        return std::floor(elapsed_s / (interval_s + write_s)) * interval_s;
    }
    /** Checkpoint writes in a run that computes `compute_s` (none after the last interval). */
    double writes_in(double compute_s) const {
        if (!writes() || !(compute_s > 0))
            return 0;
        return std::ceil(compute_s / interval_s) - 1;
    }
};

class FailureState {
public:
    FailureState(const PlatformSpec& platform, const Fleet& fleet, int classes);

    bool enabled() const { return enabled_; }
    bool node_down(int node) const {
        return enabled_ && up_at_[static_cast<std::size_t>(node)] > 0;
    }
    /** When a node that is down comes back up. */
    double node_up_at_s(int node) const { return up_at_[static_cast<std::size_t>(node)]; }
    /** When a node of the rack last went down (-infinity: never). */
    double rack_last_failure_s(int rack) const {
        return enabled_ ? rack_failed_at_[static_cast<std::size_t>(rack)]
                        : -std::numeric_limits<double>::infinity();
    }
    const PoolFailureRates& rates(int pool) const { return rates_[static_cast<std::size_t>(pool)]; }
    /** Failures per second that would interrupt a gang placed as `alloc`: each node it uses at
        its GPUs' and its own rate, each rack it spans at the rack's. */
    double gang_failure_rate_per_s(const Allocation& alloc, const Fleet& fleet) const;
    /** Mean time between interruptions of such a gang (infinity when nothing can fail). */
    double gang_mtbi_s(const Allocation& alloc, const Fleet& fleet) const;
    /** The fleet's node indices that `e` takes down (a rack: its nodes in the topology). */
    std::vector<int> nodes_of(const FailureEvent& e, const Fleet& fleet) const;
    /** Failure events applied so far (a rack failure is one). */
    long long events() const { return events_; }
    /** When the next node that is down comes back (infinity when none is down). */
    double next_repair_s() const;
    /** Reference-GPU equivalents the service lost to failures and has not grown back since. */
    double service_deficit_ref_gpus(int cls) const {
        return deficit_.empty() ? 0 : deficit_[static_cast<std::size_t>(cls)];
    }

private:
    friend class SchedulerState;
    /** Records that `node` is down until `up_at_s` (a later repair wins); true when it was up. */
    bool mark_down(int node, double up_at_s, int rack, double now_s);
    /** The nodes whose repair is due at `now_s`, in node order, marked up. */
    std::vector<int> take_repairs(double now_s);
    void service_lost(int cls, double ref_gpus) {
        deficit_[static_cast<std::size_t>(cls)] += ref_gpus;
    }
    void service_grew(int cls, double ref_gpus);
    void service_shrank(int cls) { deficit_[static_cast<std::size_t>(cls)] = 0; }

    bool enabled_ = false;
    std::vector<PoolFailureRates> rates_;
    std::vector<double> up_at_;             ///< per node; 0 while up
    std::vector<double> rack_failed_at_;    ///< per rack
    std::vector<double> deficit_;           ///< per class
    using Repair = std::pair<double, int>;  ///< up at, node (stale when the node's up_at moved)
    std::priority_queue<Repair, std::vector<Repair>, std::greater<>> repairs_;
    long long events_ = 0;
};

}  // namespace fleetsim
