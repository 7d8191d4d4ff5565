// easy-backfill: a schedule worked out on paper, on one node of 8 GPUs.
#include "tests/support/policy_harness.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;
using namespace fleetsim::test;

namespace {
/** GPU-hours of work that keep `gpus` GPUs busy for `seconds`. */
double work(int gpus, double seconds) {
    return gpus * seconds / 3600;
}
}  // namespace

TEST_SUITE("policy.easy-backfill") {
    TEST_CASE("backfilled jobs never delay the reserved head of the queue") {
        ScenarioSpec s = small_scenario();
        add_pool(s, "a", 1, 8);
        add_batch(s, "batch", 1);
        Harness h(s, "easy-backfill");
        auto& st = h.state();
        const JobId a = h.submit("batch", 5, work(5, 100));
        const JobId b = h.submit("batch", 6, work(6, 200));
        const JobId c = h.submit("batch", 3, work(3, 300));
        const JobId d = h.submit("batch", 2, work(2, 300));
        const JobId e = h.submit("batch", 1, work(1, 50));
        const JobId f = h.submit("batch", 1, work(1, 50));
        // t=0: A starts (5 of 8). B (6) does not fit: it is the head, reserved at t=100 when A
        // ends (8 free, 2 extra). C (3 GPUs to t=300) fits now but would end after 100 and use
        // more than the 2 extra GPUs: no. D (2 GPUs to t=300) uses exactly the extra: yes. E
        // (1 GPU, ends at 50 < 100): yes. F: no GPU left.
        h.decide();
        CHECK(st.job(a).start_s == 0);
        CHECK(st.job(b).status == JobStatus::waiting);
        CHECK(st.job(c).status == JobStatus::waiting);
        CHECK(st.job(d).start_s == 0);
        CHECK(st.job(e).start_s == 0);
        CHECK(st.job(f).status == JobStatus::waiting);
        // t=50: E ends, 1 GPU free. B's reservation: A's 5 GPUs at t=100 give 6, no extra. C
        // does not fit; F (1 GPU, 50 s) ends at 100 = the shadow time: it backfills.
        // t=100: A and F end, B starts on time. C (3) waits until B and D end at t=300.
        h.run_to_end();
        CHECK(st.job(f).start_s == doctest::Approx(50));
        CHECK(st.job(b).start_s == doctest::Approx(100));
        CHECK(st.job(b).end_s == doctest::Approx(300));
        CHECK(st.job(d).end_s == doctest::Approx(300));
        CHECK(st.job(c).start_s == doctest::Approx(300));
        CHECK(st.job(c).end_s == doctest::Approx(600));
    }

    TEST_CASE("the same queue under fifo: nothing passes the blocked head") {
        ScenarioSpec s = small_scenario();
        add_pool(s, "a", 1, 8);
        add_batch(s, "batch", 1);
        Harness h(s, "fifo");
        auto& st = h.state();
        h.submit("batch", 5, work(5, 100));
        const JobId b = h.submit("batch", 6, work(6, 200));
        const JobId c = h.submit("batch", 3, work(3, 300));
        const JobId d = h.submit("batch", 2, work(2, 300));
        h.submit("batch", 1, work(1, 50));
        const JobId f = h.submit("batch", 1, work(1, 50));
        // B starts at 100 as under EASY, then C (3) blocks behind B's 6 of 8 GPUs until 300;
        // D, E and F, which EASY ran in GPUs FIFO leaves idle, follow C at 300.
        h.decide();
        h.run_to_end();
        CHECK(st.job(b).start_s == doctest::Approx(100));
        CHECK(st.job(c).start_s == doctest::Approx(300));
        CHECK(st.job(d).start_s == doctest::Approx(300));
        CHECK(st.job(f).start_s == doctest::Approx(300));
    }
}
