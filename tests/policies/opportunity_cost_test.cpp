// opportunity-cost: hand-worked decisions. The harness site prices energy at $0.08/kWh with PUE
// 1.2 and GPUs at 300 W idle / 1275 W busy, so the marginal energy cost of a busy GPU-hour is
// 0.975 kW x 1.2 x $0.08 = $0.0936.
#include "tests/support/policy_harness.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;
using namespace fleetsim::test;

TEST_SUITE("policy.opportunity-cost") {
    TEST_CASE("a more valuable service takes GPUs from a less valuable one") {
        ScenarioSpec s = small_scenario();
        add_pool(s, "a", 1, 4);
        add_service(s, "video", 1, 4, Family::video);
        add_service(s, "coding", 12, 0);
        Harness h(s, "opportunity-cost");
        h.decide();
        CHECK(h.state().cls(h.cls("video")).gpus_held == 4);
        // Coding ($12/GPU-h) now needs 3 GPUs: the shadow price of video's GPUs is $12, above
        // video's $1, so video keeps only the one GPU coding does not want.
        h.state().cls(h.cls("coding")).demand_units_per_s = 3;
        h.decide();
        CHECK(h.state().cls(h.cls("coding")).gpus_held == 3);
        CHECK(h.state().cls(h.cls("video")).gpus_held == 1);
    }

    TEST_CASE("a job is preempted only when the value gained pays back the work it loses") {
        // One node of 4 GPUs; training ($2) checkpoints every hour and reloads in 600 s.
        ScenarioSpec s = small_scenario();
        add_pool(s, "a", 1, 4);
        add_service(s, "coding", 12, 0);
        add_batch(s, "training", 2, /*preemptible=*/true, /*checkpoint_interval_s=*/3600,
                  /*restart_cost_s=*/600);
        Harness h(s, "opportunity-cost", param({{"payback_h", param("0.5")}}));
        auto& st = h.state();
        const JobId t1 = h.submit("training", 4, 40);
        h.decide();
        REQUIRE(st.job(t1).status == JobStatus::running);
        // t=1800: coding wants all 4 GPUs. Preempting T1 would lose 1800 s x 4 GPUs = 2 GPU-h
        // (no checkpoint yet) plus 600 s x 4 = 0.667 GPU-h of restart: 2.667 GPU-h priced at
        // $12 = $32. Gained over payback_h = 0.5 h: (12 - 2) x 4 GPUs x 0.5 h = $20 < $32: keep.
        st.now_s = 1800;
        st.cls(h.cls("coding")).demand_units_per_s = 4;
        h.decide();
        CHECK(st.job(t1).status == JobStatus::running);
        CHECK(st.cls(h.cls("coding")).gpus_held == 0);
        // t=3600: T1 has just checkpointed, so only the restart is lost: 0.667 GPU-h x $12 = $8
        // <= $20: preempt. T1 keeps 3600 s x 4 GPUs of work and coding gets its 4 GPUs.
        st.now_s = 3600;
        h.decide();
        CHECK(st.job(t1).status == JobStatus::waiting);
        CHECK(st.job(t1).preemptions == 1);
        CHECK(st.job(t1).saved_ref_gpu_s == doctest::Approx(3600.0 * 4));
        CHECK(st.job(t1).lost_ref_gpu_s == doctest::Approx(0));
        CHECK(st.cls(h.cls("coding")).gpus_held == 4);
        // t=4000: coding's demand is gone: T1 comes back (lower-value work fills what is left).
        st.now_s = 4000;
        st.cls(h.cls("coding")).demand_units_per_s = 0;
        h.decide();
        CHECK(st.cls(h.cls("coding")).gpus_held == 0);
        CHECK(st.job(t1).status == JobStatus::running);
    }

    TEST_CASE("demand worth less than the marginal energy cost is not served, even on idle GPUs") {
        ScenarioSpec s = small_scenario();
        add_pool(s, "a", 1, 4);
        add_service(s, "free-video", 0.05, 2, Family::video);  // below $0.0936
        add_service(s, "ads-video", 0.5, 2, Family::video);    // above
        Harness floor(s, "opportunity-cost");
        floor.decide();
        CHECK(floor.state().cls(floor.cls("free-video")).gpus_held == 0);
        CHECK(floor.state().cls(floor.cls("ads-video")).gpus_held == 2);
        Harness no_floor(s, "opportunity-cost", param({{"energy_floor", param("false")}}));
        no_floor.decide();
        CHECK(no_floor.state().cls(no_floor.cls("free-video")).gpus_held == 2);
    }

    TEST_CASE("blocked valuable work holds back non-preemptible fillers, not preemptible ones") {
        // 2 nodes x 4 GPUs. B0 (big, $10, 4 GPUs, 1 h) runs; B1 (big, 8 GPUs) waits for it.
        ScenarioSpec s = small_scenario();
        add_pool(s, "a", 2, 4);
        add_batch(s, "big", 10);
        add_batch(s, "fixed-filler", 3);
        add_batch(s, "filler", 2, /*preemptible=*/true);  // no checkpoints, no restart cost
        Harness h(s, "opportunity-cost", param({{"payback_h", param("2")}}));
        auto& st = h.state();
        const JobId b0 = h.submit("big", 4, 4);
        h.decide();
        const JobId b1 = h.submit("big", 8, 8);
        const JobId f1 = h.submit("fixed-filler", 4, 4);
        const JobId f2 = h.submit("filler", 4, 40);
        h.decide();
        // B1 is blocked (shadow price $10 on the pool). F1 ($3) could not be evicted when B1
        // fits, so it is not admitted; F2 ($2) can be, so it fills the free node.
        CHECK(st.job(b1).status == JobStatus::waiting);
        CHECK(st.job(f1).status == JobStatus::waiting);
        CHECK(st.job(f2).status == JobStatus::running);
        // t=3600: B0 ends. B1 needs F2's node: F2 would lose its whole hour, 4 GPU-h at $10 =
        // $40; gained over 2 h: (10 - 2) x 4 GPUs x 2 h = $64 >= $40: preempt, B1 starts.
        h.run_until(3600);
        CHECK(st.job(b0).status == JobStatus::completed);
        CHECK(st.job(b1).status == JobStatus::running);
        CHECK(st.job(b1).start_s == 3600);
        CHECK(st.job(f2).preemptions == 1);
        CHECK(st.job(f2).lost_ref_gpu_s == doctest::Approx(3600.0 * 4));
        CHECK(st.job(f1).status == JobStatus::waiting);
        // B1 runs 1 h; then F1 ($3) goes before F2 ($2).
        h.run_until(7200);
        CHECK(st.job(f1).start_s == 7200);
        CHECK(st.job(f2).status == JobStatus::running);
    }
}
