#include "sim/model/fleet.hpp"

#include <algorithm>
#include <stdexcept>

namespace fleetsim {

Fleet::Fleet(const PlatformSpec& platform) {
    const GpuTypeSpec* reference = nullptr;
    for (const auto& t : platform.gpu_types) {
        if (t.name == platform.reference_gpu_type)
            reference = &t;
    }
    if (reference == nullptr)
        throw std::logic_error("platform without its reference GPU type");
    int node = 0;
    for (const auto& spec : platform.pools) {
        Pool p;
        p.name = spec.name;
        p.index = static_cast<int>(pools_.size());
        for (const auto& t : platform.gpu_types) {
            if (t.name == spec.gpu_type)
                p.gpu_type = &t;
        }
        for (const auto& s : platform.sites) {
            if (s.name == spec.site)
                p.site = &s;
        }
        if (p.gpu_type == nullptr || p.site == nullptr)
            throw std::logic_error("unresolved pool reference");
        p.nodes = spec.nodes;
        p.gpus_per_node = spec.gpus_per_node;
        p.nodes_per_rack = spec.nodes_per_rack;
        p.first_node = node;
        p.total_gpus = spec.nodes * spec.gpus_per_node;
        p.speed_factor = p.gpu_type->dense_bf16_tflops / reference->dense_bf16_tflops;
        // design.md section 3: GPU-hour cost = amortized capex + energy + overhead - subsidy.
        const double hours_of_life = p.gpu_type->amortization_years * 8760.0;
        p.cost.fixed_usd_per_gpu_s =
            (p.gpu_type->capex_usd / hours_of_life + p.site->overhead_usd_per_gpu_h -
             p.site->subsidy_usd_per_gpu_h) /
            3600.0;
        p.cost.energy_usd_per_j = p.site->energy_usd_per_kwh * p.site->pue / 3.6e6;
        p.cost.power_idle_w = p.gpu_type->power_idle_w;
        p.cost.power_busy_w = p.gpu_type->power_busy_w;
        p.cost.pue = p.site->pue;
        node += spec.nodes;
        total_gpus_ += p.total_gpus;
        pools_.push_back(p);
    }
    node_pool_.resize(static_cast<std::size_t>(node));
    node_free_.resize(static_cast<std::size_t>(node));
    slot_.resize(static_cast<std::size_t>(node));
    pool_free_.resize(pools_.size());
    by_free_.resize(pools_.size());
    for (const auto& p : pools_) {
        auto& buckets = by_free_[static_cast<std::size_t>(p.index)];
        buckets.resize(static_cast<std::size_t>(p.gpus_per_node) + 1);
        for (int n = p.first_node; n < p.first_node + p.nodes; ++n) {
            node_pool_[static_cast<std::size_t>(n)] = p.index;
            node_free_[static_cast<std::size_t>(n)] = p.gpus_per_node;
            bucket_insert(n);
        }
        pool_free_[static_cast<std::size_t>(p.index)] = p.total_gpus;
    }
    free_gpus_ = total_gpus_;
}

int Fleet::largest_pool_gpus() const {
    int best = 0;
    for (const auto& p : pools_)
        best = std::max(best, p.total_gpus);
    return best;
}

void Fleet::bucket_insert(int node) {
    auto& bucket = by_free_[static_cast<std::size_t>(node_pool(node))]
                           [static_cast<std::size_t>(node_free(node))];
    slot_[static_cast<std::size_t>(node)] = static_cast<int>(bucket.size());
    bucket.push_back(node);
}

void Fleet::bucket_remove(int node) {
    auto& bucket = by_free_[static_cast<std::size_t>(node_pool(node))]
                           [static_cast<std::size_t>(node_free(node))];
    const int at = slot_[static_cast<std::size_t>(node)];
    const int moved = bucket.back();
    bucket[static_cast<std::size_t>(at)] = moved;
    slot_[static_cast<std::size_t>(moved)] = at;
    bucket.pop_back();
}

void Fleet::take(int node, int gpus) {
    if (gpus <= 0)
        return;
    if (gpus > node_free(node))
        throw std::logic_error("taking more GPUs than a node has free");
    bucket_remove(node);
    node_free_[static_cast<std::size_t>(node)] -= gpus;
    bucket_insert(node);
    pool_free_[static_cast<std::size_t>(node_pool(node))] -= gpus;
    free_gpus_ -= gpus;
}

void Fleet::give(int node, int gpus) {
    if (gpus <= 0)
        return;
    const Pool& p = pool(node_pool(node));
    if (node_free(node) + gpus > p.gpus_per_node)
        throw std::logic_error("releasing GPUs that were not taken");
    bucket_remove(node);
    node_free_[static_cast<std::size_t>(node)] += gpus;
    bucket_insert(node);
    pool_free_[static_cast<std::size_t>(node_pool(node))] += gpus;
    free_gpus_ += gpus;
}

bool Fleet::can_fit(int pool_index, int gpus) const {
    if (gpus <= 0 || pool_index < 0 || pool_index >= pool_count())
        return false;
    if (free_gpus(pool_index) < gpus)
        return false;
    const Pool& p = pool(pool_index);
    const auto& buckets = by_free_[static_cast<std::size_t>(pool_index)];
    const int gpn = p.gpus_per_node;
    const int whole = gpus / gpn;
    const int rest = gpus % gpn;
    const auto full_free = static_cast<int>(buckets[static_cast<std::size_t>(gpn)].size());
    if (full_free < whole)
        return false;
    if (rest == 0)
        return true;
    if (full_free > whole)
        return true;
    for (int f = rest; f < gpn; ++f) {
        if (!buckets[static_cast<std::size_t>(f)].empty())
            return true;
    }
    return false;
}

std::optional<Allocation> Fleet::allocate_gang(int pool_index, int gpus, PlacementRule rule) {
    if (!can_fit(pool_index, gpus))
        return std::nullopt;
    auto& buckets = by_free_[static_cast<std::size_t>(pool_index)];
    const int gpn = pool(pool_index).gpus_per_node;
    Allocation a;
    a.pool = pool_index;
    a.gpus = gpus;
    int whole = gpus / gpn;
    int rest = gpus % gpn;
    if (whole == 0 && rule == PlacementRule::spread) {
        // Spread: the emptiest node that fits takes the whole (small) gang.
        for (int f = gpn; f >= rest; --f) {
            auto& bucket = buckets[static_cast<std::size_t>(f)];
            if (bucket.empty())
                continue;
            int node = bucket.back();
            take(node, rest);
            a.parts.emplace_back(node, rest);
            return a;
        }
    }
    for (int i = 0; i < whole; ++i) {
        int node = buckets[static_cast<std::size_t>(gpn)].back();
        take(node, gpn);
        a.parts.emplace_back(node, gpn);
    }
    if (rest > 0) {
        for (int f = rest; f <= gpn; ++f) {
            auto& bucket = buckets[static_cast<std::size_t>(f)];
            if (bucket.empty())
                continue;
            int node = bucket.back();
            take(node, rest);
            a.parts.emplace_back(node, rest);
            break;
        }
    }
    return a;
}

bool Fleet::grow(Allocation& held, int pool_index, int gpus) {
    if (gpus <= 0)
        return true;
    if (held.pool != -1 && held.pool != pool_index)
        throw std::logic_error("an allocation spans one pool");
    if (free_gpus(pool_index) < gpus)
        return false;
    held.pool = pool_index;
    auto& buckets = by_free_[static_cast<std::size_t>(pool_index)];
    const int gpn = pool(pool_index).gpus_per_node;
    int need = gpus;
    // Fragmented nodes first: they are of no use to gangs that want whole nodes.
    for (int f = 1; f <= gpn && need > 0; ++f) {
        auto& bucket = buckets[static_cast<std::size_t>(f)];
        while (!bucket.empty() && need > 0) {
            int node = bucket.back();
            int n = std::min(need, f);
            take(node, n);
            if (!held.parts.empty() && held.parts.back().first == node) {
                held.parts.back().second += n;
            } else {
                held.parts.emplace_back(node, n);
            }
            need -= n;
        }
    }
    held.gpus += gpus;
    return true;
}

void Fleet::shrink(Allocation& held, int gpus) {
    if (gpus > held.gpus)
        throw std::logic_error("shrinking an allocation below zero");
    int left = gpus;
    while (left > 0) {
        auto& [node, n] = held.parts.back();
        int k = std::min(left, n);
        give(node, k);
        n -= k;
        left -= k;
        if (n == 0)
            held.parts.pop_back();
    }
    held.gpus -= gpus;
    if (held.gpus == 0)
        held.pool = -1;
}

void Fleet::release(const Allocation& allocation) {
    for (const auto& [node, n] : allocation.parts)
        give(node, n);
}

}  // namespace fleetsim
