// las: least attained service first, discretized into queues, as in Tiresias.
//
// A job's attained service is the GPU-time it has received: reference GPU-hours of work done in
// all its runs, including work later lost to a preemption (Tiresias' two-dimensional attained
// service, GPUs x time). Jobs sit in queues by attained service, with thresholds growing
// geometrically (first_threshold_gpu_h x threshold_factor^k); a lower queue always goes first,
// and within a queue jobs go first come, first served (Tiresias' discretized 2D-LAS). A job that
// crosses a threshold while running drops a queue; with preemption, a waiting job in a higher
// queue preempts running preemptible jobs of lower queues (they keep their last checkpoint and
// pay their restart cost). Jobs in the same queue never preempt each other, which is what keeps
// the discretized version from thrashing. Lower-queue work fills GPUs a blocked job cannot use
// (work conserving). No job size or duration is needed: LAS learns from the service received.
// Services are online demand: they take free GPUs as their demand comes, never displacing a job
// and never displaced by one (as in fifo). Tiresias' starvation guard (promoting a job that has
// waited too long) is not modelled.
// Source: Gu et al., "Tiresias: A GPU Cluster Manager for Distributed Deep Learning", NSDI 2019.
// Complexity per call: O(claims log claims + blocked jobs x running jobs in their pools).

#include "policies/allocation.hpp"
#include "policies/param_values.hpp"
#include "policies/ranked_fill.hpp"
#include "policies/registry.hpp"

#include <limits>
#include <memory>

namespace fleetsim {
namespace {

class Las final : public RankedFillPolicy {
public:
    Las(std::vector<double> thresholds_gpu_h, bool preempt, long long max_scan)
        : RankedFillPolicy(max_scan), thresholds_gpu_h_(std::move(thresholds_gpu_h)) {
        rules_.service_key = [](const ClassState&) {
            return std::numeric_limits<double>::infinity();
        };
        rules_.job_key = [this](const Job& j) { return -static_cast<double>(queue_of(j)); };
        if (preempt) {
            // Only a job claim preempts, and only jobs of a lower queue (ranked_fill checks keys).
            rules_.may_preempt = [](const Claim& c, const Job&, int) { return c.job >= 0; };
        }
    }

private:
    int queue_of(const Job& j) const {
        double attained_s = j.saved_ref_gpu_s + j.lost_ref_gpu_s;
        if (j.status == JobStatus::running)
            attained_s += state().progress_probe(j);
        int q = 0;
        while (q < static_cast<int>(thresholds_gpu_h_.size()) &&
               attained_s / 3600 >= thresholds_gpu_h_[static_cast<std::size_t>(q)] - 1e-12)
            ++q;
        return q;
    }

    std::vector<double> thresholds_gpu_h_;
};

PolicyInfo info() {
    return {"las",
            "least attained service (Tiresias' discretized 2D-LAS): jobs that have received the "
            "least GPU-time go first, in queues; higher queues preempt lower ones",
            "Tiresias, Gu et al., NSDI 2019",
            {{"queues", "integer", "2", "", "number of queues (1 = FIFO)"},
             {"first_threshold_gpu_h", "number", "1000", "GPU-h",
              "attained service (reference GPU-hours) at which a job leaves the first queue"},
             {"threshold_factor", "number", "10", "",
              "each further threshold is this many times the previous one"},
             {"preempt", "bool", "true", "",
              "a waiting job preempts running preemptible jobs of lower queues"},
             max_scan_param()}};
}

std::unique_ptr<Policy> make(const ParamSet& params, const ScenarioSpec&) {
    const long long queues = integer_at_least(params, "queues", 1);
    if (queues > 64)
        params.fail("queues", "expected at most 64 queues, found " + std::to_string(queues));
    double threshold = positive_number(params, "first_threshold_gpu_h");
    const double factor = number_at_least(params, "threshold_factor", 1);
    std::vector<double> thresholds;
    for (long long k = 0; k + 1 < queues; ++k, threshold *= factor)
        thresholds.push_back(threshold);
    return std::make_unique<Las>(std::move(thresholds), params.flag("preempt"),
                                 max_scan_from(params));
}

}  // namespace

FLEETSIM_REGISTER_POLICY(info(), make)

}  // namespace fleetsim
