#pragma once
// The fleet as the scheduler sees it: pools of nodes, how many GPUs are free on each node, and
// what a GPU-second costs in each pool. Placement lives here because it must see free GPUs per
// node: a gang that needs whole nodes cannot use scattered free GPUs (fragmentation is real).

#include "sim/config/spec.hpp"
#include "sim/model/fleet_topology.hpp"

#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fleetsim {

/** GPUs given to one job or one service in one pool: (node index, GPUs on it). */
struct Allocation {
    int pool = -1;
    int gpus = 0;
    std::vector<std::pair<int, int>> parts;
};

/** How a gang chooses among nodes that fit. */
enum class PlacementRule {
    pack,    ///< best fit: the fullest node that fits, so whole nodes stay free for big gangs
    spread,  ///< worst fit: the emptiest node, spreading load (and heat) across nodes
};

/** Cost of one GPU-second in a pool, split the way design.md section 3 defines GPU-hour cost. */
struct PoolCostRates {
    double fixed_usd_per_gpu_s = 0;  ///< amortized capex + overhead - subsidy, busy or idle
    double energy_usd_per_j = 0;     ///< facility energy price per joule of IT energy (x PUE)
    double power_idle_w = 0;
    double power_busy_w = 0;
    double pue = 1;
};

struct Pool {
    std::string name;
    int index = 0;
    const GpuTypeSpec* gpu_type = nullptr;
    const SiteSpec* site = nullptr;
    int nodes = 0;
    int gpus_per_node = 0;
    int nodes_per_rack = 1;
    int first_node = 0;  ///< global index of the pool's first node
    int total_gpus = 0;
    double speed_factor = 1;  ///< dense_bf16_tflops relative to the reference GPU type
    PoolCostRates cost;
    double online_at_s = 0;                                        ///< owned from here (PoolSpec)
    double retire_at_s = std::numeric_limits<double>::infinity();  ///< to here
    bool retire_keeps_work = true;  ///< on_retire: migrate (true) or preempt
};

/**
 * How fast a class's work runs on a pool's GPUs relative to the reference GPU: the throughput
 * matrix's entry for the pool's GPU type (WorkloadClassSpec::speed_by_gpu_type), else the
 * type's dense BF16 ratio, speed_factor (docs/model.md).
 */
double class_speed(const WorkloadClassSpec& cls, const Pool& pool);

class Fleet {
public:
    explicit Fleet(const PlatformSpec& platform);

    const std::vector<Pool>& pools() const { return pools_; }
    const Pool& pool(int index) const { return pools_[static_cast<std::size_t>(index)]; }
    int pool_count() const { return static_cast<int>(pools_.size()); }
    int node_count() const { return static_cast<int>(node_pool_.size()); }
    int node_pool(int node) const { return node_pool_[static_cast<std::size_t>(node)]; }
    int node_free(int node) const { return node_free_[static_cast<std::size_t>(node)]; }
    /** A node's name, `<pool>-<index in the pool>`: its SimGrid host's, and failure logs'. */
    std::string node_name(int node) const {
        const Pool& p = pool(node_pool(node));
        return p.name + "-" + std::to_string(node - p.first_node);
    }
    int total_gpus() const { return total_gpus_; }
    int free_gpus() const { return free_gpus_; }
    int free_gpus(int pool) const { return pool_free_[static_cast<std::size_t>(pool)]; }
    int largest_pool_gpus() const;
    const FleetTopology& topology() const { return topology_; }

    /** Whether `gpus` for one gang would fit in `pool` right now (no change made). */
    bool can_fit(int pool, int gpus) const;
    /** Places a gang: whole free nodes first, then the remainder by `rule`. Nothing on failure. */
    std::optional<Allocation> allocate_gang(int pool, int gpus, PlacementRule rule);
    /** Takes `gpus` from any free GPUs of `pool`, fragmented nodes first (for fluid services). */
    bool grow(Allocation& held, int pool, int gpus);
    /** Gives back `gpus` from `held`, most recently taken first. */
    void shrink(Allocation& held, int gpus);
    void release(const Allocation& allocation);

    // ---- failures (sim/model/failure_state.hpp): a node that is down has no free GPUs ----
    /** Takes a node that holds nothing out of service: its GPUs are neither free nor held. */
    void take_down(int node);
    /** Puts a node that was down back in service, wholly free. */
    void bring_up(int node);
    bool is_down(int node) const {
        return !node_down_.empty() && node_down_[static_cast<std::size_t>(node)] != 0;
    }
    int down_gpus() const { return down_gpus_; }
    int down_gpus(int pool) const {
        return pool_down_.empty() ? 0 : pool_down_[static_cast<std::size_t>(pool)];
    }
    // ---- fleets that change over time (docs/model.md): a pool not owned has no GPUs at all ----
    /** Whether the pool is owned (online, not retired) now. */
    bool owned(int pool) const {
        return pool_off_.empty() || pool_off_[static_cast<std::size_t>(pool)] == 0;
    }
    /** GPUs of the pool that are owned now (all or none), and of the fleet. */
    int owned_gpus(int pool) const { return owned(pool) ? this->pool(pool).total_gpus : 0; }
    int owned_gpus() const { return total_gpus_ - off_gpus_; }
    /** Takes a pool out of the fleet (not yet online, or retired): it must hold nothing; its
        nodes that are down come back first (a retired node is no longer the fleet's). */
    void retire_pool(int pool);
    /** Puts a pool that was out of the fleet in, every node wholly free. */
    void commission_pool(int pool);

    /** Gives back what `held` has on `node` (a service losing a failed node); returns the GPUs. */
    int drop_node(Allocation& held, int node);
    // Exact placement, for a caller that has chosen the nodes itself (a block of the fleet
    // mirrors what a policy decided on its own view of the block's nodes:
    // policies/fleet_block.hpp). Nodes are this fleet's indices, all in `pool`.
    /** Whether every (node, GPUs) part is in `pool` and has its GPUs free (no change made). */
    bool parts_free(int pool, const std::vector<std::pair<int, int>>& parts) const;
    /** Takes exactly `parts` of `pool` as one allocation; nothing when one is not free. */
    std::optional<Allocation> allocate_parts(int pool,
                                             const std::vector<std::pair<int, int>>& parts);
    /** Makes `held` exactly `parts` of `pool` (GPUs given back where it holds more, taken where
        it holds fewer); false and no change when a node lacks the GPUs to take. */
    bool reshape(Allocation& held, int pool, const std::vector<std::pair<int, int>>& parts);

private:
    void take(int node, int gpus);
    void give(int node, int gpus);
    void bucket_remove(int node);
    void bucket_insert(int node);
    void rack_bucket_move(int rack, int delta);
    /** A node of `pool` with at least `gpus` free: the fullest such node, or the emptiest. */
    int node_fitting(int pool, int gpus, bool emptiest) const;
    /** Takes `count` whole free nodes of `pool`, from as few racks as possible. */
    void take_whole_nodes(int pool, int count, Allocation& into);

    std::vector<Pool> pools_;
    std::vector<int> node_pool_;
    std::vector<int> node_free_;
    std::vector<int> pool_free_;
    // by_free_[pool][f] lists the nodes of `pool` with exactly f free GPUs (best fit in O(gpn)).
    std::vector<std::vector<std::vector<int>>> by_free_;
    std::vector<int> slot_;  ///< node's position in its bucket
    FleetTopology topology_;
    // racks_by_full_[pool][k] lists the racks of `pool` with exactly k wholly free nodes.
    std::vector<int> rack_full_free_;
    std::vector<std::vector<std::vector<int>>> racks_by_full_;
    std::vector<int> rack_slot_;
    int total_gpus_ = 0;
    int free_gpus_ = 0;
    // Failures: empty until the first node goes down, so runs without failures pay nothing.
    std::vector<char> node_down_;
    std::vector<int> pool_down_;
    int down_gpus_ = 0;
    // Pools out of the fleet: empty until the first one goes, as node_down_.
    std::vector<char> pool_off_;
    int off_gpus_ = 0;
};

}  // namespace fleetsim
