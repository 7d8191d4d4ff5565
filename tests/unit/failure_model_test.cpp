// The failure model without SimGrid (sim/generators/failure_source, sim/model/failure_state,
// SchedulerState::fail_nodes): the Young/Daly interval against the minimum of the waste it
// minimises, the failure rate of a gang as placed, `checkpoint_interval_s: auto`, checkpoint
// arithmetic, rack failures taking exactly the GPUs of their rack in the topology, and the
// failure streams kept apart from each other.
#include "sim/generators/failure_source.hpp"
#include "sim/model/failure_state.hpp"
#include "sim/model/state.hpp"
#include "tests/support/specs.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <set>

using namespace fleetsim;
using namespace fleetsim::test;

namespace {

/** Pool `a`: 10 nodes of 8 GPUs in racks of 4 (racks {0-3}, {4-7}, {8, 9}); pool `b`: 2 nodes. */
std::string racks_platform(const std::string& failures) {
    return "platform:\n"
           "  name: racks\n"
           "  reference_gpu_type: g\n"
           "  gpu_types:\n"
           "    g: {dense_bf16_tflops: 1000, memory_gb: 80, power_idle_w: 100, power_busy_w: "
           "700, capex_usd: 35040, amortization_years: 4}\n"
           "  sites:\n"
           "    s: {energy_usd_per_kwh: 0.10, pue: 1.25}\n"
           "  pools:\n"
           "    a: {site: s, gpu_type: g, nodes: 10, gpus_per_node: 8, nodes_per_rack: 4}\n"
           "    b: {site: s, gpu_type: g, nodes: 2, gpus_per_node: 8}\n"
           "  failures:\n" +
           failures;
}

std::string batch_workload(const std::string& extra = "") {
    return "workload:\n  name: w\n  classes:\n"
           "    t: {family: llm, kind: batch, pools: [a], arrival_rate_per_h: 1, gpus: 16, "
           "duration_s: 36000, value_usd_per_gpu_h: 2" +
           extra +
           "}\n"
           "policy: fifo\nhorizon_s: 864000\nseed: 7\ntick_s: 60\n";
}

/** Golden-section minimum of f on [lo, hi]. */
template <class F>
double argmin(F f, double lo, double hi) {
    const double g = (std::sqrt(5.0) - 1) / 2;
    for (int i = 0; i < 200; ++i) {
        const double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
        if (f(a) < f(b))
            hi = b;
        else
            lo = a;
    }
    return (lo + hi) / 2;
}

}  // namespace

TEST_SUITE("failure model") {
    TEST_CASE("the Young/Daly interval minimises the time lost to writes and redone work") {
        // To first order a checkpoint every T seconds of compute costs C / T of the time in
        // writes, and a failure (one per MTBI M) loses half an interval on average: waste(T) =
        // C / T + T / (2 M), least at T = sqrt(2 M C) (Young 1974). The helper must agree with
        // the minimum found numerically, not only with its own formula.
        for (const double m : {3600.0, 11135.0, 1.8e5}) {
            for (const double c : {10.0, 60.0, 300.0}) {
                CAPTURE(m);
                CAPTURE(c);
                const double t = argmin([&](double x) { return c / x + x / (2 * m); }, 1, 1e7);
                CHECK(young_daly_interval_s(m, c) == doctest::Approx(t).epsilon(1e-6));
            }
        }
        CHECK(young_daly_interval_s(std::numeric_limits<double>::infinity(), 60) == 0);
        CHECK(young_daly_interval_s(3600, 0) == 0);
    }

    TEST_CASE("checkpoint_interval_s auto takes the Young/Daly interval of the gang as placed") {
        // Llama 3's rate (docs/sources.md#failures): one GPU failure per 50,677 GPU-hours; a
        // 16,384-GPU gang is interrupted every 50,677 / 16,384 = 3.093 h; with 60 s writes
        // the interval is sqrt(2 x 11,135 s x 60 s) = 1,156 s = 19.3 min
        // (docs/sources.md#checkpoints: 19 min).
        TempDir dir("failure-auto");
        const ScenarioSpec spec = load_yaml_scenario(
            dir,
            "name: s\n"
            "platform:\n  name: p\n  reference_gpu_type: h\n  gpu_types:\n"
            "    h: {dense_bf16_tflops: 989, memory_gb: 80, power_idle_w: 100, power_busy_w: "
            "700, capex_usd: 30000, amortization_years: 4}\n"
            "  sites:\n    s: {energy_usd_per_kwh: 0.1, pue: 1.2}\n"
            "  pools:\n    p: {site: s, gpu_type: h, nodes: 2048, gpus_per_node: 8}\n"
            "  failures:\n    gpu_types:\n      h: {mtbf_h: 50677, repair_s: 3600}\n"
            "workload:\n  name: w\n  classes:\n"
            "    t: {family: llm, kind: batch, arrival_rate_per_h: 1, gpus: 16384, duration_s: "
            "3600, value_usd_per_gpu_h: 2, checkpoint_interval_s: auto, checkpoint_write_s: 60}\n"
            "policy: fifo\nhorizon_s: 86400\nseed: 1\ntick_s: 60\n");
        SchedulerState state(spec, PlacementRule::pack);
        Job j;
        j.cls = 0;
        j.gpus = 16384;
        j.work_ref_gpu_s = 16384 * 3600.0;
        const JobId id = state.submit(j);
        REQUIRE(state.start(id, 0));
        const Job& started = state.job(id);
        const double mtbi_s = 50677.0 * 3600 / 16384;
        CHECK(state.failures.gang_mtbi_s(started.alloc, state.fleet) ==
              doctest::Approx(mtbi_s).epsilon(1e-12));
        CHECK(started.faults.checkpoint_interval_s ==
              doctest::Approx(std::sqrt(2 * mtbi_s * 60)).epsilon(1e-12));
        CHECK(started.faults.checkpoint_interval_s / 60 == doctest::Approx(19.27).epsilon(1e-3));
        CHECK(state.checkpoint_plan(started).interval_s == started.faults.checkpoint_interval_s);
    }

    TEST_CASE("a gang's failure rate counts its nodes' GPUs and nodes and its racks") {
        TempDir dir("failure-rate");
        const ScenarioSpec spec = load_yaml_scenario(
            dir, "name: s\n" +
                     racks_platform("    gpu_types:\n      g: {mtbf_h: 1000, repair_s: 60}\n"
                                    "    pools:\n      a: {node: {mtbf_h: 500, repair_s: 60}, "
                                    "rack: {mtbf_h: 2000, repair_s: 60}}\n") +
                     batch_workload());
        SchedulerState state(spec, PlacementRule::pack);
        Allocation alloc;
        alloc.pool = 0;
        alloc.gpus = 12;
        alloc.parts = {{3, 8}, {4, 4}};  // a whole node of rack 0, half a node of rack 1
        // A GPU failure takes its node down: all 8 GPUs of each node count, not the gang's 12.
        const double per_h = 2 * (8 / 1000.0 + 1 / 500.0) + 2 / 2000.0;
        CHECK(state.failures.gang_failure_rate_per_s(alloc, state.fleet) * 3600 ==
              doctest::Approx(per_h).epsilon(1e-12));
    }

    TEST_CASE("checkpoint writes: compute done and compute kept and writes in a run") {
        const CheckpointPlan plan{300, 10};
        CHECK(plan.compute_s(700) == doctest::Approx(680));  // 300 + 300 + 80, two writes
        CHECK(plan.checkpointed_compute_s(700) == doctest::Approx(600));
        CHECK(plan.compute_s(305) == doctest::Approx(300));  // inside the first write
        CHECK(plan.writes_in(1000) == 3);                    // none after the last interval
        CHECK(plan.writes_in(900) == 2);
        CHECK(plan.writes_in(400) == 1);
        const CheckpointPlan free_writes{300, 0};
        CHECK(free_writes.compute_s(700) == 700);
        CHECK(free_writes.writes_in(1000) == 0);
    }

    TEST_CASE("a rack failure takes down exactly the GPUs of its rack") {
        TempDir dir("failure-rack");
        const ScenarioSpec spec = load_yaml_scenario(
            dir, "name: s\n" +
                     racks_platform("    pools:\n      a: {rack: {mtbf_h: 10, repair_s: 600}}\n") +
                     batch_workload());
        // Every rack failure the source draws names a rack of pool a; its nodes are the
        // topology's, the last rack has two nodes.
        FailureSource source(spec);
        SchedulerState probe(spec, PlacementRule::pack);
        const FleetTopology& topo = probe.fleet.topology();
        std::set<int> racks_seen;
        for (int i = 0; i < 50 && source.next_time() < 1e300; ++i) {
            const FailureEvent e = source.pop();
            REQUIRE(e.cause == FailureCause::rack);
            REQUIRE(e.pool == 0);
            const int rack = topo.racks_of_pool(0)[static_cast<std::size_t>(e.first)];
            CHECK(probe.failures.nodes_of(e, probe.fleet) == topo.nodes_of_rack(rack));
            racks_seen.insert(rack);
        }
        CHECK(racks_seen.size() == 3);

        // On a state with work on both sides of a rack boundary: the last rack (nodes 8, 9)
        // fails; a gang on nodes 7-8 is interrupted, one on nodes 0-1 is not.
        SchedulerState state(spec, PlacementRule::pack);
        auto gang = [&] {
            Job j;
            j.cls = 0;
            j.gpus = 16;
            j.work_ref_gpu_s = 16 * 36000.0;
            const JobId id = state.submit(j);
            REQUIRE(state.start(id, 0));
            return id;
        };
        // Four gangs of two whole nodes: 8 of the 10 nodes, placed by rack (best fit).
        const JobId first = gang();
        const JobId second = gang();
        const JobId third = gang();
        const JobId fourth = gang();
        state.now_s = 100;
        FailureEvent e;
        e.cause = FailureCause::rack;
        e.pool = 0;
        e.first = 2;  // the third rack of pool a
        e.duration_s = 600;
        const int rack = topo.racks_of_pool(0)[2];
        std::set<JobId> on_rack;
        for (const JobId id : {first, second, third, fourth}) {
            for (const auto& [node, n] : state.job(id).alloc.parts) {
                if (topo.rack_of(node) == rack)
                    on_rack.insert(id);
            }
        }
        REQUIRE(!on_rack.empty());
        REQUIRE(on_rack.size() < 4);
        const int free_b = state.fleet.free_gpus(1);
        const auto out = state.fail_nodes(e);
        CHECK(std::set<int>(out.nodes_down.begin(), out.nodes_down.end()) ==
              std::set<int>(topo.nodes_of_rack(rack).begin(), topo.nodes_of_rack(rack).end()));
        CHECK(state.fleet.down_gpus() == 8 * static_cast<int>(topo.nodes_of_rack(rack).size()));
        CHECK(state.fleet.down_gpus(0) == 16);
        CHECK(state.fleet.down_gpus(1) == 0);
        CHECK(state.fleet.free_gpus(1) == free_b);
        CHECK(std::set<JobId>(out.interrupted.begin(), out.interrupted.end()) == on_rack);
        for (const JobId id : {first, second, third, fourth}) {
            CAPTURE(id);
            const bool hit = on_rack.count(id) == 1;
            CHECK(state.job(id).status == (hit ? JobStatus::waiting : JobStatus::running));
            CHECK(state.job(id).faults.interruptions == (hit ? 1 : 0));
        }
        // Repaired at 700: the rack's GPUs are free again, nothing is down.
        state.now_s = 700;
        CHECK(state.failures.next_repair_s() == doctest::Approx(700));
        CHECK(state.repair_nodes().size() == topo.nodes_of_rack(rack).size());
        CHECK(state.fleet.down_gpus() == 0);
    }

    TEST_CASE("each failure mode draws from its own streams") {
        // Adding node failures to pool a changes none of its GPU failures.
        TempDir dir("failure-streams");
        const std::string gpu =
            "    gpu_types:\n      g: {mtbf_h: 2000, repair_s: {dist: "
            "exponential, mean: 3600}}\n";
        const ScenarioSpec alone = load_yaml_scenario(
            dir, "name: s\n" + racks_platform(gpu) + batch_workload(), {}, "alone.yaml");
        const ScenarioSpec both = load_yaml_scenario(
            dir,
            "name: s\n" +
                racks_platform(gpu + "    pools:\n      b: {node: {mtbf_h: 50, repair_s: 60}}\n") +
                batch_workload(),
            {}, "both.yaml");
        FailureSource a(alone), b(both);
        int gpu_failures = 0, node_failures = 0;
        while (a.next_time() < 1e300) {
            const FailureEvent x = a.pop();
            FailureEvent y = b.pop();
            while (y.cause == FailureCause::node) {
                ++node_failures;
                y = b.pop();
            }
            CHECK(x.t_s == y.t_s);
            CHECK(x.pool == y.pool);
            CHECK(x.first == y.first);
            CHECK(x.gpu == y.gpu);
            CHECK(x.duration_s == y.duration_s);
            ++gpu_failures;
        }
        // 96 GPUs x 240 h / 2,000 h = 11.5 expected; 2 nodes x 240 h / 50 h = 9.6.
        CHECK(gpu_failures > 3);
        CHECK(node_failures > 2);
    }
}
