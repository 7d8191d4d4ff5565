// Whole sweeps through the fleetsim binary: the folder contract, failed points, resume after a
// kill, shards and merge, and the same results for any -j. Every point runs in its own process.
#include "sim/sweep/point_runner.hpp"
#include "tests/support/results.hpp"
#include "tests/sweep/sweep_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <SQLiteCpp/SQLiteCpp.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <map>
#include <thread>

using namespace fleetsim::test;
namespace fs = std::filesystem;

namespace {

// 16 valid points, enough that a kill lands partway.
const char* kLongerSweep = R"(replications: 2
vary:
  - grid:
      workload.classes.video-gen.price_usd_per_unit: {from: 0.02, to: 0.5, count: 4, scale: log}
  - zip:
      policy.name: [static-partition, revenue-greedy]
      policy.params: [{shares: {chat: 0.4, coding: 0.15, llm-training: 0.3, video-gen: 0.1, video-training: 0.05}}, {}]
)";

/** The fleet and totals columns of points.csv, each with where summary.json has the figure. */
const std::vector<std::pair<std::string, std::string>> kTotalColumns = {
    {"total_revenue_usd", "/totals/revenue_usd"},
    {"total_cost_usd", "/totals/cost_usd"},
    {"total_profit_usd", "/totals/profit_usd"},
    {"total_opportunity_cost_usd", "/totals/opportunity_cost_usd"},
    {"fleet_utilization", "/fleet/utilization"},
    {"fleet_idle_cost_usd", "/fleet/idle_cost_usd"},
    {"fleet_gpu_h_capacity", "/fleet/gpu_h_capacity"},
    {"fleet_gpu_h_busy", "/fleet/gpu_h_busy"},
    {"fleet_gpu_h_idle", "/fleet/gpu_h_idle"},
    {"fleet_gpu_h_unallocated", "/fleet/gpu_h_unallocated"},
    {"fleet_energy_kwh", "/fleet/energy_kwh"},
    {"llm_gpu_h", "/families/llm/gpu_h"},
    {"llm_gpu_h_share", "/families/llm/gpu_h_share"},
    {"llm_revenue_usd", "/families/llm/revenue_usd"},
    {"llm_cost_usd", "/families/llm/cost_usd"},
    {"llm_profit_usd", "/families/llm/profit_usd"},
    {"llm_opportunity_cost_usd", "/families/llm/opportunity_cost_usd"},
    {"video_gpu_h", "/families/video/gpu_h"},
    {"video_gpu_h_share", "/families/video/gpu_h_share"},
    {"video_revenue_usd", "/families/video/revenue_usd"},
    {"video_cost_usd", "/families/video/cost_usd"},
    {"video_profit_usd", "/families/video/profit_usd"},
    {"video_opportunity_cost_usd", "/families/video/opportunity_cost_usd"},
};

/** The row of a parsed CSV whose first cell is `id`, as column name -> cell. */
std::map<std::string, std::string> row_of(const std::vector<std::vector<std::string>>& csv,
                                          const std::string& id) {
    std::map<std::string, std::string> out;
    for (const auto& row : csv) {
        if (row[0] != id)
            continue;
        for (std::size_t k = 0; k < row.size(); ++k)
            out[csv[0].at(k)] = row[k];
    }
    return out;
}

Spawned sweep(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"sweep"};
    all.insert(all.end(), args.begin(), args.end());
    return run_fleetsim(all);
}

/** Waits until the sweep at `db` has at least `n` points done (or `timeout` passes). */
bool wait_for_done(const std::string& db, long long n, std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        if (fs::exists(db)) {
            try {
                if (count_status(db, "done") >= n)
                    return true;
            } catch (const std::exception&) {
                // not created yet, or busy: look again
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

}  // namespace

TEST_SUITE("sweep") {
    TEST_CASE("a sweep writes sweep.db, results.csv and sweep.json as the report expects") {
        TempDir tmp("sweep-contract");
        const auto file = write_sweep(tmp, "small", kSmallSweep);
        const FailPoints fail(kSmallSweepFailing);  // the 4 points of price 0.1
        auto r = sweep({file, "-j", "2", "--out", tmp / "out"});
        INFO(r.err);
        // Failed points are recorded, and the sweep says so by its exit code (docs/sweeps.md).
        REQUIRE(r.exit_code == 3);
        CHECK(r.err.find("4 points of the sweep failed") != std::string::npos);
        CHECK(r.out.find("12 of 12 points finished (8 done, 4 failed)") != std::string::npos);

        // results.csv: point columns, then exactly the columns of a plain run's classes.csv.
        auto plain = run_fleetsim({"run", source_path("scenarios/default.yaml"), "--set",
                                   "horizon_s=21600", "--set", "output.jobs_csv=false", "--set",
                                   "workload.classes.video-gen.price_usd_per_unit=0.2", "--set",
                                   "policy.name=revenue-greedy", "--set", "policy.params={}",
                                   "--seed", "4", "--out", tmp / "plain", "-q"});
        REQUIRE(plain.exit_code == 0);
        const auto classes = fleetsim::test::csv_records(read_file(tmp / "plain/classes.csv"));
        const auto results = fleetsim::test::csv_records(read_file(tmp / "out/results.csv"));
        std::vector<std::string> header = {
            "point_id",    "status",        "workload.classes.video-gen.price_usd_per_unit",
            "policy.name", "policy.params", "seed",
            "replication"};
        header.insert(header.end(), classes[0].begin(), classes[0].end());
        CHECK(results[0] == header);
        const std::size_t n_classes = classes.size() - 1;
        REQUIRE(n_classes == 5);
        // 8 done points x 5 classes + 4 failed points x 1 row.
        REQUIRE(results.size() == 1 + 8 * n_classes + 4);

        // Point 11 is price 0.2, revenue-greedy, replication 1 (seed 3 + 1): its rows are the
        // plain run's classes.csv, value for value.
        std::vector<std::vector<std::string>> point11;
        for (const auto& row : results) {
            if (row[0] == "11")
                point11.push_back(row);
        }
        REQUIRE(point11.size() == n_classes);
        for (std::size_t c = 0; c < n_classes; ++c) {
            CAPTURE(c);
            CHECK(point11[c][1] == "done");
            CHECK(point11[c][2] == "0.2");
            CHECK(point11[c][3] == "revenue-greedy");
            CHECK(point11[c][5] == "4");
            CHECK(point11[c][6] == "1");
            CHECK(std::vector<std::string>(point11[c].begin() + 7, point11[c].end()) ==
                  classes[c + 1]);
        }

        // points.csv: one row per finished point, with the run's own totals and fleet figures:
        // for point 11 exactly those of the plain run's summary.json.
        const auto points = fleetsim::test::csv_records(read_file(tmp / "out/points.csv"));
        std::vector<std::string> points_header = {
            "point_id",    "status",        "workload.classes.video-gen.price_usd_per_unit",
            "policy.name", "policy.params", "seed",
            "replication", "exit_code",     "error"};
        for (const auto& [column, pointer] : kTotalColumns)
            points_header.push_back(column);
        CHECK(points[0] == points_header);
        REQUIRE(points.size() == 1 + 12);
        for (std::size_t i = 1; i < points.size(); ++i)
            CHECK(points[i][0] == std::to_string(i - 1));
        auto check_totals = [&](const std::string& id, const std::string& run_dir) {
            CAPTURE(id);
            const auto summary = nlohmann::json::parse(read_file(run_dir + "/summary.json"));
            const auto row = row_of(points, id);
            CHECK(row.at("status") == "done");
            CHECK(row.at("exit_code") == "0");
            CHECK(row.at("error").empty());
            for (const auto& [column, pointer] : kTotalColumns) {
                const auto& column_ = column;  // clang 14 cannot capture a structured binding
                CAPTURE(column_);
                CHECK(std::stod(row.at(column)) ==
                      summary.at(nlohmann::json::json_pointer(pointer)).get<double>());
            }
        };
        check_totals("11", tmp / "plain");
        // Point 8 is price 0.2, static-partition, replication 0 (seed 3): GPUs its shares leave
        // unallocated cost money, so the run's profit is below the sum of its classes'.
        auto partition = run_fleetsim(
            {"run", source_path("scenarios/default.yaml"), "--set", "horizon_s=21600", "--set",
             "output.jobs_csv=false", "--set", "workload.classes.video-gen.price_usd_per_unit=0.2",
             "--set", "policy.name=static-partition", "--set",
             "policy.params={shares: {chat: 0.4, coding: 0.15, llm-training: 0.3, video-gen: 0.1, "
             "video-training: 0.05}}",
             "--seed", "3", "--out", tmp / "partition", "-q"});
        REQUIRE(partition.exit_code == 0);
        check_totals("8", tmp / "partition");
        const auto p8 = row_of(points, "8");
        const auto profit_col = static_cast<std::size_t>(
            std::find(results[0].begin(), results[0].end(), "profit_usd") - results[0].begin());
        REQUIRE(profit_col < results[0].size());
        double classes_profit = 0;
        for (const auto& row : results) {
            if (row[0] == "8")
                classes_profit += std::stod(row[profit_col]);
        }
        const double idle_cost = std::stod(p8.at("fleet_idle_cost_usd"));
        CHECK(idle_cost > 0.01 * std::fabs(classes_profit));
        CHECK(std::stod(p8.at("total_profit_usd")) ==
              doctest::Approx(classes_profit - idle_cost).epsilon(1e-9));
        // A failed point in points.csv: its exit code and error, no figures.
        const auto p4 = row_of(points, "4");
        CHECK(p4.at("status") == "failed");
        CHECK(p4.at("exit_code") == "2");
        CHECK(p4.at("error").find("horizon_s") != std::string::npos);
        for (const auto& [column, pointer] : kTotalColumns)
            CHECK(p4.at(column).empty());

        // A failed point: one row, status failed, class and metrics empty.
        bool saw_failed = false;
        for (const auto& row : results) {
            if (row[0] != "4")
                continue;
            saw_failed = true;
            CHECK(row[1] == "failed");
            CHECK(row[2] == "0.1");
            for (std::size_t k = 7; k < row.size(); ++k)
                CHECK(row[k].empty());
        }
        CHECK(saw_failed);

        auto meta = nlohmann::json::parse(read_file(tmp / "out/sweep.json"));
        CHECK(meta["name"] == "small");
        CHECK(meta["base"] == source_path("scenarios/default.yaml"));
        CHECK(meta["keys"] ==
              nlohmann::json::array({"workload.classes.video-gen.price_usd_per_unit", "policy.name",
                                     "policy.params"}));
        CHECK(meta["points"] == 12);
        CHECK(meta["version"].is_string());

        // The database: its failed points keep the run's own error message and exit code.
        SQLite::Database db(tmp / "out/sweep.db", SQLite::OPEN_READONLY);
        SQLite::Statement q(db,
                            "SELECT exit_code, error FROM points WHERE status = 'failed' ORDER BY "
                            "point_id");
        int failed = 0;
        while (q.executeStep()) {
            ++failed;
            CHECK(q.getColumn(0).getInt() == 2);
            CHECK(q.getColumn(1).getString().find("horizon_s") != std::string::npos);
        }
        CHECK(failed == 4);
        CHECK(db.execAndGet("SELECT count(*) FROM classes").getInt() == 8 * 5);
        CHECK(db.execAndGet("SELECT count(*) FROM points WHERE wall_s > 0").getInt() == 12);
        CHECK(db.execAndGet("SELECT outcome FROM runs").getString() == "complete");
        // The working folder of the points is gone.
        CHECK(!fs::exists(tmp / "out/work"));
    }

    TEST_CASE("the same sweep gives the same database with -j 1 and -j 2") {
        TempDir tmp("sweep-jobs");
        const auto file = write_sweep(tmp, "small", kSmallSweep);
        const FailPoints fail(kSmallSweepFailing);
        auto a = sweep({file, "-j", "1", "--out", tmp / "a", "-q"});
        auto b = sweep({file, "-j", "2", "--out", tmp / "b", "-q"});
        REQUIRE(a.exit_code == 3);
        REQUIRE(b.exit_code == 3);
        for (const char* f : {"stats.csv", "paired.csv", "effects.csv", "sweep.json"})
            CHECK(read_file(tmp / ("a/" + std::string(f))) ==
                  read_file(tmp / ("b/" + std::string(f))));
        CHECK(read_file(tmp / "a/results.csv") == read_file(tmp / "b/results.csv"));
        CHECK(read_file(tmp / "a/points.csv") == read_file(tmp / "b/points.csv"));
        CHECK(dump_sweep_db(tmp / "a/sweep.db") == dump_sweep_db(tmp / "b/sweep.db"));
        // The runs table tells the two apart.
        SQLite::Database db(tmp / "b/sweep.db", SQLite::OPEN_READONLY);
        CHECK(db.execAndGet("SELECT jobs FROM runs").getInt() == 2);
    }

#if FLEETSIM_WITH_REPORT  // not in a build configured with -DFLEETSIM_REPORT=OFF
    TEST_CASE(
        "the sweep report's profit is the mean of the runs' total_profit_usd and not the "
        "classes' sum where GPUs sat unallocated") {
        TempDir tmp("sweep-report-totals");
        const auto file = write_sweep(tmp, "small", kSmallSweep);
        const FailPoints fail(kSmallSweepFailing);
        REQUIRE(sweep({file, "-j", "2", "--out", tmp / "out", "-q"}).exit_code == 3);
        auto r = run_fleetsim({"report", tmp / "out"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto data = report_page_data(tmp / "out/report.html");
        CHECK(data["meta"]["profit_of"] == "run");

        // Independently, from the database: per price and policy, the means over replications
        // of the runs' total profit, of the unallocated GPUs' cost, and of the classes' profit.
        struct Expected {
            int replications;
            double run_profit, idle_cost, classes_profit;
        };
        std::map<std::pair<double, std::string>, Expected> expected;
        SQLite::Database db(tmp / "out/sweep.db", SQLite::OPEN_READONLY);
        SQLite::Statement q(db, R"(
            SELECT p."workload.classes.video-gen.price_usd_per_unit", p."policy.name", count(*),
                   avg(p.total_profit_usd), avg(p.fleet_idle_cost_usd),
                   avg((SELECT sum(c.profit_usd) FROM classes c WHERE c.point_id = p.point_id))
            FROM points p WHERE p.status = 'done' GROUP BY 1, 2)");
        while (q.executeStep()) {
            expected[{q.getColumn(0).getDouble(), q.getColumn(1).getString()}] = {
                q.getColumn(2).getInt(), q.getColumn(3).getDouble(), q.getColumn(4).getDouble(),
                q.getColumn(5).getDouble()};
        }
        REQUIRE(expected.size() == 4);  // prices 0.05 and 0.2 x 2 policies; price 0.1 failed

        int checked = 0, with_idle = 0;
        for (const auto& cell : data["cells"]) {
            if (cell["status"] != "ok")
                continue;
            const double price = cell["k0"].get<double>();
            const std::string policy = cell["k1"].get<std::string>();
            CAPTURE(price);
            CAPTURE(policy);
            const Expected& e = expected.at({price, policy});
            CHECK(e.replications == 2);
            CHECK(cell["replications"] == e.replications);
            // The page keeps 6 significant digits of each figure.
            const double shown = cell["profit_usd"].get<double>();
            CHECK(shown == doctest::Approx(e.run_profit).epsilon(1e-5));
            CHECK(cell["classes_profit_usd"].get<double>() ==
                  doctest::Approx(e.classes_profit).epsilon(1e-5));
            if (e.idle_cost > 0.01 * std::fabs(e.classes_profit)) {
                ++with_idle;
                CHECK(e.run_profit ==
                      doctest::Approx(e.classes_profit - e.idle_cost).epsilon(1e-9));
                CHECK(shown != doctest::Approx(e.classes_profit).epsilon(1e-3));
            }
            ++checked;
        }
        CHECK(checked == 4);
        CHECK(with_idle >= 1);
        // The best policy at each price is the one with the higher mean profit of the run.
        REQUIRE(data["best"].size() == 2);
        for (const auto& b : data["best"]) {
            const double price = b["k0"].get<double>();
            const double partition = expected.at({price, "static-partition"}).run_profit;
            const double greedy = expected.at({price, "revenue-greedy"}).run_profit;
            CHECK(b["best_policy"] == (partition > greedy ? "static-partition" : "revenue-greedy"));
            CHECK(b["profit_usd"].get<double>() ==
                  doctest::Approx(std::max(partition, greedy)).epsilon(1e-5));
        }
    }
#endif

    TEST_CASE("a sweep killed partway and resumed equals an uninterrupted one") {
        TempDir tmp("sweep-resume");
        const auto file = write_sweep(tmp, "longer", kLongerSweep);
        auto whole = sweep({file, "-j", "2", "--out", tmp / "whole", "-q"});
        REQUIRE(whole.exit_code == 0);

        const std::string db = tmp / "cut/sweep.db";
        // kill -9 once some points are committed: no chance to clean up.
        pid_t pid = start_fleetsim({"sweep", file, "-j", "2", "--out", tmp / "cut"});
        REQUIRE(wait_for_done(db, 2, std::chrono::seconds(120)));
        kill(pid, SIGKILL);
        CHECK(wait_child(pid) == 128 + SIGKILL);
        const long long done_after_kill = count_status(db, "done");
        INFO("done after kill -9: " << done_after_kill);
        REQUIRE(count_status(db, "pending") > 0);  // the kill landed partway

        // Ctrl-C on the resumed run: it ends its points and stops cleanly with 130.
        pid = start_fleetsim({"sweep", file, "-j", "2", "--out", tmp / "cut"});
        REQUIRE(wait_for_done(db, done_after_kill + 1, std::chrono::seconds(120)));
        kill(pid, SIGINT);
        const int code = wait_child(pid);
        REQUIRE(count_status(db, "pending") > 0);
        CHECK(code == 128 + SIGINT);

        auto resumed = sweep({file, "-j", "2", "--out", tmp / "cut", "-q"});
        INFO(resumed.err);
        REQUIRE(resumed.exit_code == 0);
        CHECK(count_status(db, "pending") == 0);
        CHECK(dump_sweep_db(tmp / "whole/sweep.db") == dump_sweep_db(db));
        CHECK(read_file(tmp / "whole/results.csv") == read_file(tmp / "cut/results.csv"));
        CHECK(read_file(tmp / "whole/points.csv") == read_file(tmp / "cut/points.csv"));
        // Three invocations in the log: killed (never closed), interrupted, complete.
        SQLite::Database log(db, SQLite::OPEN_READONLY);
        SQLite::Statement q(log, "SELECT outcome FROM runs ORDER BY run_id");
        std::vector<std::string> outcomes;
        while (q.executeStep())
            outcomes.push_back(q.getColumn(0).getString());
        CHECK(outcomes == std::vector<std::string>{"running", "interrupted", "complete"});
        // A finished sweep run again runs nothing and keeps its results.
        auto again = sweep({file, "--out", tmp / "cut"});
        CHECK(again.exit_code == 0);
        CHECK(again.out.find("this run: 0 points") != std::string::npos);
        CHECK(dump_sweep_db(tmp / "whole/sweep.db") == dump_sweep_db(db));
    }

    TEST_CASE("a sweep killed with kill -9 takes its running points with it") {
        TempDir tmp("sweep-orphans");
        // Two points of bench/scale-a.yaml over 180 days: each runs for about ten seconds
        // on an idle machine, long after the sweep is gone if nothing stops it.
        const std::string file = tmp / "long.yaml";
        write_file(file, fmt::format(R"(name: long
base: {}
set:
  horizon_s: 15552000
  output.jobs_csv: false
replications: 2
)",
                                     source_path("bench/scale-a.yaml")));
        const std::string out = tmp / "out";
        // A point process is `fleetsim run ... --out OUT/work/...`: found by its command line.
        const auto running_points = [&] {
            int n = 0;
            for (const auto& proc : fs::directory_iterator("/proc")) {
                std::string cmdline;
                try {
                    cmdline = read_file(proc.path() / "cmdline");
                } catch (const std::exception&) {
                    continue;  // not a process, or it just ended
                }
                std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
                if (cmdline.find(" run ") != std::string::npos &&
                    cmdline.find(out + "/work/") != std::string::npos)
                    ++n;
            }
            return n;
        };
        const auto wait_until = [](auto condition, std::chrono::seconds timeout) {
            const auto end = std::chrono::steady_clock::now() + timeout;
            while (!condition()) {
                if (std::chrono::steady_clock::now() > end)
                    return false;
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            return true;
        };

        const pid_t pid = start_fleetsim({"sweep", file, "-j", "2", "--out", out});
        REQUIRE(wait_until([&] { return running_points() == 2; }, std::chrono::seconds(60)));
        kill(pid, SIGKILL);
        CHECK(wait_child(pid) == 128 + SIGKILL);
        CHECK(wait_until([&] { return running_points() == 0; }, std::chrono::seconds(5)));
        CHECK(count_status(out + "/sweep.db", "done") == 0);
    }

    TEST_CASE("shards of a job array merge into the database of the whole sweep") {
        TempDir tmp("sweep-shards");
        const auto file = write_sweep(tmp, "small", kSmallSweep);
        const FailPoints fail(kSmallSweepFailing);
        auto whole = sweep({file, "-j", "2", "--out", tmp / "whole", "-q"});
        REQUIRE(whole.exit_code == 3);
        for (const char* s : {"0/3", "1/3", "2/3"}) {
            auto r = sweep({file, "-j", "1", "--shard", s, "--out",
                            tmp / ("shard" + std::string(1, s[0])), "-q"});
            REQUIRE(r.exit_code == 3);  // every shard has one of the failing points
        }
        // Each shard ran only its own points.
        CHECK(count_status(tmp / "shard1/sweep.db", "pending") == 8);
        // Merging two of three leaves the third's points missing, and says so.
        auto part = sweep({"merge", tmp / "merged", tmp / "shard0", tmp / "shard1"});
        CHECK(part.exit_code == 1);
        CHECK(count_status(tmp / "merged/sweep.db", "pending") == 4);
        // Merging the rest (and a shard twice) completes it: nothing lost, nothing doubled.
        auto rest = sweep({"merge", tmp / "merged", tmp / "shard2", tmp / "shard0"});
        INFO(rest.err);
        REQUIRE(rest.exit_code == 3);  // complete, with the failed points
        CHECK(dump_sweep_db(tmp / "whole/sweep.db") == dump_sweep_db(tmp / "merged/sweep.db"));
        for (const char* f :
             {"results.csv", "points.csv", "stats.csv", "paired.csv", "effects.csv", "sweep.json"})
            CHECK(read_file(tmp / ("whole/" + std::string(f))) ==
                  read_file(tmp / ("merged/" + std::string(f))));
        CHECK(fs::exists(tmp / "merged/report.html") == bool(FLEETSIM_WITH_REPORT));
        // The merged folder says which sweep file it came from.
        CHECK(nlohmann::json::parse(read_file(tmp / "merged/sweep.json"))["sweep_file"] ==
              fs::absolute(file).lexically_normal().generic_string());
        // A folder of another sweep is refused.
        const auto other = write_sweep(tmp, "other", "vary:\n  - grid:\n      tick_s: [300]\n");
        REQUIRE(sweep({other, "--out", tmp / "other", "-q"}).exit_code == 0);
        auto wrong = sweep({"merge", tmp / "merged", tmp / "other"});
        CHECK(wrong.exit_code == 2);
        CHECK(wrong.err.find("another sweep") != std::string::npos);
        // Shards are all read before the output folder is made: a bad one leaves none.
        auto mixed = sweep({"merge", tmp / "fresh", tmp / "shard0", tmp / "other"});
        CHECK(mixed.exit_code == 2);
        CHECK(mixed.err.find("another sweep") != std::string::npos);
        CHECK(!fs::exists(tmp / "fresh"));
        auto missing = sweep({"merge", tmp / "fresh", tmp / "shard0", tmp / "nowhere"});
        CHECK(missing.exit_code == 2);
        CHECK(!fs::exists(tmp / "fresh"));
    }

    TEST_CASE("failed points run again only when asked, and kept outputs are the run folders") {
        TempDir tmp("sweep-retry");
        // tick_s 300 is the base's own value; the two points of tick_s 600 are made to fail.
        const auto file = write_sweep(tmp, "keep", R"(replications: 2
keep_point_outputs: true
vary:
  - grid:
      tick_s: [300, 600]
)");
        const FailPoints fail("2,3");
        auto first = sweep({file, "-j", "2", "--out", tmp / "out", "-q"});
        REQUIRE(first.exit_code == 3);
        CHECK(count_status(tmp / "out/sweep.db", "done") == 2);
        CHECK(count_status(tmp / "out/sweep.db", "failed") == 2);
        // The kept folder of point 1 is the run of tick_s 300 with seed 2, and nothing else is.
        const auto kept = fleetsim::test::csv_records(read_file(tmp / "out/points/1/classes.csv"));
        CHECK(kept.size() == 6);
        auto summary = nlohmann::json::parse(read_file(tmp / "out/points/1/summary.json"));
        CHECK(summary["seed"] == 2);
        CHECK(!fs::exists(tmp / "out/points/2"));
        CHECK(!fs::exists(tmp / "out/work"));

        auto again = sweep({file, "--out", tmp / "out"});
        CHECK(again.out.find("this run: 0 points") != std::string::npos);
        CHECK(again.exit_code == 3);  // the folder still holds failed points
        auto retry = sweep({file, "--retry-failed", "--out", tmp / "out"});
        CHECK(retry.exit_code == 3);
        CHECK(retry.out.find("this run: 2 points") != std::string::npos);
        CHECK(count_status(tmp / "out/sweep.db", "failed") == 2);
        SQLite::Database db(tmp / "out/sweep.db", SQLite::OPEN_READONLY);
        CHECK(db.execAndGet("SELECT count(*) FROM runs").getInt() == 3);
        CHECK(db.execAndGet("SELECT sum(points_failed) FROM runs").getInt() == 4);
    }

    TEST_CASE("bad input: a bad sweep file, a changed sweep, a busy folder") {
        TempDir tmp("sweep-bad");
        const auto bad = write_sweep(
            tmp, "bad", "vary:\n  - grid:\n      workload.classes.chat.prize_usd: [1]\n");
        auto r = sweep({bad, "--out", tmp / "bad"});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("bad.yaml:8:") != std::string::npos);
        CHECK(r.err.find("workload.classes.chat.prize_usd") != std::string::npos);

        // A key leading nowhere (not a leaf typo) is an error before any point runs.
        const auto nowhere =
            write_sweep(tmp, "nowhere",
                        "vary:\n  - grid:\n      workload.classes.chatt.price_usd_per_unit: [1]\n");
        auto n = sweep({nowhere, "--out", tmp / "nowhere"});
        CHECK(n.exit_code == 2);
        CHECK(n.err.find("did you mean 'chat'") != std::string::npos);
        CHECK(!fs::exists(tmp / "nowhere/sweep.db"));

        // The sweep file changed after the folder was made: refuse to mix the two.
        const auto file = write_sweep(tmp, "s", "vary:\n  - grid:\n      tick_s: [300]\n");
        REQUIRE(sweep({file, "--out", tmp / "s", "-q"}).exit_code == 0);
        // A folder made by a fleetsim with another database schema (fewer points columns) is
        // refused by name, for resuming and for merging, instead of failing in SQL.
        fs::copy(tmp / "s", tmp / "old", fs::copy_options::recursive);
        {
            SQLite::Database old(tmp / "old/sweep.db", SQLite::OPEN_READWRITE);
            old.exec("UPDATE meta SET value = '1' WHERE key = 'schema_version'");
        }
        for (const auto& args : std::vector<std::vector<std::string>>{
                 {file, "--out", tmp / "old", "-q"}, {"merge", tmp / "merged-old", tmp / "old"}}) {
            auto refused = sweep(args);
            CHECK(refused.exit_code == 2);
            CHECK(refused.err.find("sweep database schema 1") != std::string::npos);
        }
        // Values replaced (the finished 300 is no longer in the file): a sweep may grow, it does
        // not drop what it ran.
        write_sweep(tmp, "s", "vary:\n  - grid:\n      tick_s: [600]\n");
        auto shrunk = sweep({file, "--out", tmp / "s", "-q"});
        CHECK(shrunk.exit_code == 2);
        CHECK(shrunk.err.find("no longer makes") != std::string::npos);
        // Another base (here another `set`): another sweep, refused whatever its points.
        write_file(file, [&] {
            std::string text = read_file(file);
            text.replace(text.find("horizon_s: 21600"), 16, "horizon_s: 20000");
            return text;
        }());
        auto changed = sweep({file, "--out", tmp / "s", "-q"});
        CHECK(changed.exit_code == 2);
        CHECK(changed.err.find("holds another sweep") != std::string::npos);
        CHECK(count_status(tmp / "s/sweep.db", "done") == 1);

        CHECK(sweep({file, "--shard", "3/3"}).exit_code == 2);
        // -j below 1 is refused, not quietly turned into "every core".
        for (const char* j : {"0", "-3", "two"}) {
            CAPTURE(j);
            auto bad_j = sweep({file, "-j", j, "--out", tmp / "bad-j"});
            CHECK(bad_j.exit_code == 2);
            CHECK(bad_j.err.find("--jobs") != std::string::npos);
            CHECK(!fs::exists(tmp / "bad-j"));
        }

        // A second sweep on a folder in use stops at once instead of running points twice.
        const auto longer = write_sweep(tmp, "longer", kLongerSweep);
        const pid_t pid = start_fleetsim({"sweep", longer, "-j", "1", "--out", tmp / "busy"});
        REQUIRE(wait_for_done(tmp / "busy/sweep.db", 1, std::chrono::seconds(120)));
        auto busy = sweep({longer, "--out", tmp / "busy"});
        kill(pid, SIGTERM);
        CHECK(wait_child(pid) == 128 + SIGTERM);
        CHECK(busy.exit_code == 2);
        CHECK(busy.err.find("another fleetsim sweep is running") != std::string::npos);
    }
}
