// market: every interval, classes bid their revenue per GPU-hour for the capacity they want and
// the fleet clears at a uniform price; each class then holds the GPUs it won until the next
// clearing.
//
// Bids: a service bids its full-load revenue per GPU-hour for its need over the coming interval
// (the highest of its need now and its demand profile at the middle and the end of the interval:
// bidders know their own diurnal forecast); a batch class bids each waiting job's value per
// GPU-hour for the job's GPUs (at most max_scan per class), and, with `preempt`, each running
// job's value to keep its GPUs (without it, running jobs are committed capacity). Bids below
// `reserve_usd_per_gpu_h` are not served. Clearing, in reference GPUs: bids are served from the
// highest price down; a service's bid is divisible, a job's is all or nothing (a job that does
// not fit is skipped and smaller, lower bids may still be served). The clearing price is the
// bid at the margin: the highest bid left wholly or partly unserved (the reserve price when
// every bid is served). Between clearings each class holds a quota, the capacity it won:
// services are sized to min(need, quota); jobs start first come, first served within the class
// when they fit in what is left of its quota. With `preempt`, a class whose running jobs exceed its
// new quota loses its least valuable preemptible jobs at the clearing. Capacity a class won but
// does not use stays idle until the next clearing: the price of a periodic market against the
// continuous revenue-greedy, which is the limit of a market cleared at every event.
// Source: uniform-price (multi-unit) auctions for cluster capacity: Spawn (Waldspurger et al.,
// IEEE TSE 1992), Tycoon (Lai et al., 2005); interval clearing as in cloud spot markets.
// Complexity per call: O(services x pools + jobs started); per clearing O(bids log bids).

#include "policies/allocation.hpp"
#include "policies/param_values.hpp"
#include "policies/registry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace fleetsim {
namespace {

struct Bid {
    double usd_per_gpu_h = 0;
    ClassId cls = -1;
    JobId job = -1;  ///< -1: a service (divisible)
    double ref_gpus = 0;
};

class Market final : public Policy {
public:
    Market(double interval_s, double reserve, bool preempt, long long max_scan)
        : interval_s_(interval_s), reserve_(reserve), preempt_(preempt), max_scan_(max_scan) {}

    void decide(const SchedulerState& state, Decisions& out) override {
        if (quota_ref_.empty() || state.now_s >= next_clearing_s_ - 1e-9) {
            clear(state, out);
            next_clearing_s_ = (std::floor(state.now_s / interval_s_ + 1e-9) + 1) * interval_s_;
        }
        // Targets against free + service-held GPUs: the quotas fit the fleet together, and
        // services shrink before anyone grows.
        const auto services = service_classes(state);
        std::vector<int> budget = elastic_budget(state);
        std::vector<std::vector<int>> targets;
        for (ClassId id : services) {
            const ClassState& c = state.cls(id);
            const double target = std::min(c.needed_ref_gpus(state.tick_s), quota(id));
            targets.push_back(plan_service(state, c, target, budget));
        }
        for (std::size_t i = 0; i < services.size(); ++i)
            shrink_service_to(out, state.cls(services[i]), targets[i]);
        for (ClassId id : batch_classes(state)) {
            const ClassState& c = state.cls(id);
            // First come, first served within the quota: a job that would exceed it is passed
            // over (the quota was won by the bids that fit, not necessarily the oldest).
            for (JobId jid : first_waiting(c, max_scan_)) {
                const Job& j = state.job(jid);
                if (c.held_eff + j.gpus * first_pool_speed(c) <= quota(id) + 1e-9)
                    out.start(jid);
            }
        }
        for (std::size_t i = 0; i < services.size(); ++i)
            grow_service_to(out, state, state.cls(services[i]), targets[i]);
    }

private:
    double quota(ClassId id) const { return quota_ref_[static_cast<std::size_t>(id)]; }

    static double first_pool_speed(const ClassState& c) { return c.speed(c.pools.front()); }

    /** A service's need over the next interval, from its demand profile (its forecast). */
    double forecast_need(const SchedulerState& state, const ClassState& c) const {
        const auto& s = c.spec->service;
        double rate = c.demand_units_per_s;
        for (double dt : {interval_s_ / 2, interval_s_})
            rate = std::max(rate, s.demand_units_per_s * c.profile.factor(state.now_s + dt));
        return (rate + c.backlog_units / state.tick_s) * s.gpu_s_per_unit / s.max_utilization;
    }

    void clear(const SchedulerState& state, Decisions& out) {
        quota_ref_.assign(state.classes.size(), 0);
        double supply = 0;
        for (const auto& p : state.fleet.pools())
            // In dense-BF16 reference GPUs, of the pools owned now (a fleet can change).
            supply += state.fleet.owned_gpus(p.index) * p.speed_factor;
        std::vector<Bid> bids;
        for (const auto& c : state.classes) {
            if (c.kind == Kind::service) {
                bids.push_back({c.full_rate_usd_per_ref_gpu_h, c.id, -1, forecast_need(state, c)});
                continue;
            }
            for (JobId id : c.running) {
                const Job& j = state.job(id);
                const double eff = j.gpus * c.speed(j.alloc.pool);
                if (preempt_ && c.spec->batch.preemptible) {
                    bids.push_back({j.value_usd_per_ref_gpu_h, c.id, id, eff});
                } else {
                    supply -= eff;  // committed until it ends
                    quota_ref_[static_cast<std::size_t>(c.id)] += eff;
                }
            }
            for (JobId id : first_waiting(c, max_scan_)) {
                const Job& j = state.job(id);
                bids.push_back({j.value_usd_per_ref_gpu_h, c.id, id, j.gpus * first_pool_speed(c)});
            }
        }
        // Highest price first; ties: services, then first come first served.
        std::stable_sort(bids.begin(), bids.end(), [](const Bid& a, const Bid& b) {
            if (a.usd_per_gpu_h != b.usd_per_gpu_h)
                return a.usd_per_gpu_h > b.usd_per_gpu_h;
            return (a.job < 0 ? -1 : a.job) < (b.job < 0 ? -1 : b.job);
        });
        price_ = reserve_;
        bool margin_found = false;
        for (const Bid& b : bids) {
            if (b.usd_per_gpu_h < reserve_)
                break;
            const double served = b.job < 0 ? std::min(b.ref_gpus, std::max(0.0, supply))
                                  : b.ref_gpus <= supply + 1e-9 ? b.ref_gpus
                                                                : 0;
            quota_ref_[static_cast<std::size_t>(b.cls)] += served;
            supply -= served;
            if (served < b.ref_gpus - 1e-9 && !margin_found) {
                price_ = std::max(reserve_, b.usd_per_gpu_h);
                margin_found = true;
            }
        }
        if (preempt_)
            preempt_over_quota(state, out);
        spdlog::debug("market cleared at t={:.0f} s: ${:.4f}/GPU-h", state.now_s, price_);
    }

    /** Preempts the least valuable running jobs (least work lost first) of each class that holds
        more than its new quota. */
    void preempt_over_quota(const SchedulerState& state, Decisions& out) const {
        for (ClassId id : batch_classes(state)) {
            const ClassState& c = state.cls(id);
            if (!c.spec->batch.preemptible)
                continue;
            std::vector<JobId> running(c.running.begin(), c.running.end());
            std::stable_sort(running.begin(), running.end(), [&](JobId a, JobId b) {
                const Job& ja = state.job(a);
                const Job& jb = state.job(b);
                if (ja.value_usd_per_ref_gpu_h != jb.value_usd_per_ref_gpu_h)
                    return ja.value_usd_per_ref_gpu_h < jb.value_usd_per_ref_gpu_h;
                return state.preemption_loss_ref_gpu_s(ja) < state.preemption_loss_ref_gpu_s(jb);
            });
            for (JobId j : running) {
                if (c.held_eff <= quota(id) + 1e-9)
                    break;
                out.preempt(j);
            }
        }
    }

    double interval_s_;
    double reserve_;
    bool preempt_;
    long long max_scan_;
    std::vector<double> quota_ref_;  ///< per class: reference GPUs won at the last clearing
    double next_clearing_s_ = 0;
    double price_ = 0;
};

PolicyInfo info() {
    return {"market",
            "each interval classes bid their revenue per GPU-hour, capacity clears at a uniform "
            "price, and each class holds what it won until the next clearing",
            "uniform-price multi-unit auction per interval (Spawn, Waldspurger et al., IEEE TSE "
            "1992; Tycoon, Lai et al., 2005)",
            {{"interval_s", "number", "3600", "s", "time between clearings"},
             {"reserve_usd_per_gpu_h", "number", "0", "USD per GPU-hour",
              "bids below this price win nothing"},
             {"preempt", "bool", "false", "",
              "running jobs bid to keep their GPUs, and lose them (preempted) when outbid"},
             {"max_scan", "integer", "256", "jobs", "waiting jobs that bid per class"}}};
}

std::unique_ptr<Policy> make(const ParamSet& params, const ScenarioSpec&) {
    return std::make_unique<Market>(positive_number(params, "interval_s"),
                                    number_at_least(params, "reserve_usd_per_gpu_h", 0),
                                    params.flag("preempt"), max_scan_from(params));
}

}  // namespace

FLEETSIM_REGISTER_POLICY(info(), make)

}  // namespace fleetsim
