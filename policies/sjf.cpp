// sjf: shortest job first, by the GPU-time a job still needs (GPUs x hours), without preemption.
//
// The clairvoyant counterpart of las: where las learns job sizes from the service received, sjf
// knows them. Waiting jobs (the oldest max_scan of each class) start smallest first across all
// classes, ties first come first served; a job that does not fit is skipped and the next ones
// that fit start (no reservation: a large gang can starve behind a stream of small jobs).
// Services come first and take free GPUs as their demand comes, never displaced, as in las.
// Source: shortest processing time first minimises the mean completion time on one machine
// (Smith, Naval Research Logistics Quarterly 1956); GPU-time as a gang's size as in Tiresias'
// clairvoyant SRSF baseline (Gu et al., NSDI 2019).
// Complexity per call: O(claims log claims).

#include "policies/param_values.hpp"
#include "policies/ranked_fill.hpp"
#include "policies/registry.hpp"

#include <limits>
#include <memory>

namespace fleetsim {
namespace {

class ShortestJobFirst final : public RankedFillPolicy {
public:
    explicit ShortestJobFirst(long long max_scan) : RankedFillPolicy(max_scan) {
        // Higher keys go first: every service, then the job with the least work left.
        rules_.service_key = [](const ClassState&) {
            return std::numeric_limits<double>::infinity();
        };
        rules_.job_key = [](const Job& j) { return -j.remaining_ref_gpu_s(); };
    }
};

PolicyInfo info() {
    return {"sjf",
            "shortest job first: waiting jobs start smallest GPU-time first across classes, "
            "skipping those that do not fit; no preemption; services first",
            "shortest processing time first (Smith, 1956); GPU-time as in Tiresias' SRSF (Gu et "
            "al., NSDI 2019)",
            {max_scan_param()}};
}

}  // namespace

FLEETSIM_REGISTER_POLICY(info(), [](const ParamSet& params, const ScenarioSpec&) {
    return std::make_unique<ShortestJobFirst>(max_scan_from(params));
})

}  // namespace fleetsim
