// fair-share: progressive filling worked out on paper.
#include "tests/support/policy_harness.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;
using namespace fleetsim::test;

TEST_SUITE("policy.fair-share") {
    TEST_CASE("weighted max-min shares between two services, work conserving") {
        ScenarioSpec s = small_scenario();
        add_pool(s, "a", 1, 8);
        add_service(s, "a-svc", 8, 8);
        add_service(s, "b-svc", 1, 8);
        Harness h(s, "fair-share",
                  param({{"weights", param({{"a-svc", param("1")}, {"b-svc", param("3")}})},
                         {"service_step_gpus", param("1")}}));
        auto& st = h.state();
        // One GPU at a time to the smaller weighted share (ties: declaration order), shares out
        // of 8 GPUs: a 1 (1/8), b 1 (1/24), b 2, b 3 (3/24 = 1/8, tie: a first), a 2 (1/4),
        // b 4, b 5, b 6 (1/4): the fleet is full at a 2, b 6 -- weights 1:3, whatever the
        // prices (fair share ignores value).
        h.decide();
        CHECK(st.cls(h.cls("a-svc")).gpus_held == 2);
        CHECK(st.cls(h.cls("b-svc")).gpus_held == 6);
        // a now wants 1 GPU: its other share goes to b (7).
        st.cls(h.cls("a-svc")).demand_units_per_s = 1;
        h.decide();
        CHECK(st.cls(h.cls("a-svc")).gpus_held == 1);
        CHECK(st.cls(h.cls("b-svc")).gpus_held == 7);
    }

    TEST_CASE("a service and a batch class split 2 nodes, running jobs keep their GPUs") {
        ScenarioSpec s = small_scenario();
        add_pool(s, "a", 2, 4);
        add_service(s, "svc", 8, 8);
        add_batch(s, "train", 2);
        Harness h(s, "fair-share", param({{"service_step_gpus", param("1")}}));
        auto& st = h.state();
        const JobId t1 = h.submit("train", 4, 4);  // 1 h
        const JobId t2 = h.submit("train", 4, 4);
        // svc 1 (1/8), train T1 (4/8), svc 2, 3, 4: the fleet is full (4 + 4); T2 does not fit.
        h.decide();
        CHECK(st.cls(h.cls("svc")).gpus_held == 4);
        CHECK(st.job(t1).status == JobStatus::running);
        CHECK(st.job(t2).status == JobStatus::waiting);
        // t=3600: T1 ends. svc 1, T2 (4), svc 2..4: the same split, with T2 running.
        h.run_until(3600);
        CHECK(st.job(t1).status == JobStatus::completed);
        CHECK(st.job(t2).start_s == 3600);
        CHECK(st.cls(h.cls("svc")).gpus_held == 4);
        // t=7200: T2 ends and nothing else waits: svc takes the whole fleet.
        h.run_until(7200);
        CHECK(st.cls(h.cls("svc")).gpus_held == 8);
    }
}
