// Energy cross-check: the ledger integrates power from the scheduler's state (busy GPUs at
// power_busy_w, the others at power_idle_w); SimGrid's host-energy plugin integrates it from
// each host's CPU load. On a batch-only scenario (services' busy share is fluid, not on
// SimGrid) the two must agree.
#include "tests/support/results.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

using namespace fleetsim::test;

TEST_SUITE("energy") {
    TEST_CASE("the ledger's IT energy equals SimGrid's energy plugin on batch work") {
        // Gangs of 1 to 16 GPUs, so nodes are shared by several jobs and partly busy, on GPUs
        // of two speeds and power figures.
        TempDir tmp("energy");
        auto r = run_fleetsim(
            {"run", source_path("tests/scenarios/data/mixed.yaml"), "--out", tmp / "out", "-q",
             "--set", "engine={energy_plugin: true}", "--set",
             "workload.classes={train: {family: llm, kind: batch, arrival_rate_per_h: 2, gpus: "
             "{dist: empirical, values: [1, 2, 3, 4, 8, 16]}, duration_s: {dist: exponential, "
             "mean: 3600}, value_usd_per_gpu_h: 2}}"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto fleet = read_summary(tmp / "out")["fleet"];
        REQUIRE(fleet["energy_it_kwh_simgrid"].is_number());
        const double ledger = fleet["energy_it_kwh"].get<double>();
        const double simgrid = fleet["energy_it_kwh_simgrid"].get<double>();
        MESSAGE("ledger " << ledger << " kWh, SimGrid plugin " << simgrid << " kWh");
        CHECK(fleet["utilization"].get<double>() > 0.3);  // busy and idle both weigh
        CHECK(ledger == doctest::Approx(simgrid).epsilon(1e-3));
    }

    TEST_CASE("with failures the two still agree: a down node draws nothing in either") {
        // The engine turns a down node's SimGrid host off only for the plugin (wattage_off 0);
        // the ledger books its GPUs as drawing nothing. GPU failures every 50 GPU-hours on 24
        // GPUs, two-hour repairs: a node or two down much of the time.
        TempDir tmp("energy-failures");
        auto r = run_fleetsim(
            {"run", source_path("tests/scenarios/data/mixed.yaml"), "--out", tmp / "out", "-q",
             "--set", "engine={energy_plugin: true}", "--set",
             "workload.classes={train: {family: llm, kind: batch, arrival_rate_per_h: 2, gpus: "
             "{dist: empirical, values: [1, 2, 3, 4, 8, 16]}, duration_s: {dist: exponential, "
             "mean: 3600}, value_usd_per_gpu_h: 2}}",
             "--set",
             "platform.failures={gpu_types: {ref: {mtbf_h: 50, repair_s: {dist: exponential, "
             "mean: 7200}}, fast: {mtbf_h: 50, repair_s: {dist: exponential, mean: 7200}}}}"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto fleet = read_summary(tmp / "out")["fleet"];
        REQUIRE(fleet["energy_it_kwh_simgrid"].is_number());
        // Enough down time to tell: a host left on would draw its idle power for 335 GPU-hours
        // (of 1,152), some 40 kWh of the 322 kWh.
        CHECK(fleet["failures"]["gpu_h_down"].get<double>() > 100);
        CHECK(fleet["failures"]["interruptions"].get<long long>() > 0);
        const double ledger = fleet["energy_it_kwh"].get<double>();
        const double simgrid = fleet["energy_it_kwh_simgrid"].get<double>();
        MESSAGE("with failures: ledger " << ledger << " kWh, SimGrid plugin " << simgrid << " kWh");
        CHECK(ledger == doctest::Approx(simgrid).epsilon(1e-3));
    }

    TEST_CASE("without the plugin the SimGrid figure is null") {
        TempDir tmp("energy-off");
        auto r = run_fleetsim({"run", source_path("tests/scenarios/data/hand-fifo.yaml"), "--out",
                               tmp / "out", "-q"});
        REQUIRE(r.exit_code == 0);
        CHECK(read_summary(tmp / "out")["fleet"]["energy_it_kwh_simgrid"].is_null());
    }
}
