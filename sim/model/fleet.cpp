#include "sim/model/fleet.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace fleetsim {

double class_speed(const WorkloadClassSpec& cls, const Pool& pool) {
    const auto it = cls.speed_by_gpu_type.find(pool.gpu_type->name);
    if (it != cls.speed_by_gpu_type.end())
        return it->second;
    const auto& by_family = pool.gpu_type->speed_by_family;
    const auto f = by_family.find(to_string(cls.family));
    return f != by_family.end() ? f->second : pool.speed_factor;
}

Fleet::Fleet(const PlatformSpec& platform) : topology_(platform) {
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
        // A rented pool pays its rental price instead of amortized capex (docs/model.md).
        const double ownership_usd_per_gpu_h =
            spec.rented() ? spec.rental_usd_per_gpu_h : p.gpu_type->capex_usd / hours_of_life;
        p.cost.fixed_usd_per_gpu_s = (ownership_usd_per_gpu_h + p.site->overhead_usd_per_gpu_h -
                                      p.site->subsidy_usd_per_gpu_h) /
                                     3600.0;
        p.online_at_s = spec.online_at_s;
        p.retire_at_s = spec.retire_at_s;
        p.retire_keeps_work = spec.on_retire == PoolSpec::OnRetire::migrate;
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
    // Every node starts wholly free.
    rack_full_free_.assign(static_cast<std::size_t>(topology_.rack_count()), 0);
    rack_slot_.assign(static_cast<std::size_t>(topology_.rack_count()), 0);
    racks_by_full_.resize(pools_.size());
    for (const auto& p : pools_) {
        auto& buckets = racks_by_full_[static_cast<std::size_t>(p.index)];
        buckets.resize(static_cast<std::size_t>(p.nodes_per_rack) + 1);
        for (int rack : topology_.racks_of_pool(p.index)) {
            const auto k = topology_.nodes_of_rack(rack).size();
            rack_full_free_[static_cast<std::size_t>(rack)] = static_cast<int>(k);
            rack_slot_[static_cast<std::size_t>(rack)] = static_cast<int>(buckets[k].size());
            buckets[k].push_back(rack);
        }
    }
}

void Fleet::rack_bucket_move(int rack, int delta) {
    const int pool_index = node_pool(topology_.nodes_of_rack(rack).front());
    auto& buckets = racks_by_full_[static_cast<std::size_t>(pool_index)];
    int& count = rack_full_free_[static_cast<std::size_t>(rack)];
    auto& from = buckets[static_cast<std::size_t>(count)];
    const int at = rack_slot_[static_cast<std::size_t>(rack)];
    const int moved = from.back();
    from[static_cast<std::size_t>(at)] = moved;
    rack_slot_[static_cast<std::size_t>(moved)] = at;
    from.pop_back();
    count += delta;
    auto& to = buckets[static_cast<std::size_t>(count)];
    rack_slot_[static_cast<std::size_t>(rack)] = static_cast<int>(to.size());
    to.push_back(rack);
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
    if (node_free(node) == pool(node_pool(node)).gpus_per_node)
        rack_bucket_move(topology_.rack_of(node), -1);
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
    if (node_free(node) == p.gpus_per_node)
        rack_bucket_move(topology_.rack_of(node), +1);
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
    const int gpn = pool(pool_index).gpus_per_node;
    Allocation a;
    a.pool = pool_index;
    a.gpus = gpus;
    const int whole = gpus / gpn;
    int rest = gpus % gpn;
    if (whole == 0 && rule == PlacementRule::spread) {
        // Spread: the emptiest node that fits takes the whole (small) gang.
        const int node = node_fitting(pool_index, rest, /*emptiest=*/true);
        take(node, rest);
        a.parts.emplace_back(node, rest);
        return a;
    }
    take_whole_nodes(pool_index, whole, a);
    if (rest > 0 && whole > 0) {
        // The remainder next to the whole nodes when a node of their racks has room.
        int best = -1;
        for (const auto& [used, n] : a.parts) {
            for (int node : topology_.nodes_of_rack(topology_.rack_of(used))) {
                const int f = node_free(node);
                if (f >= rest && f < gpn && (best < 0 || f < node_free(best)))
                    best = node;
            }
        }
        if (best >= 0) {
            take(best, rest);
            a.parts.emplace_back(best, rest);
            rest = 0;
        }
    }
    if (rest > 0) {
        // Best fit: the fullest node that still has room keeps emptier nodes whole.
        const int node = node_fitting(pool_index, rest, /*emptiest=*/false);
        take(node, rest);
        a.parts.emplace_back(node, rest);
    }
    return a;
}

int Fleet::node_fitting(int pool_index, int gpus, bool emptiest) const {
    const auto& buckets = by_free_[static_cast<std::size_t>(pool_index)];
    const int gpn = pool(pool_index).gpus_per_node;
    for (int k = 0; k <= gpn - gpus; ++k) {
        const int f = emptiest ? gpn - k : gpus + k;
        const auto& bucket = buckets[static_cast<std::size_t>(f)];
        if (!bucket.empty())
            return bucket.back();
    }
    throw std::logic_error("no node fits a gang that can_fit() accepted");
}

void Fleet::take_whole_nodes(int pool_index, int count, Allocation& into) {
    if (count <= 0)
        return;
    const int gpn = pool(pool_index).gpus_per_node;
    auto& racks = racks_by_full_[static_cast<std::size_t>(pool_index)];
    const int largest = static_cast<int>(racks.size()) - 1;
    auto take_from_rack = [&](int rack, int n) {
        for (int node : topology_.nodes_of_rack(rack)) {
            if (n == 0)
                break;
            if (node_free(node) != gpn)
                continue;
            take(node, gpn);
            into.parts.emplace_back(node, gpn);
            --n;
        }
    };
    // Best fit: the rack with the fewest wholly free nodes that still holds the whole gang.
    for (int k = count; k <= largest; ++k) {
        if (!racks[static_cast<std::size_t>(k)].empty()) {
            take_from_rack(racks[static_cast<std::size_t>(k)].back(), count);
            return;
        }
    }
    // Otherwise as few racks as possible: the fullest-free racks first.
    int left = count;
    while (left > 0) {
        int k = largest;
        while (k > 0 && racks[static_cast<std::size_t>(k)].empty())
            --k;
        if (k == 0)
            throw std::logic_error("whole nodes counted free but not found in any rack");
        const int n = std::min(left, k);
        take_from_rack(racks[static_cast<std::size_t>(k)].back(), n);
        left -= n;
    }
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

void Fleet::take_down(int node) {
    const Pool& p = pool(node_pool(node));
    if (is_down(node))
        throw std::logic_error("taking down a node that is down");
    if (node_free(node) != p.gpus_per_node)
        throw std::logic_error("taking down a node that still holds GPUs");
    if (node_down_.empty()) {
        node_down_.assign(node_pool_.size(), 0);
        pool_down_.assign(pools_.size(), 0);
    }
    // Out of every bucket: placement never sees it; its rack has one wholly free node less.
    bucket_remove(node);
    rack_bucket_move(topology_.rack_of(node), -1);
    node_free_[static_cast<std::size_t>(node)] = 0;
    node_down_[static_cast<std::size_t>(node)] = 1;
    pool_free_[static_cast<std::size_t>(p.index)] -= p.gpus_per_node;
    free_gpus_ -= p.gpus_per_node;
    pool_down_[static_cast<std::size_t>(p.index)] += p.gpus_per_node;
    down_gpus_ += p.gpus_per_node;
}

void Fleet::bring_up(int node) {
    const Pool& p = pool(node_pool(node));
    if (!is_down(node))
        throw std::logic_error("bringing up a node that is not down");
    node_down_[static_cast<std::size_t>(node)] = 0;
    node_free_[static_cast<std::size_t>(node)] = p.gpus_per_node;
    bucket_insert(node);
    rack_bucket_move(topology_.rack_of(node), +1);
    pool_free_[static_cast<std::size_t>(p.index)] += p.gpus_per_node;
    free_gpus_ += p.gpus_per_node;
    pool_down_[static_cast<std::size_t>(p.index)] -= p.gpus_per_node;
    down_gpus_ -= p.gpus_per_node;
}

void Fleet::retire_pool(int index) {
    const Pool& p = pool(index);
    if (!owned(index))
        throw std::logic_error("retiring pool " + p.name + ", which is not in the fleet");
    if (pool_off_.empty())
        pool_off_.assign(pools_.size(), 0);
    for (int n = p.first_node; n < p.first_node + p.nodes; ++n) {
        if (is_down(n))
            bring_up(n);
        if (node_free(n) != p.gpus_per_node)
            throw std::logic_error("retiring pool " + p.name + " while it holds GPUs");
        // Out of every bucket, as a node that is down: placement never sees it.
        bucket_remove(n);
        rack_bucket_move(topology_.rack_of(n), -1);
        node_free_[static_cast<std::size_t>(n)] = 0;
    }
    pool_free_[static_cast<std::size_t>(index)] = 0;
    free_gpus_ -= p.total_gpus;
    off_gpus_ += p.total_gpus;
    pool_off_[static_cast<std::size_t>(index)] = 1;
}

void Fleet::commission_pool(int index) {
    const Pool& p = pool(index);
    if (owned(index))
        throw std::logic_error("commissioning pool " + p.name + ", which is in the fleet");
    for (int n = p.first_node; n < p.first_node + p.nodes; ++n) {
        node_free_[static_cast<std::size_t>(n)] = p.gpus_per_node;
        bucket_insert(n);
        rack_bucket_move(topology_.rack_of(n), +1);
    }
    pool_free_[static_cast<std::size_t>(index)] = p.total_gpus;
    free_gpus_ += p.total_gpus;
    off_gpus_ -= p.total_gpus;
    pool_off_[static_cast<std::size_t>(index)] = 0;
}

int Fleet::drop_node(Allocation& held, int node) {
    int dropped = 0;
    std::erase_if(held.parts, [&](const std::pair<int, int>& part) {
        if (part.first != node)
            return false;
        dropped += part.second;
        return true;
    });
    give(node, dropped);
    held.gpus -= dropped;
    if (held.gpus == 0)
        held.pool = -1;
    return dropped;
}

namespace {

/** GPUs per node of a list of parts (a node may appear in several parts). */
std::map<int, int> gpus_by_node(const std::vector<std::pair<int, int>>& parts) {
    std::map<int, int> by_node;
    for (const auto& [node, n] : parts)
        by_node[node] += n;
    return by_node;
}

}  // namespace

bool Fleet::parts_free(int pool_index, const std::vector<std::pair<int, int>>& parts) const {
    if (pool_index < 0 || pool_index >= pool_count())
        return false;
    for (const auto& [node, n] : gpus_by_node(parts)) {
        if (node < 0 || node >= node_count() || node_pool(node) != pool_index || n <= 0 ||
            n > node_free(node))
            return false;
    }
    return true;
}

std::optional<Allocation> Fleet::allocate_parts(int pool_index,
                                                const std::vector<std::pair<int, int>>& parts) {
    if (parts.empty() || !parts_free(pool_index, parts))
        return std::nullopt;
    Allocation a;
    a.pool = pool_index;
    for (const auto& [node, n] : parts) {
        take(node, n);
        a.gpus += n;
    }
    a.parts = parts;
    return a;
}

bool Fleet::reshape(Allocation& held,
                    int pool_index,
                    const std::vector<std::pair<int, int>>& parts) {
    if (held.pool != -1 && held.pool != pool_index)
        throw std::logic_error("an allocation spans one pool");
    const std::map<int, int> now = gpus_by_node(held.parts);
    const std::map<int, int> want = gpus_by_node(parts);
    std::vector<std::pair<int, int>> more;  // (node, GPUs to take)
    for (const auto& [node, n] : want) {
        const auto it = now.find(node);
        const int extra = n - (it == now.end() ? 0 : it->second);
        if (extra > 0)
            more.emplace_back(node, extra);
    }
    if (!more.empty() && !parts_free(pool_index, more))
        return false;
    for (const auto& [node, n] : now) {
        const auto it = want.find(node);
        const int fewer = n - (it == want.end() ? 0 : it->second);
        if (fewer > 0)
            give(node, fewer);
    }
    int gpus = 0;
    for (const auto& [node, n] : more)
        take(node, n);
    for (const auto& [node, n] : parts)
        gpus += n;
    held.parts = parts;
    held.gpus = gpus;
    held.pool = gpus > 0 ? pool_index : -1;
    return true;
}

}  // namespace fleetsim
