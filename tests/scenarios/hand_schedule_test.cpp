// Hand-worked schedules (design.md section 6): small cases whose every start and end time was
// worked out on paper, one per policy, checked in jobs.csv to 1e-6 relative (1e-6 s near 0).
// They check the policies' order, gang placement over several nodes, and job durations on
// SimGrid on GPUs of two speeds. Every job arrives in a burst at t ~ 0 (data/hand-fifo.yaml
// explains how); "0" below means that instant (SimGrid's clock moves to 1e-9 s).
#include "tests/support/results.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace fleetsim::test;

namespace {

struct Expected {
    const char* cls;
    double start_s;
    double end_s;  ///< < 0: still running at the horizon
    const char* pool;
};

/** Runs a scenario of tests/scenarios/data and returns its output folder's jobs. */
std::vector<JobRow> run_hand_case(const TempDir& tmp,
                                  const std::string& file,
                                  const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"run", source_path("tests/scenarios/data/" + file), "--out",
                                     tmp / "out", "-q"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_fleetsim(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return read_jobs(tmp / "out");
}

void check_schedule(const std::vector<JobRow>& jobs, const std::vector<Expected>& expected) {
    REQUIRE(jobs.size() == expected.size());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        const JobRow& j = jobs[i];
        const Expected& e = expected[i];
        CAPTURE(i);
        // The order of the burst the reasoning assumes (ids follow submission times).
        REQUIRE(j.cls == e.cls);
        REQUIRE(j.submit_s < 1e-6);
        REQUIRE(j.start_s.has_value());
        CHECK(near(*j.start_s, e.start_s));
        if (e.end_s >= 0) {
            CHECK(j.status == "completed");
            REQUIRE(j.end_s.has_value());
            CHECK(near(*j.end_s, e.end_s));
        } else {
            CHECK(j.status == "running_at_end");
            CHECK_FALSE(j.end_s.has_value());
        }
        CHECK(j.pool == e.pool);
        CHECK(j.preemptions == 0);
    }
}

double gpu_h(const nlohmann::json& summary, const char* cls) {
    return summary["classes"][cls]["gpu_h"].get<double>();
}

}  // namespace

TEST_SUITE("hand-worked") {
    // fifo on the two 8-GPU reference nodes (pool slow), jobs in order a, b, c1, c2:
    //   a  (8 GPUs, 1000 s) starts at 0 on one whole node.
    //   b  (16 GPUs = both nodes, 500 s) does not fit while a runs: it waits, and c1, c2
    //      (4 GPUs each) wait behind it although 8 GPUs are free: head-of-line blocking.
    //   at 1000 a ends; b takes both nodes, 1000 -> 1500 (a two-node gang: two SimGrid execs).
    //   at 1500 b ends; c1 and c2 start together, 1500 -> 1800.
    // GPU-hours: a 8 x 1000 / 3600 = 2.2222, b 16 x 500 / 3600 = 2.2222, c 2 x 4 x 300 / 3600.
    TEST_CASE("fifo: head-of-line blocking and a two-node gang") {
        TempDir tmp("hand-fifo");
        const auto jobs = run_hand_case(tmp, "hand-fifo.yaml");
        check_schedule(jobs, {{"a", 0, 1000, "slow"},
                              {"b", 1000, 1500, "slow"},
                              {"c", 1500, 1800, "slow"},
                              {"c", 1500, 1800, "slow"}});
        const auto s = read_summary(tmp / "out");
        CHECK(near(gpu_h(s, "a"), 8 * 1000 / 3600.0));
        CHECK(near(gpu_h(s, "b"), 16 * 500 / 3600.0));
        CHECK(near(gpu_h(s, "c"), 2 * 4 * 300 / 3600.0));
        CHECK(near(s["fleet"]["gpu_h_busy"].get<double>(), (8000 + 8000 + 2400) / 3600.0));
    }

    // revenue-greedy on one free slow node (reference speed) and the fast node (speed 2): a
    // filler job (value 9) takes the other slow node at 0 for longer than the horizon. Then,
    // ranked by value per GPU-hour: hi1 (5) gets the first pool in its list, slow, 0 -> 3600
    // (8 x 3600 reference GPU-s of work at speed 1); hi2 (5) gets the fast node, 0 -> 1800 (the
    // same work at speed 2). lo (1) arrived first but waits: nothing is left. At 1800 hi2 ends
    // and lo takes the fast node, 1800 -> 3600. (fifo would have started lo first.)
    // GPU-hours: hi 8 x 1 h + 8 x 0.5 h = 12, lo 8 x 0.5 h = 4, filler 8 x 2 h = 16.
    // Revenue (per reference GPU-hour of work delivered): hi 16 x 5 = 80, lo 8 x 1 = 8, filler
    // 16 x 9 = 144 (its work in progress at the horizon counts, valued per GPU-hour).
    TEST_CASE("revenue-greedy: value order, and a GPU twice as fast halves the duration") {
        TempDir tmp("hand-greedy");
        const auto jobs = run_hand_case(tmp, "hand-revenue-greedy.yaml");
        check_schedule(jobs, {{"filler", 0, -1, "slow"},
                              {"lo", 1800, 3600, "fast"},
                              {"hi", 0, 3600, "slow"},
                              {"hi", 0, 1800, "fast"}});
        const auto s = read_summary(tmp / "out");
        CHECK(near(gpu_h(s, "hi"), 12));
        CHECK(near(gpu_h(s, "lo"), 4));
        CHECK(near(gpu_h(s, "filler"), 16));
        CHECK(near(s["classes"]["hi"]["revenue_usd"].get<double>(), 80));
        CHECK(near(s["classes"]["lo"]["revenue_usd"].get<double>(), 8));
        CHECK(near(s["classes"]["filler"]["revenue_usd"].get<double>(), 144));
        // lo waited 1800 s of the 7200 s while its rate (1 per reference GPU-hour) was the best
        // waiting rate: λ_slow = 1, λ_fast = 1 x speed 2 = 2 per fast GPU-hour; the fleet's is
        // their average over its GPUs, (16 x 1 + 8 x 2) / 24 = 4/3, so the run's mean is
        // 4/3 x 1800 / 7200 = 1/3.
        CHECK(near(s["fleet"]["mean_shadow_price_usd_per_gpu_h"].get<double>(), 1.0 / 3));
        CHECK(s["totals"]["opportunity_cost_usd"].get<double>() == 0);
    }

    // A throughput matrix (data/hand-matrix.yaml), fifo on the small platform: slow = 16
    // reference GPUs, fast = 8 GPUs of dense BF16 ratio 2. chat runs at 3 on fast, train at
    // 0.5, so they try the pools in opposite orders: chat fast then slow, train slow then fast.
    //   chat (service): 11 reference GPUs of demand -> ceil(11 / 3) = 4 fast GPUs (at the dense
    //     ratio it would have taken 6). Capacity 4 x 3 = 12 units per hour >= 11: it serves all
    //     22 units over 2 h, revenue 22 USD for 4 x 2 = 8 GPU-hours: 2.75 USD per GPU-hour.
    //     Busy: 22 reference GPU-hours at speed 3 = 22 / 3 fast GPU-hours.
    //   train: five 4-GPU jobs of 7,200 reference GPU-s. Jobs 1-4 fill slow, 0 -> 1800 (speed
    //     1); job 5 takes 4 of the 4 fast GPUs chat left, 0 -> 7200 / (4 x 0.5) = 3600.
    //     GPU-hours 4 x 4 x 0.5 + 4 x 1 = 12; revenue 5 jobs x 2 reference GPU-h x 2 USD = 20:
    //     1.667 USD per GPU-hour (2 on slow, 1 on fast).
    TEST_CASE("throughput matrix: placement, capacity, durations and revenue per GPU-hour") {
        TempDir tmp("hand-matrix");
        const auto jobs = run_hand_case(tmp, "hand-matrix.yaml");
        check_schedule(jobs, {{"train", 0, 1800, "slow"},
                              {"train", 0, 1800, "slow"},
                              {"train", 0, 1800, "slow"},
                              {"train", 0, 1800, "slow"},
                              {"train", 0, 3600, "fast"}});
        const auto s = read_summary(tmp / "out");
        const auto& chat = s["classes"]["chat"];
        CHECK(near(chat["gpu_h"].get<double>(), 8));
        CHECK(near(chat["served_units"].get<double>(), 22));
        CHECK(near(chat["lost_units"].get<double>(), 0));
        CHECK(near(chat["busy_gpu_h"].get<double>(), 22.0 / 3));
        CHECK(near(chat["revenue_usd_per_gpu_h"].get<double>(), 2.75));
        const auto& train = s["classes"]["train"];
        CHECK(near(train["gpu_h"].get<double>(), 12));
        CHECK(near(train["revenue_usd"].get<double>(), 20));
        CHECK(near(train["revenue_usd_per_gpu_h"].get<double>(), 20.0 / 12));
        // Per pool and hour: chat is busy 11 / 3 fast GPUs on average; in the first hour job 5
        // keeps 4 more fast GPUs busy, jobs 1-4 all 16 slow ones for half of it.
        const auto rows = parse_csv(read_file(tmp / "out/timeseries.csv"));
        REQUIRE(rows.size() == 4);  // 2 hours x 2 classes
        CHECK(near(num(rows[0], "pool_gpus_busy.fast"), 11.0 / 3 + 4));
        CHECK(near(num(rows[0], "pool_gpus_busy.slow"), 8));
        CHECK(near(num(rows[2], "pool_gpus_busy.fast"), 11.0 / 3));
        CHECK(near(num(rows[2], "pool_gpus_busy.slow"), 0));
        for (const auto& r : rows) {
            if (r.at("class") == "chat")
                CHECK(near(num(r, "gpus_allocated"), 4));
        }
    }

    // Comparative advantage (data/hand-comparative.yaml): lo (value 2 per reference GPU-hour)
    // runs at 3 on fast, hi (value 3) at 2.2; both at 1 on slow; one 8-GPU job of 8 x 3600
    // reference GPU-s each. Per GPU-hour: on fast lo earns 2 x 3 = 6, hi 3 x 2.2 = 6.6; on
    // slow lo 2, hi 3.
    //   revenue-greedy ranks hi first and gives it the pool where it runs fastest, fast:
    //     hi 0 -> 3600 / 2.2 = 1636.36 s; lo on slow 0 -> 3600.
    //   comparative-advantage: hi's advantage is 6.6 / 6 = 1.1 on fast, 3 / 2 = 1.5 on slow, so
    //     hi takes slow, 0 -> 3600; lo's is 6 / 6.6 on fast, 2 / 3 on slow: fast, 0 -> 3600 / 3
    //     = 1200. Both earn the same in the end; the fleet's work is done 0.4 h sooner.
    TEST_CASE("comparative-advantage: each class on the GPU type where it is relatively fastest") {
        TempDir tmp("hand-comparative");
        check_schedule(run_hand_case(tmp, "hand-comparative.yaml"),
                       {{"lo", 0, 1200, "fast"}, {"hi", 0, 3600, "slow"}});
        TempDir greedy("hand-comparative-greedy");
        check_schedule(
            run_hand_case(greedy, "hand-comparative.yaml", {"--set", "policy.name=revenue-greedy"}),
            {{"lo", 0, 3600, "slow"}, {"hi", 0, 3600 / 2.2, "fast"}});
    }

    // static-partition, shares high 0.5 / low 0.5 of 16 GPUs: 8 GPUs each.
    //   high1 (8 GPUs, 1000 s) starts at 0; high2 (8) would take high to 16 > 8: it waits.
    //   low (4 GPUs, 2000 s) starts at 0 in its own share: 0 -> 2000.
    //   at 1000 high1 ends; high2 starts, 1000 -> 2000.
    // Opportunity cost (design.md section 3): over [0, 1000) the best waiting demand is high2
    // at $10/GPU-h while low holds 4 GPUs earning $2/GPU-h: 4 GPU x 1000/3600 h x (10 - 2) =
    // $8.8889. high's own jobs run at 10 (no opportunity cost); after 1000 nothing waits.
    // Costs: capex 35,040 / (4 x 8,760 h) = $1/GPU-h + overhead $0.5; energy busy 0.7 kW x PUE
    // 1.25 x $0.10 = $0.0875/GPU-h, idle 0.1 kW -> $0.0125/GPU-h. high: 4.4444 GPU-h x 1.5875;
    // low: 2.2222 x 1.5875; idle: (16 - 6.6667) GPU-h x 1.5125.
    TEST_CASE(
        "static-partition: a class never exceeds its share, and the opportunity cost by hand") {
        TempDir tmp("hand-static");
        const auto jobs = run_hand_case(tmp, "hand-static-partition.yaml");
        check_schedule(
            jobs,
            {{"high", 0, 1000, "slow"}, {"high", 1000, 2000, "slow"}, {"low", 0, 2000, "slow"}});
        const auto s = read_summary(tmp / "out");
        const auto& high = s["classes"]["high"];
        const auto& low = s["classes"]["low"];
        CHECK(near(gpu_h(s, "high"), 2 * 8 * 1000 / 3600.0));
        CHECK(near(gpu_h(s, "low"), 4 * 2000 / 3600.0));
        CHECK(near(low["opportunity_cost_usd"].get<double>(), 4 * 1000 / 3600.0 * (10 - 2)));
        CHECK(near(high["opportunity_cost_usd"].get<double>(), 0));
        CHECK(near(s["totals"]["opportunity_cost_usd"].get<double>(), 80 / 9.0));
        CHECK(near(high["cost_usd"].get<double>(), 16000 / 3600.0 * 1.5875));
        CHECK(near(low["cost_usd"].get<double>(), 8000 / 3600.0 * 1.5875));
        CHECK(near(s["totals"]["idle_cost_usd"].get<double>(), (16 - 24000 / 3600.0) * 1.5125));
        CHECK(near(high["revenue_usd"].get<double>(), 16000 / 3600.0 * 10));
        CHECK(near(low["revenue_usd"].get<double>(), 8000 / 3600.0 * 2));
    }

    // With spare capacity nothing ever waits, so the shadow price is 0 at every instant and no
    // class has an opportunity cost (design.md section 3: "zero when the fleet had spare
    // capacity"). The mixed scenario on 100 slow nodes instead of 2: 816 GPUs for demand
    // that needs a few dozen.
    TEST_CASE("opportunity cost is zero when the fleet has spare capacity") {
        for (const char* policy : {"fifo", "revenue-greedy"}) {
            CAPTURE(policy);
            TempDir tmp("spare");
            auto r =
                run_fleetsim({"run", source_path("tests/scenarios/data/mixed.yaml"), "--set",
                              "platform.pools.slow.nodes=100", "--set",
                              std::string("policy.name=") + policy, "--out", tmp / "out", "-q"});
            INFO(r.err);
            REQUIRE(r.exit_code == 0);
            const auto s = read_summary(tmp / "out");
            for (const auto& [name, c] : s["classes"].items()) {
                const auto& name_ = name;  // clang 14 cannot capture a structured binding
                CAPTURE(name_);
                CHECK(c["gpu_h"].get<double>() > 0);  // every class really ran
                CHECK(c["opportunity_cost_usd"].get<double>() == 0);
            }
            CHECK(s["totals"]["opportunity_cost_usd"].get<double>() == 0);
            CHECK(s["fleet"]["mean_shadow_price_usd_per_gpu_h"].get<double>() == 0);
            for (const auto& j : read_jobs(tmp / "out")) {
                REQUIRE(j.start_s.has_value());
                CHECK(*j.start_s - j.submit_s < 1e-6);  // no job ever waited
            }
        }
    }
}
