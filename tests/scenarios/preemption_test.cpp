// Preemption end to end, on the real engine: a training job preempted by an urgent one loses the
// work since its last checkpoint, pays its restart cost on the GPUs, is requeued and completes
// later; jobs.csv and summary.json count it. Every figure is worked out from the two submit
// times the seed gives (read back from jobs.csv).
#include "tests/support/results.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <sstream>

using namespace fleetsim::test;

namespace {

const char* kScenario = R"(
name: preempt
platform:
  name: one-node
  gpu_types:
    h100: {dense_bf16_tflops: 989, memory_gb: 80, power_idle_w: 300, power_busy_w: 1275,
           capex_usd: 45000, amortization_years: 4}
  sites:
    s: {energy_usd_per_kwh: 0.08, pue: 1.2}
  pools:
    a: {site: s, gpu_type: h100, nodes: 1, gpus_per_node: 8}
workload:
  name: two-jobs
  classes:
    training:
      family: llm
      kind: batch
      arrival_rate_per_h: 3600   # the one job arrives in the first seconds
      max_jobs: 1
      gpus: 8
      duration_s: 7200
      value_usd_per_gpu_h: 2
      preemptible: true
      checkpoint_interval_s: 600
      restart_cost_s: 300
    urgent:
      family: llm
      kind: batch
      arrival_rate_per_h: 2      # the one job arrives about half an hour later
      max_jobs: 1
      gpus: 8
      duration_s: 1800
      value_usd_per_gpu_h: 10
policy:
  name: priority
  params: {priorities: {urgent: 5, training: 1}, preempt: true}
horizon_s: 40000
seed: 3
tick_s: 300
)";

}  // namespace

TEST_SUITE("preemption") {
    TEST_CASE("a preempted job loses work since its checkpoint, pays the restart, and completes") {
        TempDir tmp("preempt");
        write_file(tmp / "preempt.yaml", kScenario);
        auto r = run_fleetsim({"run", tmp / "preempt.yaml", "--out", tmp / "out", "-q"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        auto jobs = parse_csv(read_file(tmp / "out/jobs.csv"));
        REQUIRE(jobs.size() == 2);
        auto& train = jobs[0]["class"] == "training" ? jobs[0] : jobs[1];
        auto& urgent = jobs[0]["class"] == "training" ? jobs[1] : jobs[0];
        const double a_t = std::stod(train["submit_s"]);
        const double a_u = std::stod(urgent["submit_s"]);
        // The seed must put the urgent job inside the training run for this test to mean anything.
        REQUIRE(a_u > a_t + 600);
        REQUIRE(a_u < a_t + 7200);

        // Training ran (a_u - a_t) s on 8 GPUs; checkpoints every 600 s keep the whole periods.
        const double ran_s = a_u - a_t;
        const double kept_s = std::floor(ran_s / 600) * 600;
        const double lost_gpu_h = (ran_s - kept_s) * 8 / 3600;
        // Urgent runs [a_u, a_u + 1800]; training restarts then, pays 300 s, and does the rest.
        const double end_t = a_u + 1800 + 300 + (7200 - kept_s);
        CHECK(std::stod(train["start_s"]) == doctest::Approx(a_t));
        CHECK(std::stod(urgent["start_s"]) == doctest::Approx(a_u));
        CHECK(std::stod(urgent["end_s"]) == doctest::Approx(a_u + 1800));
        CHECK(train["preemptions"] == "1");
        CHECK(urgent["preemptions"] == "0");
        CHECK(std::stod(train["lost_work_gpu_h"]) == doctest::Approx(lost_gpu_h));
        CHECK(train["status"] == "completed");
        CHECK(std::stod(train["end_s"]) == doctest::Approx(end_t).epsilon(1e-6));

        auto summary = nlohmann::json::parse(read_file(tmp / "out/summary.json"));
        const auto& t = summary["classes"]["training"];
        CHECK(t["preemptions"] == 1);
        CHECK(t["lost_work_gpu_h"].get<double>() == doctest::Approx(lost_gpu_h));
        // Paid for the 16 GPU-hours of work once (lost work is not revenue)...
        CHECK(t["revenue_usd"].get<double>() == doctest::Approx(2.0 * 16));
        // ...but charged for every GPU-hour it held: both runs, the lost work and the restart.
        const double held_gpu_h = (ran_s + 300 + (7200 - kept_s)) * 8 / 3600;
        CHECK(t["gpu_h"].get<double>() == doctest::Approx(held_gpu_h).epsilon(1e-6));
        CHECK(summary["classes"]["urgent"]["revenue_usd"].get<double>() ==
              doctest::Approx(10.0 * 4));
    }
}

TEST_SUITE("preemption") {
    TEST_CASE("preempting policies are deterministic: same seed, byte-identical files") {
        TempDir tmp("preempt-determinism");
        const std::vector<std::pair<std::string, std::string>> policies = {
            {"opportunity-cost", "{}"},
            {"las", "{first_threshold_gpu_h: 500}"},
            {"priority", "{priorities: {chat: 3, coding: 3, video-gen: 2}, preempt: true}"},
            {"market", "{preempt: true}"}};
        for (const auto& [policy, params] : policies) {
            const auto& policy_ = policy;  // clang 14 cannot capture a structured binding
            CAPTURE(policy_);
            for (const char* copy : {"a", "b"}) {
                auto r =
                    run_fleetsim({"run", "--out", tmp / (policy + copy), "-q", "--set",
                                  "policy.name=" + policy, "--set", "policy.params=" + params});
                INFO(r.err);
                REQUIRE(r.exit_code == 0);
            }
            for (const char* f : {"jobs.csv", "timeseries.csv", "classes.csv"}) {
                CAPTURE(f);
                CHECK(read_file(tmp / (policy + "a/" + f)) == read_file(tmp / (policy + "b/" + f)));
            }
            // They do preempt on the default lab (otherwise this would check little).
            double preemptions = 0;
            for (const auto& row : parse_csv(read_file(tmp / (policy + "a/classes.csv"))))
                preemptions += num(row, "preemptions");
            CHECK(preemptions > 0);
        }
    }
}
