// Bad input to sweeps (docs/reliability.md, "Bad input and resources"): duplicate points and
// counts past the point limit refused at their line before any point is made, damaged
// databases and folders that cannot be made refused by name with exit 2 (never "internal
// error"), and a sweep that is still reading its file stops at once on SIGINT or SIGTERM.
#include "tests/sweep/sweep_support.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <sys/wait.h>
#include <thread>

using namespace fleetsim::test;
namespace fs = std::filesystem;

namespace {

const char* kOnePoint = R"(vary:
  - grid:
      workload.classes.video-gen.price_usd_per_unit: [0.05]
)";

void check_bad_input(const Spawned& r, const std::string& where, const std::string& what) {
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(where) != std::string::npos);
    CHECK(r.err.find(what) != std::string::npos);
    CHECK(r.err.find("internal error") == std::string::npos);
    CHECK(r.err.find("UNIQUE") == std::string::npos);
}

}  // namespace

TEST_SUITE("sweep") {
    TEST_CASE("sweep input: equal values or seeds are refused at their line, before any point") {
        TempDir tmp("sweep-input");
        const std::string values = write_sweep(tmp, "values", R"(vary:
  - grid:
      workload.classes.video-gen.price_usd_per_unit: [0.05, 0.05]
)");
        check_bad_input(run_fleetsim({"sweep", values, "--out", tmp / "a", "-q"}), "values.yaml:8:",
                        "expected distinct values, found 0.05 twice (first at line 8)");
        const std::string seeds = write_sweep(tmp, "seeds", "seeds: [1, 1]\n");
        check_bad_input(run_fleetsim({"sweep", seeds, "--out", tmp / "b", "-q"}), "seeds.yaml:6:",
                        "expected distinct seeds, found 1 twice (first at line 6)");
        // A range whose rounding makes two values equal.
        const std::string range = write_sweep(tmp, "range", R"(vary:
  - grid:
      workload.classes.video-gen.price_usd_per_unit: {from: 1, to: 2, count: 5, integer: true}
)");
        check_bad_input(run_fleetsim({"sweep", range, "--out", tmp / "c", "-q"}),
                        "range.yaml:8:", "expected distinct values, found 1 twice once rounded");
        // Two blocks that vary one key make equal points too.
        const std::string blocks = write_sweep(tmp, "blocks", R"(vary:
  - zip:
      workload.classes.video-gen.price_usd_per_unit: [0.05, 0.05]
      workload.classes.chat.price_usd_per_unit: [1, 1]
)");
        auto r = run_fleetsim({"sweep", blocks, "--out", tmp / "d", "-q"});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("blocks.yaml:") != std::string::npos);
        CHECK(r.err.find("internal error") == std::string::npos);
        for (const char* d : {"a", "b", "c", "d"})
            CHECK_FALSE(fs::exists(tmp / d));
    }

    TEST_CASE("sweep input: count and replications past the point limit, checked before making") {
        TempDir tmp("sweep-input");
        const std::string count = write_sweep(tmp, "count", R"(vary:
  - grid:
      workload.classes.video-gen.price_usd_per_unit: {from: 0.01, to: 1, count: 1000000000000}
)");
        const auto t0 = std::chrono::steady_clock::now();
        check_bad_input(run_fleetsim({"sweep", count, "--list"}), "count.yaml:8:",
                        "expected a count of at most 10000000 (points), found 1000000000000");
        const std::string reps = write_sweep(tmp, "reps", "replications: 1000000000000\n");
        check_bad_input(run_fleetsim({"sweep", reps, "--list"}), "reps.yaml:6:",
                        "expected at most 10000000 replications (points), found 1000000000000");
        CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
    }

    TEST_CASE("sweep input: a garbage or truncated sweep.db is exit 2 naming the file") {
        TempDir tmp("sweep-input");
        const std::string sweep = write_sweep(tmp, "one", kOnePoint);
        auto ok = run_fleetsim({"sweep", sweep, "--out", tmp / "ok", "-q", "--no-report"});
        REQUIRE(ok.exit_code == 0);
        // Marked as fleetsim's sweep folders (an unmarked one is refused before its database is
        // opened, docs/reliability.md), so that the database itself is what is checked.
        const std::string marker = read_file(tmp / "ok/.fleetsim-output");
        fs::create_directories(tmp / "garbage");
        write_file(tmp / "garbage/.fleetsim-output", marker);
        write_file(tmp / "garbage/sweep.db", "this is not a database at all, not even close.\n");
        check_bad_input(run_fleetsim({"sweep", sweep, "--out", tmp / "garbage", "-q"}),
                        "garbage/sweep.db: not a readable sweep database",
                        "file is not a database");
        CHECK(read_file(tmp / "garbage/sweep.db") ==
              "this is not a database at all, not even close.\n");
        // A real one, cut short.
        const std::string whole = read_file(tmp / "ok/sweep.db");
        REQUIRE(whole.size() > 8192);
        fs::create_directories(tmp / "cut");
        write_file(tmp / "cut/.fleetsim-output", marker);
        write_file(tmp / "cut/sweep.db", whole.substr(0, whole.size() / 2));
        check_bad_input(run_fleetsim({"sweep", sweep, "--out", tmp / "cut", "-q"}),
                        "cut/sweep.db: not a readable sweep database", "malformed");
        // Both as shards of a merge.
        check_bad_input(run_fleetsim({"sweep", "merge", tmp / "m1", tmp / "garbage"}),
                        "garbage/sweep.db: not a readable sweep database", "");
        check_bad_input(run_fleetsim({"sweep", "merge", tmp / "m2", tmp / "ok", tmp / "cut"}),
                        "cut/sweep.db: not a readable sweep database", "");
    }

    TEST_CASE("sweep input: a shard that is a regular file, an OUT or --out that is a file") {
        TempDir tmp("sweep-input");
        write_file(tmp / "file", "x");
        const std::string sweep = write_sweep(tmp, "one", kOnePoint);
        auto ok = run_fleetsim({"sweep", sweep, "--out", tmp / "ok", "-q", "--no-report"});
        REQUIRE(ok.exit_code == 0);
        check_bad_input(run_fleetsim({"sweep", "merge", tmp / "m", tmp / "file"}), tmp / "file",
                        "not a sweep database");
        check_bad_input(run_fleetsim({"sweep", "merge", tmp / "file", tmp / "ok"}), tmp / "file",
                        "is a file, not a folder");
        check_bad_input(run_fleetsim({"sweep", "merge", tmp / "file/sub", tmp / "ok"}),
                        tmp / "file/sub", "cannot create the output folder");
        check_bad_input(run_fleetsim({"sweep", sweep, "--out", tmp / "file", "-q"}), tmp / "file",
                        "is a file, not a folder");
        check_bad_input(run_fleetsim({"sweep", sweep, "--out", tmp / "file/sub", "-q"}),
                        tmp / "file/sub", "cannot create the output folder");
        CHECK(read_file(tmp / "file") == "x");
    }

    TEST_CASE("sweep input: an alias bomb in a sweep file is refused within a second") {
        // It used to expand for 15 minutes with SIGINT and SIGTERM blocked.
        TempDir tmp("sweep-input");
        std::string bomb = "description: &a0 [x, x, x, x, x, x, x, x, x, x]\nx-bomb:\n";
        for (int i = 1; i < 10; ++i) {
            bomb += "  a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
            for (int k = 0; k < 10; ++k)
                bomb += (k ? ", *a" : "*a") + std::to_string(i - 1);
            bomb += "]\n";
        }
        const std::string sweep = write_sweep(tmp, "bomb", bomb);
        const auto t0 = std::chrono::steady_clock::now();
        auto r = run_fleetsim({"sweep", sweep, "--out", tmp / "out", "-q"});
        check_bad_input(r, "bomb.yaml:", "expected at most 1000000 YAML nodes");
        CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
        CHECK_FALSE(fs::exists(tmp / "out"));
    }

    TEST_CASE("sweep input: SIGTERM and SIGINT stop a sweep within a second while it reads") {
        // 3,000,000 points take minutes to make: the signals arrive while the sweep still
        // reads its file, before any folder exists.
        TempDir tmp("sweep-input");
        const std::string sweep = write_sweep(tmp, "slow", R"(vary:
  - grid:
      workload.classes.video-gen.price_usd_per_unit: {from: 0.01, to: 1, count: 3000}
      workload.classes.chat.price_usd_per_unit: {from: 0.01, to: 1, count: 1000}
)");
        for (int sig : {SIGTERM, SIGINT}) {
            CAPTURE(sig);
            const std::string out = tmp / ("out" + std::to_string(sig));
            const pid_t pid = start_fleetsim({"sweep", sweep, "--out", out, "-q"});
            std::this_thread::sleep_for(std::chrono::milliseconds(700));
            const auto t0 = std::chrono::steady_clock::now();
            kill(pid, sig);
            int status = 0;
            bool ended = false;
            while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10)) {
                if (waitpid(pid, &status, WNOHANG) == pid) {
                    ended = true;
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            const double s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            if (!ended) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
            }
            CHECK(ended);
            CHECK(s < 1.0);
            CHECK(WIFSIGNALED(status));
            CHECK_FALSE(fs::exists(out));
        }
    }
}
