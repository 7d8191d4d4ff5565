// The command line contract (design.md sections 4 and 5), checked on the real binary.
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <regex>

using namespace fleetsim::test;
namespace fs = std::filesystem;

namespace {

/** The output folders `a` and `b` hold the same bytes, but for summary.json's wall_s. */
void check_same_outputs(const std::string& a, const std::string& b) {
    const std::regex wall("\"wall_s\": [0-9.e+-]+");
    CHECK(std::regex_replace(read_file(a + "/summary.json"), wall, "") ==
          std::regex_replace(read_file(b + "/summary.json"), wall, ""));
    for (const char* f : {"classes.csv", "timeseries.csv", "jobs.csv"}) {
        CAPTURE(f);
        CHECK(read_file(a + "/" + f) == read_file(b + "/" + f));
    }
}

}  // namespace

TEST_SUITE("cli") {
    TEST_CASE("run without a scenario runs the built-in default and writes the firm files") {
        TempDir tmp("default");
        auto r = run_fleetsim({"run", "--out", tmp / "out"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        for (const char* f : {"summary.json", "classes.csv", "timeseries.csv", "jobs.csv",
                              "scenario.resolved.yaml"}) {
            CAPTURE(f);
            CHECK(fs::exists(tmp / ("out/" + std::string(f))));
        }
        auto summary = nlohmann::json::parse(read_file(tmp / "out/summary.json"));
        CHECK(summary["scenario"] == "default");
        CHECK(summary["horizon_s"].get<double>() >= 7 * 86400);
        CHECK(summary["classes"].size() == 5);
        // The table names every class.
        for (const char* c : {"chat", "coding", "llm-training", "video-gen", "video-training"})
            CHECK(r.out.find(c) != std::string::npos);
    }

    TEST_CASE("same scenario and seed give byte-identical results except wall_s") {
        TempDir tmp("determinism");
        auto a = run_fleetsim({"run", "--out", tmp / "a", "-q"});
        auto b = run_fleetsim({"run", "--out", tmp / "b", "-q"});
        REQUIRE(a.exit_code == 0);
        REQUIRE(b.exit_code == 0);
        check_same_outputs(tmp / "a", tmp / "b");
        // A different seed gives a different run (the seed is really used).
        auto c = run_fleetsim({"run", "--out", tmp / "c", "-q", "--seed", "2"});
        REQUIRE(c.exit_code == 0);
        CHECK(read_file(tmp / "a/jobs.csv") != read_file(tmp / "c/jobs.csv"));
    }

    TEST_CASE("policies lists every policy with its parameters") {
        auto r = run_fleetsim({"policies"});
        REQUIRE(r.exit_code == 0);
        for (const char* p :
             {"fifo", "static-partition", "revenue-greedy", "shares", "max_scan", "placement"}) {
            CAPTURE(p);
            CHECK(r.out.find(p) != std::string::npos);
        }
    }
    TEST_CASE("determinism holds on services, batch and two GPU speeds, and --seed is --set seed") {
        // The default scenario above has one pool; data/mixed.yaml adds a faster pool, trace and
        // diurnal demand, per-job values and several batch streams whose draws must not mix.
        const std::string mixed = source_path("tests/scenarios/data/mixed.yaml");
        TempDir tmp("determinism-mixed");
        auto a = run_fleetsim({"run", mixed, "--out", tmp / "a", "-q", "--seed", "5"});
        auto b = run_fleetsim({"run", mixed, "--out", tmp / "b", "-q", "--set", "seed=5"});
        REQUIRE(a.exit_code == 0);
        REQUIRE(b.exit_code == 0);
        check_same_outputs(tmp / "a", tmp / "b");
        // The resolved scenario records the seed that ran, whichever way it was given (only the
        // output folder differs).
        const std::regex dir("dir: [^,}\\n]+");
        CHECK(std::regex_replace(read_file(tmp / "a/scenario.resolved.yaml"), dir, "") ==
              std::regex_replace(read_file(tmp / "b/scenario.resolved.yaml"), dir, ""));
        CHECK(read_file(tmp / "a/scenario.resolved.yaml").find("seed: 5") != std::string::npos);
    }
}
