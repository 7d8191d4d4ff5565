// market: clearings worked out on paper, on one node of 8 GPUs, cleared every hour.
#include "tests/support/policy_harness.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;
using namespace fleetsim::test;

namespace {

// coding bids $12/GPU-h for 3 GPUs, video $1 for 8, training $2 per job (checkpoints every
// 30 min, so a preemption on the hour loses nothing).
ScenarioSpec one_node() {
    ScenarioSpec s = small_scenario();
    add_pool(s, "a", 1, 8);
    add_service(s, "coding", 12, 3);
    add_service(s, "video", 1, 8, Family::video);
    add_batch(s, "train", 2, /*preemptible=*/true, /*checkpoint_interval_s=*/1800);
    return s;
}

}  // namespace

TEST_SUITE("policy.market") {
    TEST_CASE("classes hold what they won until the next clearing") {
        Harness h(one_node(), "market");
        auto& st = h.state();
        auto held = [&](const char* c) { return st.cls(h.cls(c)).gpus_held; };
        // t=0: bids coding 3 @ $12, T1 4 @ $2, video 8 @ $1 for 8 GPUs: coding 3, T1 4, video
        // gets the last 1 (the margin: the price is $1).
        const JobId t1 = h.submit("train", 4, 8);  // 2 h
        h.decide();
        CHECK(held("coding") == 3);
        CHECK(st.job(t1).status == JobStatus::running);
        CHECK(held("video") == 1);
        // t=600: coding needs 6, but it won 3 for this hour: it stays at 3, and video keeps its
        // GPU (revenue-greedy would move it to coding at once).
        st.now_s = 600;
        st.cls(h.cls("coding")).demand_units_per_s = 6;
        h.decide();
        CHECK(held("coding") == 3);
        CHECK(held("video") == 1);
        // t=1200: T2 (2 GPUs, 30 min) arrives; training is at its quota (4): T2 waits.
        st.now_s = 1200;
        const JobId t2 = h.submit("train", 2, 1);
        h.decide();
        CHECK(st.job(t2).status == JobStatus::waiting);
        // t=3600: T1's 4 GPUs are committed (no preemption); coding bids 6 for the other 4 and
        // gets them all (price $12); T2 and video get nothing.
        h.run_until(3600);
        CHECK(held("coding") == 4);
        CHECK(held("video") == 0);
        CHECK(st.job(t2).status == JobStatus::waiting);
        // t=7200: T1 ends and the market clears: coding 6, T2 2 (the last 2), video 0.
        h.run_until(7200);
        CHECK(st.job(t1).end_s == doctest::Approx(7200));
        CHECK(held("coding") == 6);
        CHECK(st.job(t2).start_s == doctest::Approx(7200));
        CHECK(held("video") == 0);
    }

    TEST_CASE("with preemption, running jobs bid to keep their GPUs and lose them when outbid") {
        Harness h(one_node(), "market", param({{"preempt", param("true")}}));
        auto& st = h.state();
        const JobId t1 = h.submit("train", 4, 8);
        h.decide();
        st.now_s = 600;
        st.cls(h.cls("coding")).demand_units_per_s = 6;
        h.decide();
        st.now_s = 1200;
        const JobId t2 = h.submit("train", 2, 1);
        h.decide();
        // t=3600: coding 6 @ $12 leaves 2; T1's 4 @ $2 does not fit (the margin: $2), T2's 2
        // @ $2 does. Training's quota is 2: T1 is preempted (at a checkpoint: nothing lost) and
        // T2 starts; coding grows to 6.
        h.run_until(3600);
        CHECK(st.job(t1).preemptions == 1);
        CHECK(st.job(t1).lost_ref_gpu_s == doctest::Approx(0));
        CHECK(st.job(t2).start_s == doctest::Approx(3600));
        CHECK(st.cls(h.cls("coding")).gpus_held == 6);
        // t=5400: T2 ends. T1 needs 4 GPUs but training holds a quota of 2 until the next
        // clearing: the 2 GPUs it won sit idle (the cost of clearing hourly).
        h.run_until(5400);
        CHECK(st.job(t2).end_s == doctest::Approx(5400));
        CHECK(st.job(t1).status == JobStatus::waiting);
        CHECK(st.fleet.free_gpus() == 2);
    }
}
