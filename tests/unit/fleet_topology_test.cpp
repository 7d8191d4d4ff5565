// The topology graph and the rack-aware placement that reads it.
#include "sim/model/fleet.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace fleetsim;

namespace {

PlatformSpec two_racks_of_four() {
    PlatformSpec p;
    p.name = "t";
    p.reference_gpu_type = "g";
    p.gpu_types.push_back(GpuTypeSpec{"g", 1000, 80, 100, 700, 30000, 4, {}});
    p.sites.push_back(SiteSpec{"s", 0.1, 1.2, 0.4, 0});
    PoolSpec pool;
    pool.name = "a";
    pool.site = "s";
    pool.gpu_type = "g";
    pool.nodes = 8;
    pool.gpus_per_node = 8;
    pool.nodes_per_rack = 4;
    p.pools.push_back(pool);
    return p;
}

std::set<int> racks_of(const Fleet& fleet, const Allocation& a) {
    std::set<int> racks;
    for (const auto& [node, n] : a.parts)
        racks.insert(fleet.topology().rack_of(node));
    return racks;
}

}  // namespace

TEST_SUITE("topology") {
    TEST_CASE("hops count the edges of the fleet tree") {
        FleetTopology t(two_racks_of_four());
        CHECK(t.rack_count() == 2);
        CHECK(t.hops(0, 0) == 0);
        CHECK(t.hops(0, 3) == 2);  // node - rack - node
        CHECK(t.hops(0, 4) == 4);  // node - rack - pool - rack - node
        CHECK(t.racks_spanned({0, 1, 5}) == 2);
    }

    TEST_CASE("a gang of whole nodes goes to the rack that fits it best") {
        const PlatformSpec spec = two_racks_of_four();
        Fleet fleet(spec);
        // One GPU taken: its rack (r) has 3 wholly free nodes left, the other rack 4.
        auto one = fleet.allocate_gang(0, 1, PlacementRule::pack);
        REQUIRE(one);
        const int r = fleet.topology().rack_of(one->parts.front().first);
        const int other = 1 - r;
        // 24 GPUs = 3 whole nodes: best fit is rack r (exactly 3 left), not the other.
        auto three = fleet.allocate_gang(0, 24, PlacementRule::pack);
        REQUIRE(three);
        CHECK(racks_of(fleet, *three) == std::set<int>{r});
        // 32 GPUs = 4 whole nodes: only the other rack holds them all.
        auto four = fleet.allocate_gang(0, 32, PlacementRule::pack);
        REQUIRE(four);
        CHECK(racks_of(fleet, *four) == std::set<int>{other});
        CHECK(fleet.free_gpus() == 64 - 1 - 24 - 32);
    }

    TEST_CASE("a gang larger than a rack spans as few racks as possible") {
        Fleet fleet(two_racks_of_four());
        auto gang = fleet.allocate_gang(0, 48, PlacementRule::pack);  // 6 whole nodes
        REQUIRE(gang);
        CHECK(racks_of(fleet, *gang).size() == 2);
        fleet.release(*gang);
        CHECK(fleet.free_gpus() == 64);
        // Released nodes are wholly free again: a 64-GPU gang fits.
        CHECK(fleet.can_fit(0, 64));
    }
}
