#include "sim/model/failure_state.hpp"

#include <algorithm>
#include <stdexcept>

namespace fleetsim {

FailureState::FailureState(const PlatformSpec& platform, const Fleet& fleet, int classes)
    : enabled_(platform.failures.enabled()) {
    if (!enabled_)
        return;
    rates_.resize(static_cast<std::size_t>(fleet.pool_count()));
    for (const auto& pool : fleet.pools()) {
        PoolFailureRates& r = rates_[static_cast<std::size_t>(pool.index)];
        for (const auto& g : platform.failures.gpu_types) {
            if (g.gpu_type == pool.gpu_type->name)
                r.per_gpu_s += 1.0 / (g.mode.mtbf_h * 3600.0);
        }
        for (const auto& pf : platform.failures.pools) {
            if (pf.pool != pool.name)
                continue;
            if (pf.node)
                r.per_node_s += 1.0 / (pf.node->mtbf_h * 3600.0);
            if (pf.rack)
                r.per_rack_s += 1.0 / (pf.rack->mtbf_h * 3600.0);
        }
    }
    up_at_.assign(static_cast<std::size_t>(fleet.node_count()), 0);
    rack_failed_at_.assign(static_cast<std::size_t>(fleet.topology().rack_count()),
                           -std::numeric_limits<double>::infinity());
    deficit_.assign(static_cast<std::size_t>(classes), 0);
}

double FailureState::gang_failure_rate_per_s(const Allocation& alloc, const Fleet& fleet) const {
    if (!enabled_ || alloc.pool < 0)
        return 0;
    const Pool& pool = fleet.pool(alloc.pool);
    const PoolFailureRates& r = rates(alloc.pool);
    // A GPU failure takes its whole node down, so every GPU of a node the gang uses counts,
    // not only the gang's own.
    std::vector<int> nodes, racks;
    for (const auto& [node, gpus] : alloc.parts) {
        nodes.push_back(node);
        racks.push_back(fleet.topology().rack_of(node));
    }
    std::sort(nodes.begin(), nodes.end());
    std::sort(racks.begin(), racks.end());
    const auto distinct_nodes =
        static_cast<double>(std::unique(nodes.begin(), nodes.end()) - nodes.begin());
    const auto distinct_racks =
        static_cast<double>(std::unique(racks.begin(), racks.end()) - racks.begin());
    return distinct_nodes * (pool.gpus_per_node * r.per_gpu_s + r.per_node_s) +
           distinct_racks * r.per_rack_s;
}

double FailureState::gang_mtbi_s(const Allocation& alloc, const Fleet& fleet) const {
    const double rate = gang_failure_rate_per_s(alloc, fleet);
    return rate > 0 ? 1.0 / rate : std::numeric_limits<double>::infinity();
}

std::vector<int> FailureState::nodes_of(const FailureEvent& e, const Fleet& fleet) const {
    if (!e.nodes.empty())
        return e.nodes;
    const Pool& pool = fleet.pool(e.pool);
    std::vector<int> out;
    switch (e.cause) {
        case FailureCause::gpu:
        case FailureCause::node:
            out.push_back(pool.first_node + e.first);
            break;
        case FailureCause::rack:
            // What fails together is the topology's rack, not a count of nodes.
            out = fleet.topology().nodes_of_rack(
                fleet.topology().racks_of_pool(e.pool)[static_cast<std::size_t>(e.first)]);
            break;
        case FailureCause::maintenance:
            for (int n = 0; n < e.count; ++n)
                out.push_back(pool.first_node + e.first + n);
            break;
    }
    return out;
}

double FailureState::next_repair_s() const {
    return repairs_.empty() ? std::numeric_limits<double>::infinity() : repairs_.top().first;
}

bool FailureState::mark_down(int node, double up_at_s, int rack, double now_s) {
    double& up_at = up_at_[static_cast<std::size_t>(node)];
    const bool was_up = up_at <= 0;
    rack_failed_at_[static_cast<std::size_t>(rack)] = now_s;
    if (up_at_s > up_at) {
        up_at = up_at_s;
        repairs_.push({up_at_s, node});
    }
    return was_up;
}

std::vector<int> FailureState::take_repairs(double now_s) {
    std::vector<int> up;
    while (!repairs_.empty() && repairs_.top().first <= now_s) {
        const auto [t, node] = repairs_.top();
        repairs_.pop();
        // A node whose repair was pushed back by a later failure has a newer entry.
        if (up_at_[static_cast<std::size_t>(node)] != t)
            continue;
        up_at_[static_cast<std::size_t>(node)] = 0;
        up.push_back(node);
    }
    std::sort(up.begin(), up.end());
    return up;
}

void FailureState::service_grew(int cls, double ref_gpus) {
    double& d = deficit_[static_cast<std::size_t>(cls)];
    d = std::max(0.0, d - ref_gpus);
}

}  // namespace fleetsim
