// opportunity-cost: a GPU goes to work only while that work's revenue per GPU-hour beats the
// shadow price, the value of the best demand that would otherwise wait (design.md section 3).
//
// All demand is ranked by revenue per reference GPU-hour: services at their full-load rate
// ((price + ads) x 3600 x max_utilization / gpu_s_per_unit), jobs at their value per GPU-hour
// (per-job values spread over the job's work). Filling in that order makes the shadow price
// explicit: after each call, whatever holds GPUs earns at least as much per GPU-hour as the best
// demand left waiting, except for holders that cannot be displaced. Three rules turn "beats the
// shadow price" into decisions:
//  - keep: a holder is displaced when more valuable demand wants its GPUs. Services shrink
//    (elastic, nothing lost); a preemptible job is preempted only when the switch pays back:
//    (r_claim - r_job) x GPUs taken x payback_h >= r_claim x (work lost since its checkpoint +
//    restart cost x its GPUs), i.e. the value gained over payback_h hours covers the GPU-hours
//    the job will have to redo, priced at the claim's rate (the going value of a GPU-hour now).
//  - admit: a non-preemptible job is not started on GPUs that blocked demand at least as
//    valuable (a gang waiting for whole nodes) wants, since it could not be evicted when that
//    demand fits;
//    preemptible jobs and services may fill them, and are displaced by the rule above.
//  - floor: with energy_floor, demand is not served where its revenue per GPU-hour is below the
//    pool's marginal energy cost ((busy - idle power) x PUE x energy price: capex is sunk, so
//    an idle GPU costs only its idle power). Lower-value work fills whatever is left above it.
// Without preemption and the floor this is revenue-greedy with shadow-price admission.
// Source: the shadow price of a capacity constraint (the dual value of GPU capacity in a linear
// programme, as in the hindsight bound, docs/policies.md); the payback test is fleetsim's own.
// Complexity per call: O(claims log claims + blocked claims x running jobs in their pools).

#include "policies/allocation.hpp"
#include "policies/param_values.hpp"
#include "policies/ranked_fill.hpp"
#include "policies/registry.hpp"

#include <memory>

namespace fleetsim {
namespace {

/** USD per GPU-hour that running a GPU busy rather than idle costs in energy. */
double marginal_energy_usd_per_gpu_h(const Pool& pool) {
    return (pool.cost.power_busy_w - pool.cost.power_idle_w) * 3600.0 * pool.cost.energy_usd_per_j;
}

class OpportunityCost final : public RankedFillPolicy {
public:
    OpportunityCost(bool preempt, double payback_h, bool energy_floor, long long max_scan)
        : RankedFillPolicy(max_scan) {
        rules_.service_key = [](const ClassState& c) { return c.full_rate_usd_per_ref_gpu_h; };
        rules_.job_key = [](const Job& j) { return j.value_usd_per_ref_gpu_h; };
        if (preempt) {
            rules_.may_preempt = [this, payback_h](const Claim& claim, const Job& victim,
                                                   int gpus_used) {
                const SchedulerState& st = state();
                const double sf = st.fleet.pool(victim.alloc.pool).speed_factor;
                const double restart_s = st.cls(victim.cls).spec->batch.restart_cost_s;
                const double redo_gpu_h =
                    (st.preemption_loss_ref_gpu_s(victim) + restart_s * victim.gpus * sf) / 3600;
                const double gain =
                    (claim.key - victim.value_usd_per_ref_gpu_h) * gpus_used * sf * payback_h;
                return gain >= claim.key * redo_gpu_h;
            };
        }
        rules_.admit_below_block = [this](const Claim& lower, const Claim&) {
            return state().cls(lower.cls).spec->batch.preemptible;
        };
        if (energy_floor) {
            rules_.pool_allowed = [this](const Claim& claim, int pool) {
                const Pool& p = state().fleet.pool(pool);
                const ClassState& c = state().cls(claim.cls);
                // A service keeps max_utilization of its GPUs busy; a job all of them.
                const double busy_share =
                    c.kind == Kind::service ? c.spec->service.max_utilization : 1.0;
                return claim.key * p.speed_factor >= busy_share * marginal_energy_usd_per_gpu_h(p);
            };
        }
    }
};

PolicyInfo info() {
    return {"opportunity-cost",
            "admit or keep work only while its revenue per GPU-hour beats the shadow price: "
            "higher-value demand displaces lower (preempting when it pays back), lower-value work "
            "fills what is left above the marginal energy cost",
            "shadow price (dual value) of GPU capacity, design.md section 3; the payback test for "
            "preemption is fleetsim's own",
            {{"preempt", "bool", "true", "",
              "preempt lower-value preemptible jobs for higher-value demand when it pays back"},
             {"payback_h", "number", "1", "h",
              "hours over which the value gained by a preemption must cover the work redone"},
             {"energy_floor", "bool", "true", "",
              "serve no demand whose revenue per GPU-hour is below the pool's marginal energy "
              "cost"},
             max_scan_param()}};
}

std::unique_ptr<Policy> make(const ParamSet& params, const ScenarioSpec&) {
    return std::make_unique<OpportunityCost>(params.flag("preempt"),
                                             number_at_least(params, "payback_h", 0),
                                             params.flag("energy_floor"), max_scan_from(params));
}

}  // namespace

FLEETSIM_REGISTER_POLICY(info(), make)

}  // namespace fleetsim
