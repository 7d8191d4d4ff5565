// The Ledger (sim/metrics) on a hand-built state, figures worked out by hand. Costs on the
// small platform's slow pool: fixed 1 (capex) + 0.5 (overhead) = 1.5 USD/GPU-h; energy
// 0.1 USD/kWh x PUE 1.25 = 0.125 USD/kWh of IT energy: busy 0.7 kW -> 0.0875 USD/GPU-h,
// idle 0.1 kW -> 0.0125 USD/GPU-h.
#include "sim/metrics/ledger.hpp"

#include "tests/support/specs.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;
using namespace fleetsim::test;

namespace {

const std::string kClasses =
    "workload:\n"
    "  name: w\n"
    "  classes:\n"
    "    hi: {family: llm, kind: batch, pools: [slow], arrival_rate_per_h: 1, gpus: 16, "
    "duration_s: 3600, value_usd_per_gpu_h: 10}\n"
    "    lo: {family: video, kind: batch, pools: [slow], arrival_rate_per_h: 1, gpus: 4, "
    "duration_s: 3600, value_usd_per_gpu_h: 2}\n"
    "    chat: {family: llm, kind: service, pools: [fast], unit: u, demand_units_per_s: "
    "0.0005, gpu_s_per_unit: 3600, price_usd_per_unit: 10, slo_s: 0, max_utilization: 0.5}\n";

Job batch_job(ClassId cls, int gpus, double work_ref_gpu_s, double value) {
    Job j;
    j.cls = cls;
    j.gpus = gpus;
    j.work_ref_gpu_s = work_ref_gpu_s;
    j.value_usd_per_ref_gpu_h = value;
    return j;
}

/** Two hours, ticks and rows of one hour, on the small platform with kClasses. */
struct Books {
    TempDir dir{"ledger"};
    ScenarioSpec spec = load_yaml_scenario(dir,
                                           "name: l\n" + small_platform_yaml() + kClasses +
                                               "policy: fifo\nhorizon_s: 7200\nseed: "
                                               "1\ntick_s: 3600\n");
    SchedulerState state{spec, PlacementRule::pack};
    Ledger ledger{spec, state};
};

}  // namespace

TEST_SUITE("ledger") {
    TEST_CASE("batch: held GPU-hours, cost, revenue, waiting, opportunity cost, idle line") {
        Books books;
        SchedulerState& state = books.state;
        Ledger& ledger = books.ledger;
        const ClassId hi = state.class_id("hi"), lo = state.class_id("lo");

        // t = 0: lo (4 GPUs, 1 h of work per GPU) runs; hi (16 GPUs) waits behind it.
        const JobId l = state.submit(batch_job(lo, 4, 4 * 3600.0, 2));
        const JobId h = state.submit(batch_job(hi, 16, 16 * 3600.0, 10));
        ledger.on_submit(state.job(l));
        ledger.on_submit(state.job(h));
        REQUIRE(state.start(l, 0));
        ledger.on_start(state.job(l), 0);
        CHECK_FALSE(state.start(h, 0));  // 12 free slow GPUs: the gang does not fit
        // hi waits on slow (10 USD per slow GPU-hour); chat's demand waits on fast at its
        // full-load 5 USD per reference GPU-hour x speed 2.
        const auto shadow = state.shadow_prices_usd_per_gpu_h();
        CHECK(shadow == std::vector<double>{10, 10});

        // [0, 3600): integrate, then lo completes.
        ledger.advance(state, 3600, shadow);
        state.now_s = 3600;
        state.complete(l);
        ledger.on_complete(state.job(l));
        const ClassBook& blo = ledger.classes()[static_cast<std::size_t>(lo)];
        const ClassBook& bhi = ledger.classes()[static_cast<std::size_t>(hi)];
        CHECK(blo.held_gpu_s == doctest::Approx(4 * 3600));
        CHECK(blo.busy_gpu_s == doctest::Approx(4 * 3600));
        CHECK(blo.cost_usd == doctest::Approx(4 * (1.5 + 0.0875)));
        CHECK(blo.energy_it_j == doctest::Approx(4 * 3600 * 700.0));
        CHECK(blo.revenue_usd == doctest::Approx(4 * 2));
        CHECK(blo.served_units == doctest::Approx(4));  // reference GPU-hours delivered
        // 4 GPUs x 1 h x (10 - 2) USD/GPU-h: lo held GPUs while hi, worth 10, waited.
        CHECK(blo.opportunity_cost_usd == doctest::Approx(32));
        CHECK(bhi.waiting_job_s == doctest::Approx(3600));
        CHECK(bhi.in_system_job_s == doctest::Approx(3600));
        CHECK(blo.in_system_job_s == doctest::Approx(3600));
        CHECK(blo.job_waits_s == std::vector<double>{0});
        // Idle: 12 slow GPUs + 8 fast GPUs (the service holds none) for 1 h.
        CHECK(ledger.unallocated_gpu_s() == doctest::Approx(20 * 3600));
        CHECK(ledger.unallocated_cost_usd() ==
              doctest::Approx(12 * (1.5 + 0.0125) + 8 * (2.5 + 0.2 * 0.125)));

        // [3600, 7200): hi runs on both slow nodes; nothing waits, so no opportunity cost.
        REQUIRE(state.start(h, 0));
        ledger.on_start(state.job(h), 3600);
        ledger.advance(state, 7200, state.shadow_prices_usd_per_gpu_h());
        state.now_s = 7200;
        ledger.finish(state, 7200);
        CHECK(state.job(h).status == JobStatus::running_at_end);
        CHECK(bhi.held_gpu_s == doctest::Approx(16 * 3600));
        CHECK(bhi.opportunity_cost_usd == 0);
        // Work in progress at the horizon is delivered work for a class paid per GPU-hour:
        // 16 GPU-h of its 16 GPU-h (the analytic probe: 1 h x 16 GPUs x speed 1).
        CHECK(bhi.revenue_usd == doctest::Approx(160));
        CHECK(bhi.job_waits_s == std::vector<double>{3600});
        // Two rows of 1 h; revenue credited at the horizon lands in the last one.
        REQUIRE(ledger.intervals().size() == 2);
        CHECK(ledger.intervals()[1].classes[static_cast<std::size_t>(hi)].revenue_usd ==
              doctest::Approx(160));
        CHECK(ledger.intervals()[0].classes[static_cast<std::size_t>(lo)].opportunity_cost_usd ==
              doctest::Approx(32));
        // Over [3600, 7200) no job waits, but chat's demand has no GPUs: its full-load rate,
        // 10 USD x 3600 x 0.5 / 3600 = 5 USD per reference GPU-hour, x speed 2, is fast's
        // shadow price; slow's is 0. The fleet's averages them over its 24 GPUs.
        CHECK(ledger.intervals()[1].pools[0].shadow_price_x_s == 0);
        CHECK(ledger.intervals()[1].pools[1].shadow_price_x_s == doctest::Approx(10 * 3600));
        CHECK(ledger.intervals()[1].shadow_price_x_s == doctest::Approx(8.0 / 24 * 10 * 3600));
    }

    TEST_CASE("services: served = min(demand, capacity), the rest lost after the SLO") {
        Books books;
        SchedulerState& state = books.state;
        Ledger& ledger = books.ledger;
        const ClassId chat = state.class_id("chat");
        // One fast GPU (speed 2): capacity over a 1 h tick = 2 reference GPU-h x 0.5 / 1 GPU-h
        // per unit = 1 unit; demand 0.0005 units/s x 3600 s = 1.8 units; 0.8 units lost (SLO 0).
        REQUIRE(state.set_service_gpus(chat, 1, 1));
        ledger.advance(state, 3600, {0, 0});
        ledger.settle_services(state, 3600);
        const ClassBook& b = ledger.classes()[static_cast<std::size_t>(chat)];
        CHECK(b.demand_units == doctest::Approx(1.8));
        CHECK(b.served_units == doctest::Approx(1));
        CHECK(b.lost_units == doctest::Approx(0.8));
        CHECK(b.revenue_usd == doctest::Approx(10));
        CHECK(b.held_gpu_s == doctest::Approx(3600));
        // Busy: 1 unit x 3600 reference GPU-s / speed 2 = 1800 s of the fast GPU.
        CHECK(b.busy_gpu_s == doctest::Approx(1800));
        CHECK(ledger.allocated_idle_gpu_s() == doctest::Approx(1800));
        // Cost: fixed 2.5 USD/GPU-h; energy 1800 s x 1 kW + 1800 s x 0.2 kW = 0.6 kWh x 0.125.
        CHECK(b.cost_usd == doctest::Approx(2.5 + 0.6 * 0.125));
        CHECK(b.energy_it_j == doctest::Approx(1800 * 1000.0 + 1800 * 200.0));
    }
}

TEST_SUITE("ledger") {
    TEST_CASE("opportunity cost per pool: two pools where the fleet-wide shadow price is wrong") {
        // Worked on paper. Pools: slow, 8 reference GPUs; fast, 8 GPUs of speed 2 (the small
        // platform with one slow node). One hour, one tick.
        //   video-gen (service, slow only): 1 unit = 1 reference GPU-hour at 3 USD, demand 8
        //     units/h, holds 4 slow GPUs: serves 4 units (12 USD), 4 units wait. Full-load rate
        //     and realised rate: 3 USD per reference GPU-hour.
        //   train-a (batch, slow only, 1 USD per reference GPU-h): a 4-GPU job on slow.
        //   train-b (batch, fast only, 2 USD): an 8-GPU job on fast: 4 USD per fast GPU-hour.
        //   big-b (batch, fast only, 10 USD): an 8-GPU job waiting for fast.
        // Per pool: λ_slow = video's 3 x speed 1 = 3 (nothing else that may use slow waits);
        // λ_fast = big-b's 10 x speed 2 = 20 USD per fast GPU-hour.
        //   train-a: 4 GPU-h x (3 - 1) = 8 USD; train-b: 8 GPU-h x (20 - 2 x 2) = 128 USD;
        //   video-gen: 4 GPU-h x max(0, 3 - 3) = 0; big-b holds nothing: 0. Total 136.
        // Fleet-wide (the old definition: the best demand waiting anywhere, 10 USD per
        // reference GPU-hour, for every GPU): train-a 4 x (10 - 1) = 36, video-gen
        // 4 x (10 - 3) = 28 for demand it could never have served, train-b 16 reference GPU-h
        // x (10 - 2) = 128. Total 192.
        // The fleet's shadow price, λ_p over its GPUs: (8 x 3 + 8 x 20) / 16 = 11.5.
        TempDir dir("ledger-pools");
        const ScenarioSpec spec = load_yaml_scenario(
            dir,
            "name: l\n" + small_platform_yaml(1) +
                "workload:\n"
                "  name: w\n"
                "  classes:\n"
                "    video-gen: {family: video, kind: service, pools: [slow], unit: u, "
                "demand_units_per_s: 0.00222222222222222222, gpu_s_per_unit: 3600, "
                "price_usd_per_unit: 3, slo_s: 0, max_utilization: 1}\n"
                "    train-a: {family: video, kind: batch, pools: [slow], arrival_rate_per_h: 1, "
                "gpus: 4, duration_s: 3600, value_usd_per_gpu_h: 1}\n"
                "    train-b: {family: llm, kind: batch, pools: [fast], arrival_rate_per_h: 1, "
                "gpus: 8, duration_s: 3600, value_usd_per_gpu_h: 2}\n"
                "    big-b: {family: llm, kind: batch, pools: [fast], arrival_rate_per_h: 1, "
                "gpus: 8, duration_s: 3600, value_usd_per_gpu_h: 10}\n"
                "policy: fifo\nhorizon_s: 3600\nseed: 1\ntick_s: 3600\n");
        SchedulerState state{spec, PlacementRule::pack};
        Ledger ledger{spec, state};
        const ClassId video = state.class_id("video-gen"), a = state.class_id("train-a"),
                      b = state.class_id("train-b"), big = state.class_id("big-b");
        REQUIRE(state.set_service_gpus(video, 0, 4));
        REQUIRE(state.start(state.submit(batch_job(a, 4, 4 * 3600.0, 1)), 0));
        REQUIRE(state.start(state.submit(batch_job(b, 8, 16 * 3600.0, 2)), 1));
        state.submit(batch_job(big, 8, 16 * 3600.0, 10));

        const auto shadow = state.shadow_prices_usd_per_gpu_h();
        CHECK(shadow[0] == doctest::Approx(3));
        CHECK(shadow[1] == doctest::Approx(20));
        CHECK(state.shadow_price_usd_per_ref_gpu_h() == 10);  // the fleet-wide maximum

        ledger.advance(state, 3600, shadow);
        ledger.settle_services(state, 3600);
        auto oc = [&](ClassId c) {
            return ledger.classes()[static_cast<std::size_t>(c)].opportunity_cost_usd;
        };
        CHECK(ledger.classes()[static_cast<std::size_t>(video)].revenue_usd == doctest::Approx(12));
        CHECK(oc(a) == doctest::Approx(8));
        CHECK(oc(b) == doctest::Approx(128));
        CHECK(oc(video) == doctest::Approx(0).scale(1));
        CHECK(oc(big) == 0);
        CHECK(oc(a) + oc(b) + oc(video) + oc(big) == doctest::Approx(136));

        REQUIRE(ledger.intervals().size() == 1);
        const IntervalRow& row = ledger.intervals()[0];
        CHECK(row.shadow_price_x_s == doctest::Approx(11.5 * 3600));
        CHECK(row.classes[static_cast<std::size_t>(a)].opportunity_cost_usd == doctest::Approx(8));
        // Each pool: GPUs, busy GPU-seconds (video serves 4 units = 4 slow GPU-hours), λ_p.
        REQUIRE(row.pools.size() == 2);
        CHECK(row.pools[0].gpu_s == doctest::Approx(8 * 3600));
        CHECK(row.pools[0].busy_gpu_s == doctest::Approx(8 * 3600));
        CHECK(row.pools[0].shadow_price_x_s == doctest::Approx(3 * 3600));
        CHECK(row.pools[1].busy_gpu_s == doctest::Approx(8 * 3600));
        CHECK(row.pools[1].shadow_price_x_s == doctest::Approx(20 * 3600));

        // The old fleet-wide charge, for contrast: 10 USD per reference GPU-hour on every GPU is
        // λ = (10, 20) per GPU-hour of (slow, fast), and the same books charge 192, not 136.
        Ledger fleet_wide{spec, state};
        fleet_wide.advance(state, 3600, {10, 20});
        fleet_wide.settle_services(state, 3600);
        auto old_oc = [&](ClassId c) {
            return fleet_wide.classes()[static_cast<std::size_t>(c)].opportunity_cost_usd;
        };
        CHECK(old_oc(a) == doctest::Approx(36));
        CHECK(old_oc(video) == doctest::Approx(28));
        CHECK(old_oc(b) == doctest::Approx(128));
        CHECK(old_oc(a) + old_oc(b) + old_oc(video) + old_oc(big) == doctest::Approx(192));
    }
}
