// Built only when fleetsim is configured with -DFLEETSIM_REPORT=OFF (the no-report preset), in
// place of report_test.cpp: there is no page to write, and fleetsim must say so, while `run`
// still writes every other file (docs/report.md, "Building without the report").
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <filesystem>

using namespace fleetsim::test;
namespace fs = std::filesystem;

TEST_SUITE("report-off") {
    TEST_CASE("run without the report writes the firm files and says why report.html is missing") {
        TempDir tmp("report-off-run");
        auto r = run_fleetsim({"run", "--out", tmp / "out"});
        INFO(r.err);
        CHECK(r.exit_code == 0);
        for (const char* f : {"summary.json", "classes.csv", "timeseries.csv", "jobs.csv",
                              "scenario.resolved.yaml"})
            CHECK(fs::exists(tmp / (std::string("out/") + f)));
        CHECK_FALSE(fs::exists(tmp / "out/report.html"));
        CHECK(r.err.find("report.html not written") != std::string::npos);
        CHECK(r.err.find("-DFLEETSIM_REPORT=OFF") != std::string::npos);
        CHECK(r.out.find("report.html") == std::string::npos);

        // --no-report asks for nothing this build lacks: no message.
        auto quiet = run_fleetsim({"run", "--out", tmp / "quiet", "-q", "--no-report"});
        CHECK(quiet.exit_code == 0);
        CHECK(quiet.err.empty());
    }

    TEST_CASE("a sweep without the report writes its results, says why and exits 0") {
        TempDir tmp("report-off-sweep");
        const std::string file = tmp / "s.yaml";
        write_file(file, "name: s\nbase: " + source_path("scenarios/default.yaml") +
                             "\nset: {horizon_s: 3600, output.jobs_csv: false}\n"
                             "vary:\n  - grid:\n      tick_s: [300, 600]\n");
        auto r = run_fleetsim({"sweep", file, "--out", tmp / "out", "-j", "2"});
        INFO(r.err);
        CHECK(r.exit_code == 0);
        for (const char* f : {"sweep.db", "points.csv", "results.csv", "stats.csv", "sweep.json"})
            CHECK(fs::exists(tmp / (std::string("out/") + f)));
        CHECK_FALSE(fs::exists(tmp / "out/report.html"));
        CHECK(r.err.find("report.html not written") != std::string::npos);
        auto quiet = run_fleetsim({"sweep", file, "--out", tmp / "quiet", "-q", "--no-report"});
        CHECK(quiet.exit_code == 0);
        CHECK(quiet.err.empty());
    }

    TEST_CASE("fleetsim report exits 2 and names the build option") {
        TempDir tmp("report-off-report");
        REQUIRE(run_fleetsim({"run", "--out", tmp / "out", "-q", "--no-report"}).exit_code == 0);
        auto r = run_fleetsim({"report", tmp / "out"});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("fleetsim report: this fleetsim was configured with "
                         "-DFLEETSIM_REPORT=OFF") != std::string::npos);
        CHECK(r.out.empty());
        CHECK_FALSE(fs::exists(tmp / "out/report.html"));
    }
}
