#pragma once
// The hindsight bound: an upper bound on the revenue any allocation policy can earn from one
// demand realisation (same scenario, same seed: the same batch jobs from JobSource and the same
// service demand integrals from the rate profiles), so that a report can say "this policy
// reached N% of what was possible".
//
// It is a linear programme over time intervals, solved with GLPK. It knows the whole future and
// relaxes everything that makes scheduling hard (docs/policies.md, "hindsight-bound"):
//  - GPUs are fluid within a pool and an interval: any class may hold any fraction of them, with
//    no gangs, no nodes, no fragmentation and no placement;
//  - batch jobs are divisible: a job may receive any amount of work in an interval up to what its
//    gang would do at the fastest GPU its class may use (of the pools the fleet owns in the
//    interval, when the fleet changes over time), from its arrival on; no preemption loss,
//    no restart cost, no checkpoints; a job paid per completed job earns its value in proportion
//    to the work done (value per GPU-hour of work), never less than the simulation pays;
//  - service demand arriving in an interval may be served in that interval or in the ones up to
//    slo_s + 2 x tick_s later (the longest the simulation lets demand wait, plus slack), with no
//    latency inside an interval.
// A pool that comes online or retires (docs/model.md) counts only the GPU-hours it owns in
// each interval.
// Every schedule the simulator can produce is a feasible point of this LP with the same revenue
// or less, so the LP optimum is >= the revenue of every policy (tests/scenarios check it).

#include "sim/config/spec.hpp"

#include <string>
#include <vector>

namespace fleetsim {

struct BoundOptions {
    double interval_s = 0;  ///< LP interval; 0: the scenario's timeseries interval
};

struct ClassBound {
    std::string name;
    double revenue_usd = 0;
    double gpu_h = 0;  ///< GPU-hours the LP gives the class
};

struct BoundResult {
    double revenue_usd = 0;
    std::vector<ClassBound> classes;
    double interval_s = 0;
    int intervals = 0;
    int variables = 0;
    int constraints = 0;
    long long jobs = 0;           ///< batch jobs of the demand realisation
    long long jobs_excluded = 0;  ///< gangs larger than any pool their class may use
    /** Mean over intervals of the capacity constraints' dual values, weighted by GPU-hours:
        what one more GPU-hour would have earned, in hindsight (the LP's shadow price). */
    double mean_shadow_price_usd_per_gpu_h = 0;
};

/** Builds and solves the LP. The scenario is valid (load_scenario checked it). An interval that
    is not a whole multiple of tick_s is an InputError (the relaxation needs aligned ticks). */
BoundResult hindsight_bound(const ScenarioSpec& scenario, const BoundOptions& options);

/** bound.json: the figures above, the options, and what the bound relaxes. */
std::string bound_json(const ScenarioSpec& scenario, const BoundResult& result);

}  // namespace fleetsim
