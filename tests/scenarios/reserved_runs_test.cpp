// reserved through the binary: a block is followed exactly by the fleet (the engine, the
// books), and a block holding the whole fleet decides what its policy alone decides.
#include "tests/support/results.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace fleetsim::test;

namespace {

std::vector<std::string> run_mixed(const std::string& out, const std::vector<std::string>& sets) {
    return quiet_run_args("tests/scenarios/data/mixed.yaml", out, sets);
}

}  // namespace

TEST_SUITE("reserved") {
    TEST_CASE("with no blocks, reserved runs its others policy's schedule byte for byte") {
        // The view (policies/fleet_block.hpp) is the whole fleet: same pools, nodes, classes
        // and job ids, so every start, preemption and service size must be the same, on the
        // same nodes, and so every output file. Policies that preempt (las, opportunity-cost)
        // check that the work kept at a preemption is the engine's.
        const std::vector<std::pair<std::string, std::string>> policies = {
            {"fifo", "{}"},
            {"opportunity-cost", "{}"},
            {"las", "{first_threshold_gpu_h: 2}"},
            {"easy-backfill", "{}"},
        };
        for (const auto& [name, params] : policies) {
            const auto& name_ = name;  // clang 14 cannot capture a structured binding
            CAPTURE(name_);
            TempDir tmp("reserved-identity");
            auto alone = run_fleetsim(
                run_mixed(tmp / "alone", {"policy.name=" + name, "policy.params=" + params}));
            REQUIRE(alone.exit_code == 0);
            auto composed = run_fleetsim(run_mixed(
                tmp / "composed",
                {"policy.name=reserved",
                 "policy.params={others: {policy: " + name + ", params: " + params + "}}"}));
            INFO(composed.err);
            REQUIRE(composed.exit_code == 0);
            for (const char* file : {"classes.csv", "timeseries.csv", "jobs.csv"}) {
                CAPTURE(file);
                CHECK(read_file(tmp / "composed/" + file) == read_file(tmp / "alone/" + file));
            }
            auto a = read_summary(tmp / "alone");
            auto b = read_summary(tmp / "composed");
            CHECK(b["policy"] == "reserved");
            CHECK(b["totals"] == a["totals"]);
            CHECK(b["fleet"] == a["fleet"]);
        }
    }

    TEST_CASE("a reserved block holds at most its share, and the others still use the rest") {
        // small-platform.yaml: pool slow (2 nodes x 8 GPUs) then fast (1 x 8). A share of 0.5
        // gives video-training (which may use only slow) round(0.5 x 2) = 1 slow node, 8 GPUs;
        // the others keep the other slow node and the fast one.
        TempDir tmp("reserved-block");
        auto r = run_fleetsim(run_mixed(
            tmp / "out",
            {"policy.name=reserved",
             "policy.params={blocks: [{classes: [video-training], share: 0.5, policy: fifo}], "
             "others: {policy: opportunity-cost}}"}));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        int video_jobs = 0;
        for (const auto& j : read_jobs(tmp / "out")) {
            if (!j.start_s || j.cls != "video-training")
                continue;
            ++video_jobs;
            CHECK(j.pool == "slow");
        }
        CHECK(video_jobs > 10);
        const auto summary = read_summary(tmp / "out");
        // The block never holds more than its 8 GPUs: over 48 h, at most 384 GPU-hours.
        CHECK(summary["classes"]["video-training"]["gpu_h"].get<double>() <= 384 + 1e-6);
        // The others hold the other slow node and the fast one, 16 GPUs: more than the fast
        // node's 384 GPU-hours (so they used the slow node too), at most 768.
        double others = 0;
        for (const char* c : {"chat", "video-gen", "llm-training"})
            others += summary["classes"][c]["gpu_h"].get<double>();
        CHECK(others > 384);
        CHECK(others <= 768 + 1e-6);
        CHECK(summary["classes"]["video-training"]["gpu_h"].get<double>() > 100);
    }
}
