// las: a schedule worked out on paper, on one node of 4 GPUs, two queues split at 1 GPU-hour.
#include "tests/support/policy_harness.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;
using namespace fleetsim::test;

TEST_SUITE("policy.las") {
    TEST_CASE("new jobs preempt jobs that have had more service, equals never preempt") {
        ScenarioSpec s = small_scenario();
        add_pool(s, "a", 1, 4);
        add_batch(s, "train", 1, /*preemptible=*/true, /*checkpoint_interval_s=*/600,
                  /*restart_cost_s=*/0);
        Harness h(s, "las", param({{"queues", param("2")}, {"first_threshold_gpu_h", param("1")}}));
        auto& st = h.state();
        // t=0: J1 (4 GPUs, 8 GPU-h = 2 h) starts. At t=900 it has 1 GPU-h: it drops to queue 1.
        const JobId j1 = h.submit("train", 4, 8);
        h.decide();
        // t=1200: J2 (4 GPUs, 2 GPU-h) arrives in queue 0 and preempts J1, which checkpointed at
        // 1200 s (2 x 600 s): nothing lost. J2 runs 1800 s, to t=3000.
        st.now_s = 1200;
        const JobId j2 = h.submit("train", 4, 2);
        h.decide();
        CHECK(st.job(j2).start_s == 1200);
        CHECK(st.job(j1).preemptions == 1);
        CHECK(st.job(j1).lost_ref_gpu_s == doctest::Approx(0));
        // t=2400: J2 has had 1200 s x 4 GPUs = 1.33 GPU-h, so it is in queue 1 with J1 (2.67). J1
        // came first, but jobs in one queue never preempt each other: J2 keeps going.
        h.run_until(2400);
        CHECK(st.job(j2).status == JobStatus::running);
        CHECK(st.job(j1).status == JobStatus::waiting);
        // t=3000: J2 ends, J1 resumes with 8 - 1.33 = 6.67 GPU-h left (6000 s).
        h.run_until(3000);
        CHECK(st.job(j2).end_s == doctest::Approx(3000));
        CHECK(st.job(j1).start_s == doctest::Approx(3000));
        // t=3600: J3 (4 GPUs, 1 GPU-h) preempts J1 again (J1 checkpointed at 600 s into this
        // run: nothing lost) and runs 900 s; J1 then needs 6000 - 600 = 5400 s more.
        st.now_s = 3600;
        const JobId j3 = h.submit("train", 4, 1);
        h.decide();
        CHECK(st.job(j3).start_s == 3600);
        h.run_to_end();
        CHECK(st.job(j3).end_s == doctest::Approx(4500));
        CHECK(st.job(j1).preemptions == 2);
        CHECK(st.job(j1).start_s == doctest::Approx(4500));
        CHECK(st.job(j1).end_s == doctest::Approx(4500 + 5400));
        // Under FIFO J2 would have waited for J1 until t=7200, J3 until t=9000.
    }
}
