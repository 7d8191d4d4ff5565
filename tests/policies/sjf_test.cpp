// sjf: schedules worked out on paper, on one node of 4 GPUs.
#include "tests/support/policy_harness.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;
using namespace fleetsim::test;

TEST_SUITE("policy.sjf") {
    TEST_CASE("jobs start smallest GPU-time first across classes and smaller ones fill gaps") {
        ScenarioSpec s = small_scenario();
        add_pool(s, "a", 1, 4);
        add_batch(s, "train", 1);
        add_batch(s, "tune", 1);
        Harness h(s, "sjf");
        auto& st = h.state();
        // t=0, in this order: A 4 GPUs x 1 h (4 GPU-h), B 2 x 0.5 h (1), C 2 x 1.5 h (3), and D
        // of the other class, 1 x 0.25 h (0.25). Smallest first: D, B (3 of 4 GPUs); C does not
        // fit in the 1 left, nor A: both wait.
        const JobId a = h.submit("train", 4, 4);
        const JobId b = h.submit("train", 2, 1);
        const JobId c = h.submit("train", 2, 3);
        const JobId d = h.submit("tune", 1, 0.25);
        h.decide();
        CHECK(st.job(d).start_s == 0);
        CHECK(st.job(b).start_s == 0);
        CHECK(st.job(c).status == JobStatus::waiting);
        CHECK(st.job(a).status == JobStatus::waiting);
        // t=900: D ends; C (3 GPU-h) ranks before A (4) and fits in the 2 GPUs free: 900 + 5400.
        // t=1800: B ends; A needs all 4 GPUs and waits for C.
        // t=6300: C ends, A runs 3600 s.
        h.run_to_end();
        CHECK(st.job(d).end_s == doctest::Approx(900));
        CHECK(st.job(b).end_s == doctest::Approx(1800));
        CHECK(st.job(c).start_s == doctest::Approx(900));
        CHECK(st.job(c).end_s == doctest::Approx(6300));
        CHECK(st.job(a).start_s == doctest::Approx(6300));
        CHECK(st.job(a).end_s == doctest::Approx(9900));
        for (JobId id : {a, b, c, d})
            CHECK(st.job(id).preemptions == 0);
        // Mean completion 4725 s; FIFO's order (A; B and C; D after B) gives 6075 s.
        const double mean_end_s =
            (st.job(a).end_s + st.job(b).end_s + st.job(c).end_s + st.job(d).end_s) / 4;
        CHECK(mean_end_s == doctest::Approx(4725));
    }

    TEST_CASE("a service is sized first and equal jobs go first come first served") {
        ScenarioSpec s = small_scenario();
        add_pool(s, "a", 1, 4);
        add_service(s, "chat", 10, /*demand_gpus=*/1);
        add_batch(s, "train", 1);
        Harness h(s, "sjf");
        auto& st = h.state();
        // The service needs 1 GPU and takes it first. X and Y are the same size (2 GPUs x 1 h):
        // X came first and takes 2 of the 3 GPUs left; Y does not fit, Z (1 GPU) fills the last.
        const JobId x = h.submit("train", 2, 2);
        const JobId y = h.submit("train", 2, 2);
        const JobId z = h.submit("train", 1, 1);
        h.decide();
        CHECK(st.cls(h.cls("chat")).gpus_held == 1);
        CHECK(st.job(x).status == JobStatus::running);
        CHECK(st.job(y).status == JobStatus::waiting);
        CHECK(st.job(z).status == JobStatus::running);
        // t=3600: X and Z end; Y starts; the service keeps its GPU.
        h.run_until(3600);
        CHECK(st.job(y).start_s == doctest::Approx(3600));
        CHECK(st.cls(h.cls("chat")).gpus_held == 1);
    }
}
