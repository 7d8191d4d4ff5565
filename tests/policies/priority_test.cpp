// priority: hand-worked schedules on 8 GPUs (2 nodes x 4).
#include "tests/support/policy_harness.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;
using namespace fleetsim::test;

namespace {

ScenarioSpec two_nodes() {
    ScenarioSpec s = small_scenario();
    add_pool(s, "a", 2, 4);
    add_service(s, "inference", 8, 0);
    add_batch(s, "urgent", 4);
    add_batch(s, "training", 2, /*preemptible=*/true, /*checkpoint_interval_s=*/600,
              /*restart_cost_s=*/300);
    return s;
}

ParamValue priorities(const std::string& preempt, const std::string& min_run_s) {
    return param(
        {{"priorities",
          param({{"inference", param("10")}, {"urgent", param("5")}, {"training", param("1")}})},
         {"preempt", param(preempt)},
         {"min_run_s", param(min_run_s)}});
}

}  // namespace

TEST_SUITE("policy.priority") {
    TEST_CASE("preemption keeps the work up to the last checkpoint and charges the restart cost") {
        Harness h(two_nodes(), "priority", priorities("true", "1800"));
        auto& st = h.state();
        // t=0: T1 (4 GPUs, 4 GPU-h: 1 h) and T2 (4 GPUs, 8 GPU-h: 2 h) fill both nodes.
        const JobId t1 = h.submit("training", 4, 4);
        const JobId t2 = h.submit("training", 4, 8);
        h.decide();
        REQUIRE(st.job(t1).status == JobStatus::running);
        REQUIRE(st.job(t2).status == JobStatus::running);
        // t=1000: U1 (urgent, 4 GPUs, 2 GPU-h: 1800 s) outranks training, but both training jobs
        // have run only 1000 s < min_run_s (1800 s): neither may be preempted yet, U1 waits.
        st.now_s = 1000;
        const JobId u1 = h.submit("urgent", 4, 2);
        h.decide();
        CHECK(st.job(u1).status == JobStatus::waiting);
        // t=1800: both have run 1800 s. Equal priority and equal loss (1800 s is a checkpoint:
        // nothing lost), so the later job (T2) is the victim. It keeps 1800 s x 4 GPUs of work.
        h.run_until(1800);
        REQUIRE(st.job(u1).status == JobStatus::running);
        CHECK(st.job(u1).start_s == 1800);
        CHECK(st.job(t2).status == JobStatus::waiting);
        CHECK(st.job(t2).preemptions == 1);
        CHECK(st.job(t2).saved_ref_gpu_s == doctest::Approx(1800.0 * 4));
        CHECK(st.job(t2).lost_ref_gpu_s == doctest::Approx(0));
        CHECK(st.job(t1).status == JobStatus::running);
        // U1 ends at 1800 + 1800 = 3600, with T1 (0 + 3600): T2 restarts at 3600 and pays 300 s
        // of restart: (8 x 3600 - 7200) / 4 = 5400 s of work, so it ends at 3600 + 300 + 5400.
        h.run_until(3600);
        CHECK(st.job(u1).status == JobStatus::completed);
        CHECK(st.job(t1).status == JobStatus::completed);
        REQUIRE(st.job(t2).status == JobStatus::running);
        CHECK(st.job(t2).start_s == 3600);
        CHECK(h.end_of(t2) == doctest::Approx(9300));
        // t=4000: inference needs 6 GPUs. It takes the 4 free ones; T2 restarted only 400 s ago
        // (< min_run_s), so it is not preempted and the service stays short by 2.
        st.now_s = 4000;
        st.cls(h.cls("inference")).demand_units_per_s = 6;
        h.decide();
        CHECK(st.cls(h.cls("inference")).gpus_held == 4);
        CHECK(st.job(t2).status == JobStatus::running);
        // t=5600: T2 has run 2000 s (300 s restart + 1700 s of work: 2 checkpoints, 1200 s kept,
        // 500 s x 4 GPUs lost). Inference preempts it and grows to 6; 2 GPUs stay free.
        st.now_s = 5600;
        h.decide();
        CHECK(st.cls(h.cls("inference")).gpus_held == 6);
        CHECK(st.job(t2).status == JobStatus::waiting);
        CHECK(st.job(t2).preemptions == 2);
        CHECK(st.job(t2).lost_ref_gpu_s == doctest::Approx(500.0 * 4));
        CHECK(st.job(t2).saved_ref_gpu_s == doctest::Approx((1800.0 + 1200.0) * 4));
        CHECK(st.fleet.free_gpus() == 2);
        // t=6000: demand falls to 2; the service shrinks and T2 restarts: (28800 - 12000) / 4 =
        // 4200 s of work after 300 s of restart.
        st.now_s = 6000;
        st.cls(h.cls("inference")).demand_units_per_s = 2;
        h.decide();
        CHECK(st.cls(h.cls("inference")).gpus_held == 2);
        REQUIRE(st.job(t2).status == JobStatus::running);
        CHECK(h.end_of(t2) == doctest::Approx(6000 + 300 + 4200));
    }

    TEST_CASE("without preemption, priority is strict: a blocked urgent job holds back training") {
        Harness h(two_nodes(), "priority", priorities("false", "0"));
        auto& st = h.state();
        const JobId t1 = h.submit("training", 4, 4);  // 0 .. 3600
        const JobId t2 = h.submit("training", 4, 8);  // 0 .. 7200
        h.decide();
        st.now_s = 1000;
        const JobId u1 = h.submit("urgent", 8, 2);  // needs both nodes: 900 s
        h.decide();
        st.now_s = 1500;
        const JobId t3 = h.submit("training", 4, 1);
        h.decide();
        // At 3600 T1 frees a node. T3 would fit, but U1 (higher priority) is blocked on the same
        // pool, so T3 waits; U1 starts when T2 ends at 7200 and runs 900 s; T3 follows at 8100.
        h.run_to_end();
        CHECK(st.job(t1).end_s == doctest::Approx(3600));
        CHECK(st.job(t2).end_s == doctest::Approx(7200));
        CHECK(st.job(u1).start_s == doctest::Approx(7200));
        CHECK(st.job(u1).end_s == doctest::Approx(8100));
        CHECK(st.job(t3).start_s == doctest::Approx(8100));
        CHECK(st.job(t3).end_s == doctest::Approx(8100 + 900));
        CHECK(st.job(t2).preemptions == 0);
    }

    TEST_CASE("an unknown class in priorities is an input error naming the nearest class") {
        ScenarioSpec s = two_nodes();
        CHECK_THROWS_WITH_AS(
            Harness(s, "priority", param({{"priorities", param({{"trainin", param("1")}})}})),
            doctest::Contains("did you mean 'training'"), InputError);
    }
}
