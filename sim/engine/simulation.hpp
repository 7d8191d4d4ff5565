#pragma once
// Runs one scenario on SimGrid and returns the books. One SimGrid engine per process
// (design.md section 7): call run_simulation() at most once per process.

#include "policies/policy.hpp"
#include "sim/config/spec.hpp"
#include "sim/metrics/ledger.hpp"
#include "sim/model/state.hpp"

#include <memory>
#include <string>

namespace fleetsim {

struct RunResult {
    std::unique_ptr<SchedulerState> state;
    std::unique_ptr<Ledger> ledger;
    double horizon_s = 0;
    long long events = 0;             ///< scheduler wake-ups (each one calls the policy)
    double energy_simgrid_it_j = -1;  ///< SimGrid host-energy plugin total, when enabled
};

/** Simulates the scenario under the given policy. Input problems were caught before. */
RunResult run_simulation(const ScenarioSpec& scenario, PolicyInstance policy);

}  // namespace fleetsim
