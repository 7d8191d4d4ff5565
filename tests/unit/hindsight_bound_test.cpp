// The hindsight bound's LP on a case small enough to solve by hand.
#include "sim/bound/hindsight_bound.hpp"

#include "sim/generators/job_source.hpp"
#include "tests/support/policy_harness.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;
using namespace fleetsim::test;

namespace {

// 4 GPUs for 2 hours (two LP intervals of 1 h = 1 tick). coding earns $12/GPU-h and wants 3
// GPUs, video $1/GPU-h and wants 4; one training job of 2 GPUs x 1 h earns $5/GPU-h and arrives
// in the first seconds.
ScenarioSpec two_hours() {
    ScenarioSpec s = small_scenario(/*tick_s=*/3600);
    s.horizon_s = 7200;
    s.seed = 1;
    s.output.timeseries_interval_s = 3600;
    add_pool(s, "a", 1, 4);
    add_service(s, "coding", 12, 3);
    add_service(s, "video", 1, 4, Family::video);
    auto& t = add_batch(s, "training", 5);
    t.batch.arrival_rate_per_h = 3600;
    t.batch.max_jobs = 1;
    t.batch.gpus.value = 2;
    t.batch.work_is_duration = true;
    t.batch.work.value = 3600;
    return s;
}

}  // namespace

TEST_SUITE("hindsight-bound") {
    TEST_CASE("the LP optimum of a two-hour case worked out by hand") {
        const ScenarioSpec s = two_hours();
        JobSource source(s);
        const JobArrival job = source.pop();
        // The job must arrive early enough to do half its work (1 GPU-h) in the first hour.
        REQUIRE(job.submit_s <= 1800);
        const BoundResult b = hindsight_bound(s, BoundOptions{});
        // Each hour: coding takes 3 GPU-h ($36, the most valuable), the job the 4th ($5: its 2
        // GPUs could do more, but only 1 GPU-h is left), video nothing. Over 2 hours: coding $72,
        // the job its whole 2 GPU-h ($10), video $0.
        CHECK(b.revenue_usd == doctest::Approx(82));
        REQUIRE(b.classes.size() == 3);
        CHECK(b.classes[0].revenue_usd == doctest::Approx(72));
        CHECK(b.classes[1].revenue_usd == doctest::Approx(0).epsilon(1e-9));
        CHECK(b.classes[2].revenue_usd == doctest::Approx(10));
        CHECK(b.classes[0].gpu_h == doctest::Approx(6));
        CHECK(b.classes[2].gpu_h == doctest::Approx(2));
        CHECK(b.jobs == 1);
        CHECK(b.intervals == 2);
        // The capacity duals (the shadow price in hindsight) lie between what one more GPU-hour
        // would earn (video's $1: the job would finish sooner, freeing a GPU-hour for video)
        // and what one less would cost (the job's $5).
        CHECK(b.mean_shadow_price_usd_per_gpu_h >= 1 - 1e-9);
        CHECK(b.mean_shadow_price_usd_per_gpu_h <= 5 + 1e-9);
    }

    TEST_CASE("without the job, the spare GPU-hour goes to video") {
        ScenarioSpec s = two_hours();
        s.workload.classes[2].batch.max_jobs = 0;
        const BoundResult b = hindsight_bound(s, BoundOptions{});
        CHECK(b.revenue_usd == doctest::Approx(2 * (36 + 1)));
        CHECK(b.jobs == 0);
    }

    TEST_CASE("a job gets no more work than its gang can do after it arrives") {
        // No coding demand; the job is 2 GPUs x 2 h (4 GPU-h). From its arrival a it can do at
        // most 2 x (7200 - a) / 3600 GPU-h (< 4), at $5; video takes every other GPU-hour at $1.
        ScenarioSpec s = two_hours();
        s.workload.classes[0].service.demand_units_per_s = 0;
        s.workload.classes[2].batch.work.value = 7200;
        JobSource source(s);
        const double a = source.pop().submit_s;
        const double job_gpu_h = 2 * (7200 - a) / 3600;
        REQUIRE(job_gpu_h < 4);
        const BoundResult b = hindsight_bound(s, BoundOptions{});
        CHECK(b.classes[2].revenue_usd == doctest::Approx(5 * job_gpu_h));
        CHECK(b.revenue_usd == doctest::Approx(5 * job_gpu_h + (8 - job_gpu_h)));
    }

    TEST_CASE("an LP interval that is not a whole number of ticks is refused") {
        CHECK_THROWS_AS(hindsight_bound(two_hours(), BoundOptions{5400}), InputError);
    }
}
