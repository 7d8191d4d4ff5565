#pragma once
// Failures, drawn from the platform's failure model (platform.failures, docs/model.md
// "Failures"), or replayed from a failure log. Each kind of failure of each pool draws from its
// own seeded streams ("failures:<kind>:<pool>" for the times, "repairs:<kind>:<pool>" for the
// repair times), so turning failures on changes none of the workload's draws, and adding a
// pool's rack failures changes none of its GPU failures.
//
// Every component (a GPU, a node, a rack) fails again and again: the times between two of its
// failures are drawn from a Weibull distribution with the mode's mean (mtbf_h) and shape
// (exponential at shape 1), in wall-clock time, all components new at t = 0; each failure
// draws a repair time. Exponential failures of n components are one Poisson process of n
// times the rate with a uniformly drawn component (the superposition, exactly): no clock per
// GPU. Weibull failures keep one clock per component in a heap.
//
// No SimGrid and no fleet here: an event names a component (a GPU or a node of a pool, a rack
// of a pool, a maintenance window's nodes, a log event's nodes); the model
// (sim/model/failure_state.hpp) finds the nodes it takes down in the fleet's topology.

#include "sim/config/spec.hpp"
#include "sim/generators/random.hpp"

#include <cstdint>
#include <limits>
#include <memory>
#include <queue>
#include <string>
#include <utility>
#include <vector>

namespace fleetsim {

struct FailureEvent {
    double t_s = 0;
    FailureCause cause = FailureCause::gpu;  ///< a replayed row keeps the cause it was written with
    int pool = 0;                            ///< index in platform.pools (-1: see `nodes`)
    /** gpu, node: the node of the pool; rack: the rack of the pool (FleetTopology::racks_of_pool
        order); maintenance: the window's first node of the pool. */
    int first = 0;
    int count = 1;           ///< maintenance: nodes from `first`
    int gpu = -1;            ///< gpu: the failed GPU's index in its node
    double duration_s = 0;   ///< how long the nodes stay down (repair, or the window)
    std::vector<int> nodes;  ///< a replayed log event: the fleet's node indices (pool = -1)
};

class FailureSource {
public:
    explicit FailureSource(const ScenarioSpec& scenario);
    ~FailureSource();
    FailureSource(FailureSource&&) noexcept;
    FailureSource& operator=(FailureSource&&) noexcept;

    /** Time of the next failure (infinity when none is left before the horizon). */
    double next_time() const { return next_time_; }
    /** The next failure, with its repair time drawn; advances to the one after. */
    FailureEvent pop();

    struct Process;  ///< one stream of events (a failure mode of a pool, maintenance, a log)

private:
    void find_next();

    double horizon_s_;
    std::vector<std::unique_ptr<Process>> processes_;  ///< in a fixed order: ties go first-listed
    double next_time_ = std::numeric_limits<double>::infinity();
    std::size_t next_process_ = 0;
};

/** The mean of a Weibull distribution of shape k and scale 1: Gamma(1 + 1/k). */
double weibull_mean_factor(double shape);

}  // namespace fleetsim
