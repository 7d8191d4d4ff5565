// Fleets that change over time (docs/model.md): a pool that comes online mid-run holds no work
// and costs nothing before it; a retired pool's running jobs move with their checkpoint and the
// books count only owned GPU-hours; a rented pool pays its price per GPU-hour instead of its
// capex. data/fleet-changes.yaml is the case (the small platform: pool slow, 16 GPUs at speed 1,
// always owned; pool fast, 8 GPUs at speed 2, online from 2 h). The conservation test
// (conservation_test.cpp) checks the books under every policy with both changes.
#include "tests/support/results.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace fleetsim::test;

namespace {

const std::string kCase = "tests/scenarios/data/fleet-changes.yaml";

/** Runs the case with `extra` arguments into tmp/<tag>; returns the folder. */
std::string run_case(const TempDir& tmp,
                     const std::string& tag,
                     const std::vector<std::string>& extra = {}) {
    // Pool fast comes online at 2 h (small-platform.yaml itself owns it throughout).
    std::vector<std::string> args = {"run",
                                     source_path(kCase),
                                     "--out",
                                     tmp / tag,
                                     "-q",
                                     "--set",
                                     "platform.pools.fast.online_at_s=7200"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_fleetsim(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return tmp / tag;
}

double total_cost(const std::string& dir) {
    return read_summary(dir)["totals"]["cost_usd"].get<double>();
}

}  // namespace

TEST_SUITE("fleet-changes") {
    TEST_CASE("a pool that comes online mid-run holds no work and costs nothing before it") {
        TempDir tmp("fleet-online");
        const std::string dir = run_case(tmp, "out");
        // Jobs placed on fast (its first choice) start only once it is online; some do.
        int on_fast = 0;
        for (const auto& j : read_jobs(dir)) {
            CAPTURE(j.job_id);
            CHECK(j.preemptions == 0);
            if (j.pool == "fast" && j.start_s) {
                ++on_fast;
                CHECK(*j.start_s >= 7200 - 1e-6);
            }
        }
        CHECK(on_fast > 3);
        // timeseries.csv: fast owns no GPU before 2 h and all 8 after; the composition columns
        // by GPU type say the same.
        for (const auto& r : parse_csv(read_file(dir + "/timeseries.csv"))) {
            const double t = num(r, "t_s");
            CAPTURE(t);
            CHECK(num(r, "pool_gpus.fast") == (t < 7200 ? 0 : 8));
            CHECK(num(r, "gpus_owned.fast") == (t < 7200 ? 0 : 8));
            CHECK(num(r, "gpus_owned.ref") == 16);
            if (t < 7200)
                CHECK(num(r, "pool_gpus_busy.fast") == 0);
        }
        // Capacity is owned GPU-hours: 16 x 24 h + 8 x 22 h.
        const auto s = read_summary(dir);
        const double capacity = 16 * 24 + 8 * 22;
        CHECK(s["fleet"]["gpu_h_capacity"].get<double>() == doctest::Approx(capacity));
        CHECK(s["fleet"]["gpu_h_busy"].get<double>() + s["fleet"]["gpu_h_idle"].get<double>() ==
              doctest::Approx(capacity).epsilon(1e-9));
        // Costs nothing before: fast's capex (small-platform.yaml: $70,080 over 4 years, $2 per
        // GPU-hour) is charged for its 8 x 22 owned GPU-hours only, not 8 x 24. The schedule
        // does not depend on capex (fifo), so the whole difference is that charge.
        const std::string free_fast =
            run_case(tmp, "free", {"--set", "platform.gpu_types.fast.capex_usd=0"});
        CHECK(total_cost(dir) - total_cost(free_fast) == doctest::Approx(8 * 22 * 2.0));
        // The same GPUs rented at $3 per GPU-hour instead: $3 x 8 x 22, whatever the capex.
        const std::string rented =
            run_case(tmp, "rented", {"--set", "platform.pools.fast.rental_usd_per_gpu_h=3"});
        CHECK(total_cost(rented) - total_cost(free_fast) == doctest::Approx(8 * 22 * 3.0));
    }

    TEST_CASE("a retired pool's running jobs move with their checkpoint and the books close") {
        TempDir tmp("fleet-retire");
        // fast is owned from 2 h to 12 h: the job running there at 12 h moves to slow.
        const std::string dir =
            run_case(tmp, "out", {"--set", "platform.pools.fast.retire_at_s=43200"});
        const auto s = read_summary(dir);
        int moved = 0;
        const auto jobs = read_jobs(dir);
        for (const auto& j : jobs) {
            CAPTURE(j.job_id);
            // A job whose last run was on fast ended there before the retirement.
            if (j.pool == "fast") {
                CHECK(j.status == "completed");
                CHECK(j.end_s.value_or(1e300) <= 43200 + 1e-6);
            }
            if (j.preemptions == 0)
                continue;
            // Moved once, at 12 h: it had run on fast (8 GPUs at speed 2) since its start and
            // keeps all that work (a planned stop checkpoints first); it restarts on slow when
            // a node there is free (at 12 h, or when a job on slow ends: it is first in the
            // fifo queue, in its original position), pays its 60 s restart and does the rest
            // at speed 1: end = restart + 60 + (16 x 3600 - 16 x (43200 - start)) / 8.
            ++moved;
            CHECK(j.preemptions == 1);
            CHECK(j.lost_work_gpu_h == 0);
            CHECK(j.pool == "slow");
            REQUIRE(j.start_s.has_value());
            REQUIRE(j.end_s.has_value());
            CHECK(j.status == "completed");
            const double restart = *j.end_s - 60 - (16 * 3600 - 16 * (43200 - *j.start_s)) / 8;
            CHECK(restart >= 43200 - 1e-6);
            bool node_freed = near(restart, 43200);
            for (const auto& k : jobs)
                node_freed = node_freed || (k.pool == "slow" && k.end_s && near(*k.end_s, restart));
            CHECK(node_freed);
            // No job behind it in the queue started between the retirement and its restart.
            for (const auto& k : jobs) {
                if (k.job_id > j.job_id && k.start_s && *k.start_s >= 43200 - 1e-6)
                    CHECK(*k.start_s >= restart - 1e-6);
            }
        }
        CHECK(moved == 1);
        CHECK(s["classes"]["train"]["preemptions"].get<long long>() == 1);
        CHECK(s["classes"]["train"]["lost_work_gpu_h"].get<double>() == 0);
        // After 12 h fast owns nothing and does nothing.
        for (const auto& r : parse_csv(read_file(dir + "/timeseries.csv"))) {
            const double t = num(r, "t_s");
            CAPTURE(t);
            CHECK(num(r, "pool_gpus.fast") == (t < 7200 || t >= 43200 ? 0 : 8));
            if (t >= 43200)
                CHECK(num(r, "pool_gpus_busy.fast") == 0);
        }
        // The books close over owned GPU-hours: 16 x 24 h + 8 x (12 h - 2 h).
        const double capacity = 16 * 24 + 8 * 10;
        CHECK(s["fleet"]["gpu_h_capacity"].get<double>() == doctest::Approx(capacity));
        CHECK(s["fleet"]["gpu_h_busy"].get<double>() + s["fleet"]["gpu_h_idle"].get<double>() ==
              doctest::Approx(capacity).epsilon(1e-9));
        CHECK(s["fleet"]["gpu_h_allocated"].get<double>() +
                  s["fleet"]["gpu_h_unallocated"].get<double>() ==
              doctest::Approx(capacity).epsilon(1e-9));
        // Every completed job was paid its 16 reference GPU-hours, the moved one included.
        const auto& train = s["classes"]["train"];
        CHECK(train["revenue_usd"].get<double>() >=
              train["jobs_completed"].get<double>() * 16 * 2.0 - 1e-6);
    }

    TEST_CASE("on_retire: preempt keeps only the last checkpoint's work of a retired pool's jobs") {
        TempDir tmp("fleet-retire-preempt");
        // As above, but the retirement stops the job on fast as it is: the class writes no
        // checkpoints, so the job keeps nothing of its run there and redoes all 16 reference
        // GPU-hours on slow.
        const std::string dir = run_case(tmp, "out",
                                         {"--set", "platform.pools.fast.retire_at_s=43200", "--set",
                                          "platform.pools.fast.on_retire=preempt"});
        const auto jobs = read_jobs(dir);
        int moved = 0;
        double lost_gpu_h = 0;
        for (const auto& j : jobs) {
            if (j.preemptions == 0)
                continue;
            CAPTURE(j.job_id);
            ++moved;
            REQUIRE(j.start_s.has_value());
            REQUIRE(j.end_s.has_value());
            // It had done 16 reference GPU-seconds a second on fast since its start.
            CHECK(j.lost_work_gpu_h == doctest::Approx(16 * (43200 - *j.start_s) / 3600));
            lost_gpu_h += j.lost_work_gpu_h;
            const double restart = *j.end_s - 60 - 16 * 3600 / 8.0;
            CHECK(restart >= 43200 - 1e-6);
            bool node_freed = near(restart, 43200);
            for (const auto& k : jobs)
                node_freed = node_freed || (k.pool == "slow" && k.end_s && near(*k.end_s, restart));
            CHECK(node_freed);
        }
        CHECK(moved == 1);
        const auto s = read_summary(dir);
        CHECK(s["classes"]["train"]["lost_work_gpu_h"].get<double>() ==
              doctest::Approx(lost_gpu_h));
        CHECK(lost_gpu_h > 0);
    }

    TEST_CASE("without the new keys the outputs carry no composition columns") {
        TempDir tmp("fleet-static");
        const std::string dir =
            run_case(tmp, "out", {"--set", "platform.pools.fast.online_at_s=0"});
        const std::string text = read_file(dir + "/timeseries.csv");
        CHECK(text.substr(0, text.find('\n')).find("gpus_owned") == std::string::npos);
        const auto s = read_summary(dir);
        CHECK(s["fleet"]["gpu_h_capacity"].get<double>() == doctest::Approx(24 * 24));
    }

    TEST_CASE("a pool that never comes online changes nothing: the default lab's books") {
        // b200-arrives with its B200 pool online only at the horizon is the default lab (same
        // H100s, demand and seed) with 1,024 GPUs it never owns: every book is the default's
        // under the same policy, to the byte, but the GPUs the platform declares.
        TempDir tmp("fleet-never");
        auto a = run_fleetsim({"run", source_path("scenarios/b200-arrives.yaml"), "--out",
                               tmp / "never", "-q", "--no-report", "--set",
                               "platform.pools.b200-new.online_at_s=604800"});
        INFO(a.err);
        REQUIRE(a.exit_code == 0);
        auto b = run_fleetsim({"run", "--out", tmp / "default", "-q", "--no-report", "--set",
                               "policy.name=comparative-advantage", "--set", "policy.params={}"});
        INFO(b.err);
        REQUIRE(b.exit_code == 0);
        for (const char* file : {"/classes.csv", "/jobs.csv"})
            CHECK(read_file(tmp / "never" + file) == read_file(tmp / "default" + file));
        auto never = read_summary(tmp / "never");
        auto plain = read_summary(tmp / "default");
        CHECK(never["fleet"]["gpus"] == 5120);
        CHECK(plain["fleet"]["gpus"] == 4096);
        for (auto* s : {&never, &plain}) {
            for (const char* key : {"gpus", "wall_s", "scenario"}) {
                (*s)["fleet"].erase(key);
                s->erase(key);
            }
        }
        CHECK(never.dump() == plain.dump());
    }

    TEST_CASE("reserved refuses a fleet that changes over time, exit 2 naming policy.name") {
        TempDir tmp("fleet-reserved");
        auto r = run_fleetsim({"run", source_path(kCase), "--out", tmp / "out", "-q", "--set",
                               "policy.name=reserved", "--set", "policy.params={}", "--set",
                               "platform.pools.fast.online_at_s=7200"});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("policy.name") != std::string::npos);
        CHECK(r.err.find("changes over time") != std::string::npos);
    }
}
