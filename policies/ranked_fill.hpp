#pragma once
// Ranked filling: the allocation loop of every policy that puts all demand in one order (class
// priority, revenue per GPU-hour, least attained service, ...) and lets higher-ranked demand
// displace lower-ranked holders. Blox (EuroSys'24) splits a scheduler into admission, ordering
// and placement; here the policy supplies the order (the claims' keys) and the admission and
// preemption rules, and this loop does the placement and the displacing, once for all of them.
//
// The loop, for claims in descending key (ties keep the order they were given in):
//  - a service claim grows the service toward its need (needed_ref_gpus) in its pools, taking
//    free GPUs, then GPUs of lower-ranked services (elastic: shrinking loses no work), then, when
//    the rules allow, GPUs of lower-ranked preemptible jobs;
//  - a job claim starts the job in the first of its class's pools where it fits, after
//    reclaiming as above; a job is preempted only when reclaiming everything eligible in that
//    pool would let the gang fit (node by node, so no job is preempted for a gang that would
//    still not fit for fragmentation);
//  - a job claim that cannot be placed is blocked; later (lower) job claims whose class shares a
//    pool with it start only if admit_below_block says so (EASY-style reservation, strict
//    priority, or the shadow-price admission rule of opportunity-cost).
// Services hold no more than their need, and a service without a claim is shrunk to zero.

#include "policies/policy.hpp"
#include "sim/model/state.hpp"

#include <functional>
#include <vector>

namespace fleetsim {

/** One piece of demand that wants GPUs now: a waiting job, or a service's unmet need. */
struct Claim {
    double key = 0;  ///< higher first
    ClassId cls = -1;
    JobId job = -1;  ///< -1: a service claim
};

struct FillRules {
    /** Rank of what a service holds, on the claims' scale (it is displaced by higher keys). */
    std::function<double(const ClassState&)> service_key;
    /** Rank of a running job, on the claims' scale. */
    std::function<double(const Job&)> job_key;
    /** Whether a lower-ranked running preemptible job may be preempted for `claim`, which would
        use `gpus_used` of its GPUs. Null: never preempt. */
    std::function<bool(const Claim& claim, const Job& victim, int gpus_used)> may_preempt;
    /** Whether a claim may take GPUs of `pool` at all. Null: every pool of its class. */
    std::function<bool(const Claim& claim, int pool)> pool_allowed;
    /** Whether a job claim ranked below a blocked job claim that shares a pool may still start.
        Null: yes (lower-ranked work fills what is left). */
    std::function<bool(const Claim& lower, const Claim& blocked)> admit_below_block;
};

struct FillResult {
    std::vector<Claim> blocked;           ///< job claims left waiting, in rank order
    std::vector<ClassId> services_short;  ///< services left below their need
    int preempted = 0;
};

/** Applies the claims to the state through `out` (see the file comment for the loop). */
FillResult ranked_fill(const SchedulerState& state,
                       Decisions& out,
                       std::vector<Claim> claims,
                       const FillRules& rules);

/** Claims for every service (key from rules.service_key), then for at most `max_scan` waiting
    jobs per batch class (key from rules.job_key) in submission order across classes: after
    ranked_fill's stable sort, equal keys go services first, then first come, first served. */
std::vector<Claim> claims_for_all(const SchedulerState& state,
                                  const FillRules& rules,
                                  long long max_scan);

/** A policy that is its FillRules: every call fills all claims (at most max_scan waiting jobs
    per class) in the rules' order. Rules may read the state being decided through state(). */
class RankedFillPolicy : public Policy {
public:
    void decide(const SchedulerState& state, Decisions& out) override {
        state_ = &state;
        ranked_fill(state, out, claims_for_all(state, rules_, max_scan_), rules_);
    }

protected:
    explicit RankedFillPolicy(long long max_scan) : max_scan_(max_scan) {}
    const SchedulerState& state() const { return *state_; }
    FillRules rules_;

private:
    long long max_scan_;
    const SchedulerState* state_ = nullptr;
};

}  // namespace fleetsim
