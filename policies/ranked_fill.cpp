#include "policies/ranked_fill.hpp"

#include "policies/allocation.hpp"

#include <algorithm>
#include <map>

namespace fleetsim {
namespace {

bool pools_overlap(const ClassState& a, const ClassState& b) {
    for (int p : a.pools) {
        if (std::find(b.pools.begin(), b.pools.end(), p) != b.pools.end())
            return true;
    }
    return false;
}

class Filler {
public:
    Filler(const SchedulerState& state, Decisions& out, const FillRules& rules)
        : st_(state), out_(out), rules_(rules) {}

    FillResult run(std::vector<Claim> claims) {
        std::stable_sort(claims.begin(), claims.end(),
                         [](const Claim& a, const Claim& b) { return a.key > b.key; });
        release_surplus(claims);
        for (const Claim& c : claims) {
            if (c.job < 0) {
                grow_service(c);
                continue;
            }
            if (st_.job(c.job).status != JobStatus::waiting || blocked_below(c))
                continue;
            if (!place_job(c))
                result_.blocked.push_back(c);
        }
        return result_;
    }

private:
    bool allowed(const Claim& c, int pool) const {
        return !rules_.pool_allowed || rules_.pool_allowed(c, pool);
    }

    /** Services never hold more than their need (nor anything without a claim). */
    void release_surplus(const std::vector<Claim>& claims) {
        std::map<ClassId, const Claim*> service_claim;
        for (const Claim& c : claims) {
            if (c.job < 0)
                service_claim[c.cls] = &c;
        }
        for (ClassId id : service_classes(st_)) {
            const ClassState& s = st_.cls(id);
            auto it = service_claim.find(id);
            const Claim* claim = it == service_claim.end() ? nullptr : it->second;
            std::vector<int> budget = s.held_by_pool;
            for (int p = 0; p < st_.fleet.pool_count(); ++p) {
                if (claim == nullptr || !allowed(*claim, p))
                    budget[static_cast<std::size_t>(p)] = 0;
            }
            const double target = claim ? s.needed_ref_gpus(st_.tick_s) : 0;
            shrink_service_to(out_, s, plan_service(st_, s, target, budget));
        }
    }

    bool blocked_below(const Claim& c) const {
        for (const Claim& b : result_.blocked) {
            if (!pools_overlap(st_.cls(b.cls), st_.cls(c.cls)))
                continue;
            if (rules_.admit_below_block && !rules_.admit_below_block(c, b))
                return true;
        }
        return false;
    }

    /** Services in `pool` ranked below `key` that hold GPUs there, lowest first. */
    std::vector<ClassId> lower_services(double key, int pool) const {
        std::vector<ClassId> out;
        for (ClassId id : service_classes(st_)) {
            const ClassState& s = st_.cls(id);
            if (s.held_by_pool[static_cast<std::size_t>(pool)] > 0 && rules_.service_key(s) < key)
                out.push_back(id);
        }
        std::stable_sort(out.begin(), out.end(), [&](ClassId a, ClassId b) {
            return rules_.service_key(st_.cls(a)) < rules_.service_key(st_.cls(b));
        });
        return out;
    }

    /** Jobs in `pool` that may be preempted for `c`: lowest key, then least work lost first
        (then the latest submitted). */
    std::vector<JobId> victims(const Claim& c, int pool, int gpus_wanted) const {
        struct Victim {
            double key, loss;
            JobId id;
        };
        std::vector<Victim> found;
        if (!rules_.may_preempt)
            return {};
        for (ClassId id : batch_classes(st_)) {
            const ClassState& b = st_.cls(id);
            if (!b.spec->batch.preemptible)
                continue;
            for (JobId jid : b.running) {
                const Job& j = st_.job(jid);
                const double key = rules_.job_key(j);
                if (j.alloc.pool != pool || key >= c.key)
                    continue;
                if (rules_.may_preempt(c, j, std::min(j.gpus, gpus_wanted)))
                    found.push_back({key, st_.preemption_loss_ref_gpu_s(j), jid});
            }
        }
        std::sort(found.begin(), found.end(), [](const Victim& a, const Victim& b) {
            if (a.key != b.key)
                return a.key < b.key;
            if (a.loss != b.loss)
                return a.loss < b.loss;
            return a.id > b.id;
        });
        std::vector<JobId> out;
        for (const auto& v : found)
            out.push_back(v.id);
        return out;
    }

    /** Whether a gang of `gpus` would fit in `pool` once the services and jobs given free
        their GPUs there: Fleet::can_fit's rule on the free GPUs per node after that. */
    bool fits_if_reclaimed(int pool,
                           int gpus,
                           const std::vector<ClassId>& services,
                           const std::vector<JobId>& jobs) const {
        const Pool& p = st_.fleet.pool(pool);
        std::map<int, int> extra;
        for (ClassId id : services) {
            for (const auto& [node, n] :
                 st_.cls(id).service_alloc[static_cast<std::size_t>(pool)].parts)
                extra[node] += n;
        }
        for (JobId jid : jobs) {
            for (const auto& [node, n] : st_.job(jid).alloc.parts)
                extra[node] += n;
        }
        const int gpn = p.gpus_per_node;
        int whole_free = 0;
        int best_partial = 0;
        for (int n = p.first_node; n < p.first_node + p.nodes; ++n) {
            auto it = extra.find(n);
            const int f = st_.fleet.node_free(n) + (it == extra.end() ? 0 : it->second);
            if (f == gpn)
                ++whole_free;
            else
                best_partial = std::max(best_partial, f);
        }
        const int whole = gpus / gpn;
        const int rest = gpus % gpn;
        if (whole_free < whole)
            return false;
        return rest == 0 || whole_free > whole || best_partial >= rest;
    }

    /** Shrinks `services` (in order) until `done()` or they hold nothing in `pool`. */
    template <class Done>
    void shrink_until(const std::vector<ClassId>& services, int pool, int step, Done done) {
        for (ClassId id : services) {
            while (!done()) {
                const int held = st_.cls(id).held_by_pool[static_cast<std::size_t>(pool)];
                if (held == 0)
                    break;
                out_.set_service_gpus(id, pool, held - std::min(held, std::max(1, step)));
            }
        }
    }

    bool place_job(const Claim& c) {
        const Job& j = st_.job(c.job);
        const ClassState& cls = st_.cls(j.cls);
        std::vector<int> pools;
        for (int p : cls.pools) {
            if (allowed(c, p))
                pools.push_back(p);
        }
        for (int p : pools) {
            if (st_.fleet.can_fit(p, j.gpus))
                return out_.start(j.id, p);
        }
        for (int p : pools) {
            auto services = lower_services(c.key, p);
            if (services.empty() || !fits_if_reclaimed(p, j.gpus, services, {}))
                continue;
            const int gpn = st_.fleet.pool(p).gpus_per_node;
            shrink_until(services, p, std::max(j.gpus - st_.fleet.free_gpus(p), gpn),
                         [&] { return st_.fleet.can_fit(p, j.gpus); });
            return out_.start(j.id, p);
        }
        for (int p : pools) {
            auto services = lower_services(c.key, p);
            auto chosen = fewest_victims(p, j.gpus, services, victims(c, p, j.gpus));
            if (chosen.empty())
                continue;
            shrink_until(services, p, st_.fleet.pool(p).gpus_per_node,
                         [&] { return st_.fleet.can_fit(p, j.gpus); });
            for (JobId v : chosen) {
                if (st_.fleet.can_fit(p, j.gpus))
                    break;
                out_.preempt(v);
                ++result_.preempted;
            }
            return out_.start(j.id, p);
        }
        return false;
    }

    /** The shortest prefix of `ranked` victims that lets the gang fit (with the services'
        GPUs), then without any victim the others do not need (latest first): a large victim
        late in the order can make earlier small ones unnecessary. Empty when none suffices. */
    std::vector<JobId> fewest_victims(int pool,
                                      int gpus,
                                      const std::vector<ClassId>& services,
                                      const std::vector<JobId>& ranked) const {
        std::vector<JobId> chosen;
        for (JobId v : ranked) {
            chosen.push_back(v);
            if (fits_if_reclaimed(pool, gpus, services, chosen))
                break;
        }
        if (chosen.empty() || !fits_if_reclaimed(pool, gpus, services, chosen))
            return {};
        for (std::size_t i = chosen.size(); i-- > 0;) {
            std::vector<JobId> without = chosen;
            without.erase(without.begin() + static_cast<std::ptrdiff_t>(i));
            if (!without.empty() && fits_if_reclaimed(pool, gpus, services, without))
                chosen = std::move(without);
        }
        return chosen;
    }

    /** Preempts for a service short of `want` free GPUs in `pool`: first victims that the
        service will use whole, then the smallest one that covers the rest (so a preemption
        frees as few GPUs the service does not need as it can). */
    void preempt_for_service(const Claim& c, int pool, int want) {
        auto missing = [&] { return want - st_.fleet.free_gpus(pool); };
        std::vector<JobId> rest;
        for (JobId v : victims(c, pool, missing())) {
            if (missing() <= 0)
                return;
            if (st_.job(v).gpus <= missing()) {
                out_.preempt(v);
                ++result_.preempted;
            } else {
                rest.push_back(v);
            }
        }
        if (missing() <= 0)
            return;
        const JobId* smallest = nullptr;
        for (const JobId& v : rest) {
            if (rules_.may_preempt(c, st_.job(v), missing()) &&
                (smallest == nullptr || st_.job(v).gpus < st_.job(*smallest).gpus))
                smallest = &v;
        }
        if (smallest != nullptr) {
            out_.preempt(*smallest);
            ++result_.preempted;
        }
    }

    void grow_service(const Claim& c) {
        const ClassState& s = st_.cls(c.cls);
        const double target = s.needed_ref_gpus(st_.tick_s);
        for (int p : s.pools) {
            const double deficit = target - s.held_eff;
            if (deficit <= 1e-9)
                break;
            if (!allowed(c, p))
                continue;
            const Pool& pool = st_.fleet.pool(p);
            const int want = gpus_for_reference(pool, deficit);
            auto enough = [&] { return st_.fleet.free_gpus(p) >= want; };
            shrink_until(lower_services(c.key, p), p, want - st_.fleet.free_gpus(p), enough);
            if (!enough())
                preempt_for_service(c, p, want);
            const int got = std::min(want, st_.fleet.free_gpus(p));
            if (got > 0)
                out_.set_service_gpus(s.id, p, s.held_by_pool[static_cast<std::size_t>(p)] + got);
        }
        if (target - s.held_eff > 1e-9)
            result_.services_short.push_back(s.id);
    }

    const SchedulerState& st_;
    Decisions& out_;
    const FillRules& rules_;
    FillResult result_;
};

}  // namespace

FillResult ranked_fill(const SchedulerState& state,
                       Decisions& out,
                       std::vector<Claim> claims,
                       const FillRules& rules) {
    return Filler(state, out, rules).run(std::move(claims));
}

std::vector<Claim> claims_for_all(const SchedulerState& state,
                                  const FillRules& rules,
                                  long long max_scan) {
    std::vector<Claim> claims;
    std::vector<Claim> jobs;
    for (const auto& c : state.classes) {
        if (c.kind == Kind::service) {
            claims.push_back(Claim{rules.service_key(c), c.id, -1});
            continue;
        }
        for (JobId jid : first_waiting(c, max_scan))
            jobs.push_back(Claim{rules.job_key(state.job(jid)), c.id, jid});
    }
    // Equal keys: services first, then jobs in submission order across classes.
    std::sort(jobs.begin(), jobs.end(),
              [](const Claim& a, const Claim& b) { return a.job < b.job; });
    claims.insert(claims.end(), jobs.begin(), jobs.end());
    return claims;
}

}  // namespace fleetsim
