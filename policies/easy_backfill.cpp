// easy-backfill: FIFO with EASY backfilling (one reservation, for the head of the queue).
//
// Batch jobs start in submission order across all classes while they fit. The first one that
// does not fit (the head) gets a reservation: the earliest time enough running jobs will have
// ended in one of its pools (the shadow time) and the GPUs that will be left over then (the
// extra GPUs). A later job may start now (backfill) if it fits and either ends by the shadow
// time or uses no more than the extra GPUs, so no backfilled job delays the head. Runtimes are
// known exactly here (the remaining work at the pool's speed, plus any restart cost): EASY with
// perfect estimates, unless a job replayed from a log has a requested run time (SWF field 9,
// Batsim walltime, Job::requested_s): then EASY reserves with that estimate, as the logged
// scheduler did, and a job that runs past its estimate is expected to end now. The reservation
// counts GPUs, not nodes; a gang that fits by count but not by node is retried at the next event.
// Services are online demand: as in fifo, they take free GPUs as their demand comes and never
// displace a job (so they can delay the head). Source: Lifka, "The ANL/IBM SP scheduling system",
// JSSPP 1995; Mu'alem and Feitelson, "Utilization, predictability, workloads, and user runtime
// estimates in scheduling the IBM SP2 with backfilling", IEEE TPDS 2001. Slurm's backfill plugin is
// its descendant. Complexity per call: O(running jobs log running jobs + scanned jobs + services x
// pools).

#include "policies/allocation.hpp"
#include "policies/param_values.hpp"
#include "policies/ranked_fill.hpp"
#include "policies/registry.hpp"

#include <algorithm>
#include <limits>
#include <memory>

namespace fleetsim {
namespace {

/**
 * Run time of a job's remaining work on a pool of speed factor `sf` as EASY knows it: exact,
 * or the log's requested run time for the same share of the work.
 */
double estimated_run_s(const Job& j, double sf) {
    if (j.requested_s > 0)
        return j.requested_s * (j.remaining_ref_gpu_s() / j.work_ref_gpu_s) / sf;
    return j.remaining_ref_gpu_s() / (j.gpus * sf);
}

/** When a running job will end: its run started after the restart overhead, at pool speed. */
double expected_end_s(const SchedulerState& state, const Job& j) {
    const double sf = state.cls(j.cls).speed(j.alloc.pool);
    const double end = j.start_s + j.run_overhead_s + estimated_run_s(j, sf);
    // Past its requested run time: expected to end now (the log's scheduler would have let it).
    return j.requested_s > 0 ? std::max(end, state.now_s) : end;
}

struct Reservation {
    int pool = -1;
    double shadow_s = std::numeric_limits<double>::infinity();
    int extra_gpus = 0;
};

class EasyBackfill final : public Policy {
public:
    explicit EasyBackfill(long long max_scan) : max_scan_(max_scan) {
        services_only_.service_key = [](const ClassState&) { return 0.0; };
        services_only_.job_key = [](const Job&) { return 0.0; };
    }

    void decide(const SchedulerState& state, Decisions& out) override {
        std::vector<Claim> services;
        for (ClassId id : service_classes(state))
            services.push_back(Claim{0, id, -1});
        ranked_fill(state, out, services, services_only_);

        const auto batch = batch_classes(state);
        const JobId head = start_in_submission_order(state, out, batch);
        if (head < 0)
            return;
        Reservation r = reserve(state, state.job(head));
        for (JobId id : queue_after(state, batch, head)) {
            const Job& j = state.job(id);
            for (int p : state.cls(j.cls).pools) {
                if (!state.fleet.can_fit(p, j.gpus))
                    continue;
                const double sf = state.cls(j.cls).speed(p);
                const double end_s = state.now_s + j.restart_overhead_s + estimated_run_s(j, sf);
                const bool before_shadow = p != r.pool || end_s <= r.shadow_s + 1e-9;
                if (!before_shadow && j.gpus > r.extra_gpus)
                    continue;  // it would delay the head
                if (!out.start(id, p))
                    continue;
                if (!before_shadow)
                    r.extra_gpus -= j.gpus;
                break;
            }
        }
    }

private:
    /** The head's earliest start by GPU count, over the pools its class may use. */
    static Reservation reserve(const SchedulerState& state, const Job& head) {
        Reservation best;
        for (int p : state.cls(head.cls).pools) {
            if (state.fleet.pool(p).total_gpus < head.gpus)
                continue;
            std::vector<std::pair<double, int>> ends;
            for (ClassId id : batch_classes(state)) {
                for (JobId r : state.cls(id).running) {
                    const Job& j = state.job(r);
                    if (j.alloc.pool == p)
                        ends.emplace_back(expected_end_s(state, j), j.gpus);
                }
            }
            std::sort(ends.begin(), ends.end());
            int free = state.fleet.free_gpus(p);
            double shadow = state.now_s;
            for (const auto& [t, g] : ends) {
                if (free >= head.gpus)
                    break;
                free += g;
                shadow = t;
            }
            if (free >= head.gpus && shadow < best.shadow_s)
                best = Reservation{p, shadow, free - head.gpus};
        }
        return best;
    }

    /** Up to max_scan waiting jobs submitted after `head`, in submission order. */
    std::vector<JobId> queue_after(const SchedulerState& state,
                                   const std::vector<ClassId>& batch,
                                   JobId head) const {
        std::vector<JobId> out;
        for (ClassId id : batch) {
            const auto& w = state.cls(id).waiting;
            long long taken = 0;
            for (auto it = w.upper_bound(head); it != w.end() && taken < max_scan_; ++it, ++taken)
                out.push_back(*it);
        }
        std::sort(out.begin(), out.end());
        if (static_cast<long long>(out.size()) > max_scan_)
            out.resize(static_cast<std::size_t>(max_scan_));
        return out;
    }

    long long max_scan_;
    FillRules services_only_;
};

PolicyInfo info() {
    return {
        "easy-backfill",
        "FIFO with EASY backfilling: the head of the queue gets a reservation, later jobs start "
        "early only if they do not delay it; services take free GPUs as demand comes",
        "EASY backfilling (Lifka, JSSPP 1995; Mu'alem and Feitelson, IEEE TPDS 2001)",
        {{"max_scan", "integer", "256", "jobs",
          "waiting jobs examined for backfilling per call (Slurm bf_max_job_test)"}}};
}

}  // namespace

FLEETSIM_REGISTER_POLICY(info(), [](const ParamSet& params, const ScenarioSpec&) {
    return std::make_unique<EasyBackfill>(max_scan_from(params));
})

}  // namespace fleetsim
