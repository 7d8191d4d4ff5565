#pragma once
// Small building blocks shared by policies: sizing fluid services against a budget of GPUs per
// pool, and walking batch queues in submission order. Policies stay one file each; what they
// have in common lives here once. (A policy that ranks all demand and lets higher displace
// lower is a RankedFillPolicy: policies/ranked_fill.hpp.)

#include "sim/model/state.hpp"

#include <functional>
#include <vector>

namespace fleetsim {

// ---- whole steps of a policy ----

/**
 * Sizes every service class to its need now (ClassState::needed_ref_gpus) from the GPUs that
 * are free and those it already holds: a service never displaces a job or another service.
 * With `cap_gpus`, a service holds at most cap_gpus(service) GPUs in all. Every service shrinks
 * before any grows, so what one gives back is free for the others in the same call.
 */
void size_services_from_free(const SchedulerState& state,
                             Decisions& out,
                             const std::function<int(ClassId)>& cap_gpus = nullptr);

/** Starts the waiting jobs of `classes` in submission order (across the classes) while each
    fits; returns the first one that does not (the head blocking the queue), or -1 when none is
    left waiting. */
JobId start_in_submission_order(const SchedulerState& state,
                                Decisions& out,
                                const std::vector<ClassId>& classes);

// ---- pieces ----

/** The first `max_scan` waiting jobs of a batch class, in submission order: the jobs a call
    looks at (a copy, so the policy may start them while it walks the list). */
std::vector<JobId> first_waiting(const ClassState& c, long long max_scan);

/** GPUs of `pool` that provide `ref_gpus` reference-GPU equivalents (rounded up). */
int gpus_for_reference(const Pool& pool, double ref_gpus);

/**
 * GPUs per pool that give `service` up to `target_ref_gpus` reference-GPU equivalents, filling
 * the service's pools in order, using at most `budget[pool]` GPUs of each pool. The budget is
 * reduced by what the plan takes.
 */
std::vector<int> plan_service(const SchedulerState& state,
                              const ClassState& service,
                              double target_ref_gpus,
                              std::vector<int>& budget);

/** Shrinks the service wherever it holds more than `target` (frees GPUs for others first). */
void shrink_service_to(Decisions& out, const ClassState& service, const std::vector<int>& target);
/** Grows the service toward `target`, as far as free GPUs allow. */
void grow_service_to(Decisions& out,
                     const SchedulerState& state,
                     const ClassState& service,
                     const std::vector<int>& target);

/** GPUs each pool could offer right now if services gave back everything: free + service-held. */
std::vector<int> elastic_budget(const SchedulerState& state);

/** The waiting job submitted first across all batch classes in `classes`, or -1. */
JobId earliest_waiting(const SchedulerState& state, const std::vector<ClassId>& classes);

/** Ids of the batch classes, and of the service classes, in declaration order. */
std::vector<ClassId> batch_classes(const SchedulerState& state);
std::vector<ClassId> service_classes(const SchedulerState& state);

}  // namespace fleetsim
