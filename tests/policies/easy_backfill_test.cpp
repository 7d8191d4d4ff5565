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

/** One node of 8 GPUs and six jobs submitted at t=0, as (GPUs, seconds): A (5, 100),
    B (6, 200), C (3, 300), D (2, 300), E (1, 50), F (1, 50). */
struct Queue {
    explicit Queue(const std::string& policy) : h(scenario(), policy) {
        a = h.submit("batch", 5, work(5, 100));
        b = h.submit("batch", 6, work(6, 200));
        c = h.submit("batch", 3, work(3, 300));
        d = h.submit("batch", 2, work(2, 300));
        e = h.submit("batch", 1, work(1, 50));
        f = h.submit("batch", 1, work(1, 50));
    }
    static ScenarioSpec scenario() {
        ScenarioSpec s = small_scenario();
        add_pool(s, "a", 1, 8);
        add_batch(s, "batch", 1);
        return s;
    }
    const Job& operator[](JobId id) { return h.state().job(id); }
    Harness h;
    JobId a, b, c, d, e, f;
};

}  // namespace

TEST_SUITE("policy.easy-backfill") {
    TEST_CASE("backfilled jobs never delay the reserved head of the queue") {
        Queue q("easy-backfill");
        // t=0: A starts (5 of 8). B (6) does not fit: it is the head, reserved at t=100 when A
        // ends (8 free, 2 extra). C (3 GPUs to t=300) fits now but would end after 100 and use
        // more than the 2 extra GPUs: no. D (2 GPUs to t=300) uses exactly the extra: yes. E
        // (1 GPU, ends at 50 < 100): yes. F: no GPU left.
        q.h.decide();
        CHECK(q[q.a].start_s == 0);
        CHECK(q[q.b].status == JobStatus::waiting);
        CHECK(q[q.c].status == JobStatus::waiting);
        CHECK(q[q.d].start_s == 0);
        CHECK(q[q.e].start_s == 0);
        CHECK(q[q.f].status == JobStatus::waiting);
        // t=50: E ends, 1 GPU free. B's reservation: A's 5 GPUs at t=100 give 6, no extra. C
        // does not fit; F (1 GPU, 50 s) ends at 100 = the shadow time: it backfills.
        // t=100: A and F end, B starts on time. C (3) waits until B and D end at t=300.
        q.h.run_to_end();
        CHECK(q[q.f].start_s == doctest::Approx(50));
        CHECK(q[q.b].start_s == doctest::Approx(100));
        CHECK(q[q.b].end_s == doctest::Approx(300));
        CHECK(q[q.d].end_s == doctest::Approx(300));
        CHECK(q[q.c].start_s == doctest::Approx(300));
        CHECK(q[q.c].end_s == doctest::Approx(600));
    }

    TEST_CASE("the same queue under fifo: nothing passes the blocked head") {
        Queue q("fifo");
        // B starts at 100 as under EASY, then C (3) blocks behind B's 6 of 8 GPUs until 300;
        // D, E and F, which EASY ran in GPUs FIFO leaves idle, follow C at 300.
        q.h.decide();
        q.h.run_to_end();
        CHECK(q[q.b].start_s == doctest::Approx(100));
        CHECK(q[q.c].start_s == doctest::Approx(300));
        CHECK(q[q.d].start_s == doctest::Approx(300));
        CHECK(q[q.f].start_s == doctest::Approx(300));
    }
}
