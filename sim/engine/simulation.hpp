#pragma once
// Runs one scenario on SimGrid and returns the books. One SimGrid engine per process
// (design.md section 7): call run_simulation() at most once per process.

#include "policies/policy.hpp"
#include "sim/config/spec.hpp"
#include "sim/metrics/ledger.hpp"
#include "sim/model/state.hpp"

#include <memory>
#include <string>
#include <vector>

namespace fleetsim {

/** One node a failure (or maintenance window) took down: a row of failures.csv. */
struct FailureRecord {
    long long event = 0;  ///< the nodes of one failure share it (a rack)
    double t_s = 0;
    int node = 0;  ///< in the fleet's numbering
    int gpu = -1;  ///< the GPU of the node that failed, for a GPU failure
    double duration_s = 0;
    FailureCause cause = FailureCause::node;
    int jobs_interrupted = 0;  ///< by the whole event
};

struct RunResult {
    std::unique_ptr<SchedulerState> state;
    std::unique_ptr<Ledger> ledger;
    double horizon_s = 0;
    long long events = 0;                 ///< scheduler wake-ups (each one calls the policy)
    double energy_simgrid_it_j = -1;      ///< SimGrid host-energy plugin total, when enabled
    std::vector<FailureRecord> failures;  ///< every node taken down, in time order
};

/** Simulates the scenario under the given policy. Input problems were caught before. */
RunResult run_simulation(const ScenarioSpec& scenario, PolicyInstance policy);

}  // namespace fleetsim
