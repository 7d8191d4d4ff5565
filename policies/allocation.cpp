#include "policies/allocation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fleetsim {

void size_services_from_free(const SchedulerState& state,
                             Decisions& out,
                             const std::function<int(ClassId)>& cap_gpus) {
    const auto services = service_classes(state);
    std::vector<std::vector<int>> targets;
    for (ClassId id : services) {
        const ClassState& c = state.cls(id);
        // Budget: what is free plus what the service holds, within its cap.
        std::vector<int> budget(static_cast<std::size_t>(state.fleet.pool_count()), 0);
        int cap_left = cap_gpus ? cap_gpus(id) : std::numeric_limits<int>::max();
        for (int p : c.pools) {
            const int in_pool = std::min(
                cap_left, state.fleet.free_gpus(p) + c.held_by_pool[static_cast<std::size_t>(p)]);
            budget[static_cast<std::size_t>(p)] = in_pool;
            cap_left -= in_pool;
        }
        targets.push_back(plan_service(state, c, c.needed_ref_gpus(state.tick_s), budget));
    }
    for (std::size_t i = 0; i < services.size(); ++i)
        shrink_service_to(out, state.cls(services[i]), targets[i]);
    for (std::size_t i = 0; i < services.size(); ++i)
        grow_service_to(out, state, state.cls(services[i]), targets[i]);
}

JobId start_in_submission_order(const SchedulerState& state,
                                Decisions& out,
                                const std::vector<ClassId>& classes) {
    JobId head = earliest_waiting(state, classes);
    while (head >= 0 && out.start(head))
        head = earliest_waiting(state, classes);
    return head;
}

std::vector<JobId> first_waiting(const ClassState& c, long long max_scan) {
    std::vector<JobId> out;
    for (JobId id : c.waiting) {
        if (static_cast<long long>(out.size()) >= max_scan)
            break;
        out.push_back(id);
    }
    return out;
}

int gpus_for_reference(double speed, double ref_gpus) {
    if (ref_gpus <= 0)
        return 0;
    // A hair of tolerance: 10.000000001 reference GPUs is 10 GPUs, not 11.
    // Saturates at the largest int (more GPUs than any fleet holds, kMaxFleetGpus) instead of
    // wrapping: callers take the min with what is free.
    const double gpus = std::ceil(ref_gpus / speed - 1e-9);
    return gpus >= static_cast<double>(std::numeric_limits<int>::max())
               ? std::numeric_limits<int>::max()
               : static_cast<int>(gpus);
}

std::vector<int> plan_service(const SchedulerState& state,
                              const ClassState& service,
                              double target_ref_gpus,
                              std::vector<int>& budget) {
    return plan_service(state, service, target_ref_gpus, budget, service.pools);
}

std::vector<int> plan_service(const SchedulerState& state,
                              const ClassState& service,
                              double target_ref_gpus,
                              std::vector<int>& budget,
                              const std::vector<int>& pools) {
    std::vector<int> plan(static_cast<std::size_t>(state.fleet.pool_count()), 0);
    double left = target_ref_gpus;
    for (int p : pools) {
        if (left <= 1e-12)
            break;
        int want = std::min(gpus_for_reference(service.speed(p), left),
                            budget[static_cast<std::size_t>(p)]);
        plan[static_cast<std::size_t>(p)] = want;
        budget[static_cast<std::size_t>(p)] -= want;
        left -= want * service.speed(p);
    }
    return plan;
}

void shrink_service_to(Decisions& out, const ClassState& service, const std::vector<int>& target) {
    for (int p : service.pools) {
        const int held = service.held_by_pool[static_cast<std::size_t>(p)];
        if (target[static_cast<std::size_t>(p)] < held)
            out.set_service_gpus(service.id, p, target[static_cast<std::size_t>(p)]);
    }
}

void grow_service_to(Decisions& out,
                     const SchedulerState& state,
                     const ClassState& service,
                     const std::vector<int>& target) {
    for (int p : service.pools) {
        const int held = service.held_by_pool[static_cast<std::size_t>(p)];
        const int want = target[static_cast<std::size_t>(p)];
        if (want <= held)
            continue;
        const int reachable = held + std::min(want - held, state.fleet.free_gpus(p));
        out.set_service_gpus(service.id, p, reachable);
    }
}

std::vector<int> elastic_budget(const SchedulerState& state) {
    std::vector<int> budget(static_cast<std::size_t>(state.fleet.pool_count()), 0);
    for (int p = 0; p < state.fleet.pool_count(); ++p)
        budget[static_cast<std::size_t>(p)] = state.fleet.free_gpus(p);
    for (const auto& c : state.classes) {
        if (c.kind != Kind::service)
            continue;
        for (int p = 0; p < state.fleet.pool_count(); ++p)
            budget[static_cast<std::size_t>(p)] += c.held_by_pool[static_cast<std::size_t>(p)];
    }
    return budget;
}

JobId earliest_waiting(const SchedulerState& state, const std::vector<ClassId>& classes) {
    JobId best = -1;
    for (ClassId id : classes) {
        const auto& w = state.cls(id).waiting;
        if (!w.empty() && (best < 0 || *w.begin() < best))
            best = *w.begin();
    }
    return best;
}

std::vector<ClassId> batch_classes(const SchedulerState& state) {
    std::vector<ClassId> out;
    for (const auto& c : state.classes) {
        if (c.kind == Kind::batch)
            out.push_back(c.id);
    }
    return out;
}

std::vector<ClassId> service_classes(const SchedulerState& state) {
    std::vector<ClassId> out;
    for (const auto& c : state.classes) {
        if (c.kind == Kind::service)
            out.push_back(c.id);
    }
    return out;
}

}  // namespace fleetsim
