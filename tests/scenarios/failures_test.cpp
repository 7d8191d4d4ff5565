// Failures (docs/model.md, "Failures"): a hand-worked interruption checked against the paper
// calculation, failure-log input errors, rack failures against the topology, a failure log
// replayed, and failures off leaving the outputs as they were. The books with failures under
// every policy are in conservation_test.cpp; the Llama 3 run in llama3_test.cpp.
#include "tests/support/results.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <filesystem>

using namespace fleetsim::test;

namespace {

/** Runs a scenario and returns its output folder; REQUIREs exit 0. */
std::string run_ok(const TempDir& tmp, const std::vector<std::string>& args) {
    std::vector<std::string> all = args;
    all.insert(all.end(), {"--out", tmp / "out", "-q"});
    auto r = run_fleetsim(all);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return tmp / "out";
}

/** The one row of a CSV file whose `key` column is `value`. */
CsvRow row_where(const std::string& path, const std::string& key, const std::string& value) {
    for (const auto& row : parse_csv(read_file(path))) {
        if (row.at(key) == value)
            return row;
    }
    FAIL("no row with " << key << " = " << value << " in " << path);
    return {};
}

}  // namespace

TEST_SUITE("failures") {
    // data/hand-failure.yaml: fifo, one 16-GPU gang (both 8-GPU nodes of pool slow), 1000 s of
    // compute, checkpoint_interval_s 300, checkpoint_write_s 10, restart_cost_s 60; the failure
    // log takes node slow-1 down at 700 s for 200 s.
    //   Run 1 starts at 0: compute 0-300, write 300-310, compute 310-610, write 610-620,
    //   compute 620-700 when the node fails. Compute done 680 s; kept by the checkpoint of
    //   610 s: 600 s. Lost: 80 s x 16 GPUs = 1,280 GPU-s = 0.35556 reference GPU-h.
    //   The gang needs both nodes: fifo waits for the repair, at 900 s.
    //   Run 2 starts at 900: restart 60 s (900-960), 400 s of compute left with one write
    //   after the first 300 s (none after the last interval): 960 + 300 + 10 + 100 = 1370.
    //   Restart: 60 x 16 = 960 GPU-s = 0.26667 GPU-h. Writes: 3 x 10 s x 16 = 0.13333 GPU-h.
    //   Revenue lost at $2 per reference GPU-h: (1,280 + 960) / 3,600 x 2 = $1.24444.
    //   Busy: 16 x (700 + 470) / 3,600 = 5.2 GPU-h; down: 8 x 200 / 3,600 = 0.44444 GPU-h.
    //   Effective time: 1000 s x 16 of kept compute / (16 x 1370) = 0.729927.
    TEST_CASE("hand-worked: a node of a two-node gang fails between two checkpoints") {
        TempDir tmp("hand-failure");
        const std::string out =
            run_ok(tmp, {"run", source_path("tests/scenarios/data/hand-failure.yaml")});
        const auto jobs = read_jobs(out);
        REQUIRE(jobs.size() == 1);
        const JobRow& j = jobs[0];
        CHECK(j.status == "completed");
        REQUIRE(j.start_s.has_value());
        CHECK(near(*j.start_s, 0));
        REQUIRE(j.end_s.has_value());
        CHECK(near(*j.end_s, 1370));
        CHECK(j.preemptions == 0);
        CHECK(j.lost_work_gpu_h == 0);  // preemptions only
        const CsvRow job = row_where(out + "/jobs.csv", "job_id", "0");
        CHECK(job.at("interruptions") == "1");
        CHECK(near(num(job, "failure_lost_work_gpu_h"), 1280.0 / 3600));

        const auto s = read_summary(out);
        const auto& f = s["classes"]["train"]["failures"];
        CHECK(f["interruptions"].get<long long>() == 1);
        CHECK(near(f["failure_lost_work_gpu_h"].get<double>(), 1280.0 / 3600));
        CHECK(near(f["restart_gpu_h"].get<double>(), 960.0 / 3600));
        CHECK(near(f["checkpoint_gpu_h"].get<double>(), 480.0 / 3600));
        CHECK(near(f["revenue_lost_usd"].get<double>(), (1280.0 + 960.0) / 3600 * 2));
        CHECK(near(f["effective_time_fraction"].get<double>(), 1000.0 / 1370));
        CHECK(near(s["classes"]["train"]["busy_gpu_h"].get<double>(), 16 * 1170.0 / 3600));
        CHECK(near(s["classes"]["train"]["revenue_usd"].get<double>(), 16 * 1000.0 / 3600 * 2));
        const auto& fleet = s["fleet"]["failures"];
        CHECK(fleet["failures"].get<long long>() == 1);
        CHECK(near(fleet["gpu_h_down"].get<double>(), 8 * 200.0 / 3600));
        // A down GPU keeps its fixed cost: capex 35,040 / 4 years = $1/GPU-h, overhead $0.5.
        CHECK(near(fleet["down_cost_usd"].get<double>(), 8 * 200.0 / 3600 * 1.5));

        // failures.csv is the log it replayed, with what the failure did.
        const auto log = parse_csv(read_file(out + "/failures.csv"));
        REQUIRE(log.size() == 1);
        CHECK(log[0].at("node") == "slow-1");
        CHECK(near(num(log[0], "t_s"), 700));
        CHECK(near(num(log[0], "duration_s"), 200));
        CHECK(log[0].at("cause") == "node");
        CHECK(log[0].at("jobs_interrupted") == "1");
    }

    // The same run with a maintenance window draining slow-1 from 700 s to 900 s instead: a
    // planned stop checkpoints first, so the 680 s of compute done are all kept. Run 2: restart
    // 900-960, 320 s of compute left with one write after 300 s: 960 + 320 + 10 = 1290.
    // Writes: 2 + 1 = 3 x 10 s x 16 GPUs; effective time 1000 / 1290.
    TEST_CASE("hand-worked: a maintenance window stops the gang without losing work") {
        TempDir tmp("hand-maintenance");
        const std::string out = run_ok(
            tmp, {"run", source_path("tests/scenarios/data/hand-failure.yaml"), "--set",
                  "platform.failures={maintenance: [{pool: slow, first_node: 1, start_s: 700, "
                  "duration_s: 200}]}"});
        const auto jobs = read_jobs(out);
        REQUIRE(jobs.size() == 1);
        REQUIRE(jobs[0].end_s.has_value());
        CHECK(near(*jobs[0].end_s, 1290));
        const auto summary = read_summary(out);
        const auto& f = summary["classes"]["train"]["failures"];
        CHECK(f["interruptions"].get<long long>() == 1);
        CHECK(f["failure_lost_work_gpu_h"].get<double>() == 0);
        CHECK(near(f["restart_gpu_h"].get<double>(), 960.0 / 3600));
        CHECK(near(f["checkpoint_gpu_h"].get<double>(), 480.0 / 3600));
        CHECK(near(f["effective_time_fraction"].get<double>(), 1000.0 / 1290));
        const auto log = parse_csv(read_file(out + "/failures.csv"));
        REQUIRE(log.size() == 1);
        CHECK(log[0].at("cause") == "maintenance");
    }

    TEST_CASE("a bad failure log is exit 2 with the log's file and line and column") {
        struct LogCase {
            const char* rows;
            int line;
            const char* key;
            const char* expect;
        };
        const LogCase cases[] = {
            {"700,slow-1,200\n800,slow-2,200\n", 3, "node", "no node 'slow-2' in the platform"},
            {"700,slow-1,200\n600,slow-0,200\n", 3, "t_s",
             "expected times in increasing order, found 600 after 700"},
            {"700,slow-1,-5\n", 2, "duration_s", "expected a duration > 0, found -5"},
        };
        const std::string scenario =
            read_file(source_path("tests/scenarios/data/hand-failure.yaml"));
        for (const auto& c : cases) {
            CAPTURE(c.expect);
            TempDir tmp("bad-log");
            write_file(tmp / "s.yaml", scenario);
            write_file(tmp / "hand-failure.csv", std::string("t_s,node,duration_s\n") + c.rows);
            for (const char* verb : {"validate", "run"}) {
                CAPTURE(verb);
                std::vector<std::string> args = {verb, tmp / "s.yaml"};
                if (std::string(verb) == "run")
                    args.insert(args.end(), {"--out", tmp / "out"});
                auto r = run_fleetsim(args);
                INFO(r.err);
                CHECK(r.exit_code == 2);
                CHECK(r.err.find("hand-failure.csv:" + std::to_string(c.line) + ":") !=
                      std::string::npos);
                CHECK(r.err.find(std::string("(key '") + c.key + "')") != std::string::npos);
                CHECK(r.err.find(c.expect) != std::string::npos);
                CHECK_FALSE(std::filesystem::exists(tmp / "out"));
            }
        }
    }

    TEST_CASE("a failure log replays the failures of an earlier run") {
        // Run A draws failures (data/mixed.yaml with a failure model) and writes failures.csv;
        // run B replays that log under the same policy: the same run, file for file; run C
        // replays it under another policy: the same failures, other jobs hit.
        const std::string scenario = source_path("tests/scenarios/data/mixed.yaml");
        const std::string model =
            "platform.failures={gpu_types: {ref: {mtbf_h: 150, repair_s: {dist: exponential, "
            "mean: 7200}}, fast: {mtbf_h: 150, repair_s: 3600}}, pools: {slow: {node: {mtbf_h: "
            "100, repair_s: 5400}}}}";
        TempDir a("replay-a"), b("replay-b"), c("replay-c");
        const std::string out_a = run_ok(a, {"run", scenario, "--set", model});
        const std::string log = out_a + "/failures.csv";
        const auto rows_a = parse_csv(read_file(log));
        REQUIRE(rows_a.size() >= 5);
        const std::string replay = "platform.failures={log: " + log + "}";
        const std::string out_b = run_ok(b, {"run", scenario, "--set", replay});
        CHECK(read_file(out_b + "/failures.csv") == read_file(log));
        CHECK(read_file(out_b + "/jobs.csv") == read_file(out_a + "/jobs.csv"));
        CHECK(read_file(out_b + "/timeseries.csv") == read_file(out_a + "/timeseries.csv"));
        CHECK(read_file(out_b + "/classes.csv") == read_file(out_a + "/classes.csv"));

        const std::string out_c =
            run_ok(c, {"run", scenario, "--set", replay, "--set", "policy.name=fifo"});
        const auto rows_c = parse_csv(read_file(out_c + "/failures.csv"));
        REQUIRE(rows_c.size() == rows_a.size());
        for (std::size_t i = 0; i < rows_a.size(); ++i) {
            CAPTURE(i);
            for (const char* column : {"t_s", "node", "duration_s", "gpu", "cause", "event"})
                CHECK(rows_c[i].at(column) == rows_a[i].at(column));
        }
        CHECK(read_summary(out_c)["fleet"]["failures"]["gpu_h_down"].get<double>() ==
              read_summary(out_a)["fleet"]["failures"]["gpu_h_down"].get<double>());
    }
}
