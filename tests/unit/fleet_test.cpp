// Fleet placement (sim/model/fleet): gangs by whole nodes first, pack (best fit) and spread
// (worst fit) for the rest, services into fragments first, and fragmentation is real: a gang
// that needs whole nodes cannot use scattered free GPUs.
#include "sim/model/fleet.hpp"

#include "tests/support/specs.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;
using namespace fleetsim::test;

namespace {

struct FleetFixture {
    TempDir dir{"fleet"};
    ScenarioSpec spec;
    explicit FleetFixture(int slow_nodes)
        : spec(load_yaml_scenario(dir,
                                  "name: f\n" + small_platform_yaml(slow_nodes) +
                                      "workload:\n  name: w\n  classes:\n    t: {family: llm, "
                                      "kind: batch, arrival_rate_per_h: 1, gpus: 1, duration_s: "
                                      "1, value_usd_per_gpu_h: 1}\n"
                                      "policy: fifo\nhorizon_s: 60\nseed: 1\ntick_s: 60\n")) {}
};

int nodes_used(const Allocation& a) {
    return static_cast<int>(a.parts.size());
}

}  // namespace

TEST_SUITE("fleet") {
    TEST_CASE("pools, speed factors and cost rates come from the platform") {
        FleetFixture f(3);
        Fleet fleet(f.spec.platform);
        REQUIRE(fleet.pool_count() == 2);
        CHECK(fleet.total_gpus() == 32);
        CHECK(fleet.node_count() == 4);
        CHECK(fleet.pool(0).speed_factor == 1);
        CHECK(fleet.pool(1).speed_factor == 2);
        // 35,040 USD / (4 x 8,760 h) = 1 USD/GPU-h, + 0.5 overhead.
        CHECK(fleet.pool(0).cost.fixed_usd_per_gpu_s * 3600 == doctest::Approx(1.5));
        CHECK(fleet.pool(1).cost.fixed_usd_per_gpu_s * 3600 == doctest::Approx(2.5));
        // 0.10 USD/kWh x PUE 1.25 per joule of IT energy.
        CHECK(fleet.pool(0).cost.energy_usd_per_j * 3.6e6 == doctest::Approx(0.125));
    }

    TEST_CASE("pack puts a small gang on the fullest node that fits, spread on the emptiest") {
        FleetFixture f(3);
        {
            Fleet fleet(f.spec.platform);
            auto a = fleet.allocate_gang(0, 4, PlacementRule::pack);
            auto b = fleet.allocate_gang(0, 2, PlacementRule::pack);
            REQUIRE(a);
            REQUIRE(b);
            CHECK(a->parts.front().first == b->parts.front().first);  // same node
            CHECK(fleet.node_free(a->parts.front().first) == 2);
            CHECK(fleet.free_gpus(0) == 18);
        }
        {
            Fleet fleet(f.spec.platform);
            auto a = fleet.allocate_gang(0, 4, PlacementRule::spread);
            auto b = fleet.allocate_gang(0, 2, PlacementRule::spread);
            REQUIRE(a);
            REQUIRE(b);
            CHECK(a->parts.front().first != b->parts.front().first);  // another, empty node
            CHECK(fleet.node_free(b->parts.front().first) == 6);
        }
    }

    TEST_CASE("a gang larger than a node takes whole nodes, then the rest by the rule") {
        FleetFixture f(3);
        Fleet fleet(f.spec.platform);
        auto part = fleet.allocate_gang(0, 3, PlacementRule::pack);  // one node now has 5 free
        REQUIRE(part);
        auto big = fleet.allocate_gang(0, 13, PlacementRule::pack);  // 8 + 5
        REQUIRE(big);
        CHECK(nodes_used(*big) == 2);
        CHECK(big->parts[0].second == 8);
        CHECK(big->parts[1].second == 5);
        CHECK(big->parts[1].first == part->parts.front().first);  // best fit: the 5-free node
        CHECK(fleet.free_gpus(0) == 8);
        fleet.release(*big);
        fleet.release(*part);
        CHECK(fleet.free_gpus(0) == 24);
        CHECK(fleet.free_gpus() == 32);
    }

    TEST_CASE("fragmentation: a gang of 16 needs two whole free nodes") {
        FleetFixture f(3);
        Fleet fleet(f.spec.platform);
        std::vector<Allocation> ones;
        for (int i = 0; i < 3; ++i) {  // one GPU on each node
            auto a = fleet.allocate_gang(0, 1, PlacementRule::spread);
            REQUIRE(a);
            ones.push_back(*a);
        }
        CHECK(fleet.free_gpus(0) == 21);
        CHECK_FALSE(fleet.can_fit(0, 16));
        CHECK_FALSE(fleet.allocate_gang(0, 16, PlacementRule::pack));
        CHECK_FALSE(fleet.can_fit(0, 9));  // 8 + 1 needs a whole node
        CHECK(fleet.can_fit(0, 7));
        CHECK(fleet.free_gpus(0) == 21);  // a failed placement changes nothing
        fleet.release(ones[0]);
        CHECK_FALSE(fleet.can_fit(0, 16));  // one whole node free, 22 GPUs
        CHECK(fleet.can_fit(0, 15));        // 8 + 7
        fleet.release(ones[1]);
        CHECK(fleet.can_fit(0, 16));
        auto gang = fleet.allocate_gang(0, 16, PlacementRule::pack);
        REQUIRE(gang);
        CHECK(nodes_used(*gang) == 2);
        CHECK(fleet.free_gpus(0) == 7);
        CHECK_FALSE(fleet.can_fit(1, 9));  // the fast pool has one node of 8
        CHECK_FALSE(fleet.can_fit(5, 1));  // no such pool
    }

    TEST_CASE("services grow into fragments first and shrink most recent first") {
        FleetFixture f(2);
        Fleet fleet(f.spec.platform);
        auto job = fleet.allocate_gang(0, 6, PlacementRule::pack);  // node A: 2 free
        REQUIRE(job);
        const int a = job->parts.front().first;
        Allocation service;
        REQUIRE(fleet.grow(service, 0, 3));  // 2 from node A's fragment, then 1 elsewhere
        REQUIRE(service.parts.size() == 2);
        CHECK(service.parts[0] == std::make_pair(a, 2));
        CHECK(service.parts[1].second == 1);
        CHECK(fleet.node_free(a) == 0);
        CHECK_FALSE(fleet.grow(service, 0, 8));  // only 7 free: no change
        CHECK(service.gpus == 3);
        fleet.shrink(service, 1);  // the GPU taken last goes back first
        CHECK(service.parts.size() == 1);
        CHECK(fleet.node_free(a) == 0);
        fleet.shrink(service, 2);
        CHECK(service.gpus == 0);
        CHECK(service.pool == -1);
        CHECK(fleet.free_gpus(0) == 10);
        CHECK_THROWS_AS(fleet.shrink(service, 1), std::logic_error);
    }
}
