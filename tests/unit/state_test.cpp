// SchedulerState and Decisions (sim/model/state): the checked ways a policy changes the state,
// preemption with checkpoints (no policy on main preempts yet, so the model is checked here),
// and the shadow price.
#include "sim/model/state.hpp"

#include "tests/support/specs.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;
using namespace fleetsim::test;

namespace {

struct Model {
    TempDir dir{"state"};
    ScenarioSpec spec = load_yaml_scenario(
        dir,
        "name: s\n" + small_platform_yaml() +
            "workload:\n  name: w\n  classes:\n"
            "    ckpt: {family: llm, kind: batch, pools: [fast], arrival_rate_per_h: 1, "
            "gpus: 4, duration_s: 1, value_usd_per_gpu_h: 3, preemptible: true, "
            "checkpoint_interval_s: 600, restart_cost_s: 120}\n"
            "    none: {family: llm, kind: batch, pools: [slow], arrival_rate_per_h: 1, "
            "gpus: 4, duration_s: 1, value_usd_per_gpu_h: 2, preemptible: true}\n"
            "    fixed: {family: video, kind: batch, pools: [slow], arrival_rate_per_h: 1, "
            "gpus: 4, duration_s: 1, value_usd_per_job: 8}\n"
            "policy: fifo\nhorizon_s: 7200\nseed: 1\ntick_s: 60\n");
    SchedulerState state{spec, PlacementRule::pack};

    JobId submit(const std::string& cls, int gpus, double work_ref_gpu_s, double value) {
        Job j;
        j.cls = state.class_id(cls);
        j.gpus = gpus;
        j.work_ref_gpu_s = work_ref_gpu_s;
        j.value_usd_per_ref_gpu_h = value;
        return state.submit(j);
    }
};

}  // namespace

TEST_SUITE("state") {
    TEST_CASE("preemption keeps the work up to the last checkpoint and charges the restart") {
        Model m;
        // 4 fast GPUs (speed 2): 1000 s of running = 8000 reference GPU-s of progress.
        const JobId id = m.submit("ckpt", 4, 4 * 2 * 5000.0, 3);
        REQUIRE(m.state.start(id, 1));
        m.state.now_s = 1000;
        m.state.preempt(id);
        const Job& j = m.state.job(id);
        CHECK(j.status == JobStatus::waiting);
        CHECK(j.preemptions == 1);
        // Checkpoints every 600 s of run time: the one at 600 s survives, 400 s are lost.
        CHECK(j.saved_ref_gpu_s == doctest::Approx(600 * 4 * 2));
        CHECK(j.lost_ref_gpu_s == doctest::Approx(400 * 4 * 2));
        CHECK(j.remaining_ref_gpu_s() == doctest::Approx(40000 - 4800));
        CHECK(j.restart_overhead_s == 120);
        CHECK(m.state.fleet.free_gpus(1) == 8);
        CHECK(m.state.cls(j.cls).gpus_held == 0);
        CHECK(m.state.cls(j.cls).waiting.count(id) == 1);
        // The next run pays the restart first: no progress during its first 120 s.
        REQUIRE(m.state.start(id, 1));
        CHECK(j.run_overhead_s == 120);
        m.state.now_s = 1100;
        CHECK(m.state.progress_probe(j) == 0);
        m.state.now_s = 1220;
        CHECK(m.state.progress_probe(j) == doctest::Approx(100 * 4 * 2));
        CHECK(j.first_start_s == 0);
        CHECK(j.start_s == 1000);
    }

    TEST_CASE("without checkpoints a preempted job restarts from zero") {
        Model m;
        const JobId id = m.submit("none", 4, 4 * 5000.0, 2);
        REQUIRE(m.state.start(id, 0));
        m.state.now_s = 1000;
        m.state.preempt(id);
        CHECK(m.state.job(id).saved_ref_gpu_s == 0);
        CHECK(m.state.job(id).lost_ref_gpu_s == doctest::Approx(4000));
        CHECK(m.state.job(id).remaining_ref_gpu_s() == doctest::Approx(20000));
    }

    TEST_CASE("Decisions are checked: no double start, no preempting what may not be") {
        Model m;
        const JobId a = m.submit("fixed", 4, 4 * 3600.0, 2);
        const JobId b = m.submit("ckpt", 4, 4 * 3600.0, 3);
        Decisions out(m.state);
        CHECK(out.start(a));
        CHECK_THROWS_AS(out.start(a), std::logic_error);         // already running
        CHECK_THROWS_AS(out.preempt(a), std::logic_error);       // class not preemptible
        CHECK_THROWS_AS(m.state.start(b, 0), std::logic_error);  // slow is not in its pools
        CHECK_THROWS_AS(out.preempt(b), std::logic_error);       // not running
        CHECK_THROWS_AS(m.state.set_service_gpus(m.state.class_id("fixed"), 0, 1),
                        std::logic_error);  // not a service
        CHECK(out.actions().size() == 1);
        const JobId big = m.submit("fixed", 16, 16 * 3600.0, 2);
        CHECK_FALSE(out.start(big));  // 12 slow GPUs free: no change, no action
        CHECK(m.state.job(big).status == JobStatus::waiting);
        CHECK(out.actions().size() == 1);
    }

    TEST_CASE("the shadow price is the best waiting rate, and 0 when nothing waits") {
        Model m;
        CHECK(m.state.shadow_price_usd_per_ref_gpu_h() == 0);
        const JobId lo = m.submit("none", 4, 3600, 2);
        const JobId hi = m.submit("ckpt", 4, 3600, 3);
        CHECK(m.state.shadow_price_usd_per_ref_gpu_h() == 3);
        REQUIRE(m.state.start(hi, 1));
        CHECK(m.state.shadow_price_usd_per_ref_gpu_h() == 2);
        m.state.reject(lo, "test");
        CHECK(m.state.job(lo).status == JobStatus::rejected);
        CHECK(m.state.shadow_price_usd_per_ref_gpu_h() == 0);
    }
}
