// priority: per-class priorities, strict, with optional preemption (checkpoint/restart cost).
//
// Every class has a priority (higher first; classes not listed get 0). Demand is served in
// priority order: services grow toward their need, taking GPUs from lower-priority services
// (elastic, no work lost); batch jobs start first come, first served within a priority level.
// Strict priority: when a job cannot be placed, no job of the same or a lower priority starts in
// the pools its class uses (head-of-line blocking, so a large high-priority gang is not starved
// by a stream of small low-priority ones). With `preempt`, a higher-priority claim (a service's
// need or a waiting job) preempts running jobs of lower-priority preemptible classes: they keep
// the work up to their last checkpoint, pay the class's restart cost when they run again and are
// requeued in their original place (SchedulerState::preempt). `min_run_s` keeps a job that has
// just (re)started from being preempted again at once (thrashing).
// This is how most labs protect inference from training: Slurm's partition PriorityTier with
// PreemptMode=REQUEUE, Kubernetes PriorityClass preemption.
// Complexity per call: O(claims log claims + blocked claims x running jobs in their pools).

#include "policies/allocation.hpp"
#include "policies/param_values.hpp"
#include "policies/ranked_fill.hpp"
#include "policies/registry.hpp"

#include <memory>

namespace fleetsim {
namespace {

class Priority final : public RankedFillPolicy {
public:
    Priority(std::vector<double> priority, bool preempt, double min_run_s, long long max_scan)
        : RankedFillPolicy(max_scan), priority_(std::move(priority)) {
        rules_.service_key = [this](const ClassState& c) { return of(c.id); };
        rules_.job_key = [this](const Job& j) { return of(j.cls); };
        if (preempt) {
            rules_.may_preempt = [this, min_run_s](const Claim&, const Job& victim, int) {
                return state().now_s - victim.start_s >= min_run_s;
            };
        }
        rules_.admit_below_block = [](const Claim&, const Claim&) { return false; };
    }

private:
    double of(ClassId id) const { return priority_[static_cast<std::size_t>(id)]; }

    std::vector<double> priority_;
};

PolicyInfo info() {
    return {"priority",
            "strict per-class priorities: higher classes first, services shrink for them, and with "
            "preempt lower-priority jobs are preempted (work since the last checkpoint is lost, "
            "the restart cost is paid)",
            "priority tiers with requeue preemption (Slurm PriorityTier + PreemptMode=REQUEUE; "
            "Kubernetes PriorityClass)",
            {{"priorities", "map-of-number", "{}", "",
              "class name -> priority (higher first); classes not listed get 0"},
             {"preempt", "bool", "false", "",
              "preempt running jobs of lower-priority preemptible classes for higher-priority "
              "demand"},
             {"min_run_s", "number", "0", "s",
              "a job is not preempted before it has run this long since it (re)started"},
             max_scan_param()}};
}

std::unique_ptr<Policy> make(const ParamSet& params, const ScenarioSpec& scenario) {
    return std::make_unique<Priority>(
        per_class_numbers(params, "priorities", scenario, 0, -1e300), params.flag("preempt"),
        number_at_least(params, "min_run_s", 0), max_scan_from(params));
}

}  // namespace

FLEETSIM_REGISTER_POLICY(info(), make)

}  // namespace fleetsim
