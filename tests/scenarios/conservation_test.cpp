// Conservation (design.md section 6): the books must balance whatever the policy. On a
// scenario with services and batch (data/mixed.yaml: two GPU speeds, diurnal and trace demand,
// gangs, classes paid per GPU-hour and per job), under every policy:
//   busy + idle GPU-hours = GPUs x horizon (both integrated separately by the ledger);
//   allocated (sum over classes) + unallocated GPU-hours = the same capacity;
//   every job ends in exactly one final state, and the counts match summary.json;
//   revenue, cost and profit per class add up to the totals (cost includes the idle line);
//   for batch classes, the GPU-hours in the books equal those of the rows of jobs.csv;
//   timeseries.csv rows add up to the per-class revenue, opportunity cost and GPU-hours.
// Every registered policy runs it. Of those on main (fifo, static-partition, revenue-greedy)
// none preempts; merged with branch policies (checked in a throwaway merge), opportunity-cost
// and las preempt here (4 and 44 times, both training classes), and the books still balance.
// The jobs.csv GPU-hour check is skipped for classes with preemptions (start_s is the first
// start only).
#include "tests/support/results.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>

using namespace fleetsim::test;

namespace {

void check_conservation(const std::string& dir) {
    const auto s = read_summary(dir);
    const auto& fleet = s["fleet"];
    const auto& totals = s["totals"];
    const double horizon = s["horizon_s"].get<double>();
    const double capacity = fleet["gpus"].get<double>() * horizon / 3600;
    CHECK(fleet["gpu_h_capacity"].get<double>() == doctest::Approx(capacity).epsilon(1e-12));
    CHECK(fleet["gpu_h_busy"].get<double>() + fleet["gpu_h_idle"].get<double>() ==
          doctest::Approx(capacity).epsilon(1e-9));
    CHECK(fleet["gpu_h_allocated"].get<double>() + fleet["gpu_h_unallocated"].get<double>() ==
          doctest::Approx(capacity).epsilon(1e-9));
    // Something real happened: the check is not 0 + capacity = capacity.
    CHECK(fleet["gpu_h_busy"].get<double>() > 0.2 * capacity);
    CHECK(fleet["gpu_h_idle"].get<double>() > 0);

    double revenue = 0, cost = 0, gpu_h = 0, busy = 0;
    for (const auto& [name, c] : s["classes"].items()) {
        CAPTURE(name);
        revenue += c["revenue_usd"].get<double>();
        cost += c["cost_usd"].get<double>();
        gpu_h += c["gpu_h"].get<double>();
        busy += c["busy_gpu_h"].get<double>();
        CHECK(c["profit_usd"].get<double>() ==
              doctest::Approx(c["revenue_usd"].get<double>() - c["cost_usd"].get<double>())
                  .epsilon(1e-12));
        CHECK(c["busy_gpu_h"].get<double>() <= c["gpu_h"].get<double>() * (1 + 1e-12));
        CHECK(c["gpu_h"].get<double>() > 0);
    }
    CHECK(totals["revenue_usd"].get<double>() == doctest::Approx(revenue).epsilon(1e-12));
    CHECK(totals["cost_usd"].get<double>() ==
          doctest::Approx(cost + totals["idle_cost_usd"].get<double>()).epsilon(1e-12));
    CHECK(totals["profit_usd"].get<double>() ==
          doctest::Approx(totals["revenue_usd"].get<double>() - totals["cost_usd"].get<double>())
              .epsilon(1e-12));
    CHECK(fleet["cost_usd"].get<double>() == totals["cost_usd"].get<double>());
    CHECK(fleet["gpu_h_allocated"].get<double>() == doctest::Approx(gpu_h).epsilon(1e-12));
    CHECK(fleet["gpu_h_busy"].get<double>() == doctest::Approx(busy).epsilon(1e-12));

    // timeseries.csv: gpus_allocated is a mean over the row's length; revenue and opportunity
    // cost are totals per row. Summed over rows they are the class's figures.
    {
        std::istringstream ts(read_file(dir + "/timeseries.csv"));
        std::string line;
        std::getline(ts, line);
        CHECK(line ==
              "t_s,class,gpus_allocated,gpus_busy,demand_units_per_s,served_units_per_s,"
              "revenue_usd,shadow_price_usd_per_gpu_h,opportunity_cost_usd");
        std::map<std::string, double> revenue_rows, oc_rows, gpu_h_rows;
        while (std::getline(ts, line)) {
            std::vector<std::string> c;
            std::istringstream cells(line);
            for (std::string cell; std::getline(cells, cell, ',');)
                c.push_back(cell);
            REQUIRE(c.size() == 9);
            const double t = std::stod(c[0]);
            const double interval = s["horizon_s"].get<double>() - t;  // the last row may be short
            const double length = std::min(3600.0, interval);
            gpu_h_rows[c[1]] += std::stod(c[2]) * length / 3600;
            revenue_rows[c[1]] += std::stod(c[6]);
            oc_rows[c[1]] += std::stod(c[8]);
        }
        for (const auto& [name, c] : s["classes"].items()) {
            CAPTURE(name);
            CHECK(revenue_rows[name] ==
                  doctest::Approx(c["revenue_usd"].get<double>()).epsilon(1e-9));
            CHECK(oc_rows[name] ==
                  doctest::Approx(c["opportunity_cost_usd"].get<double>()).epsilon(1e-9));
            CHECK(gpu_h_rows[name] == doctest::Approx(c["gpu_h"].get<double>()).epsilon(1e-9));
        }
    }

    // Every job in exactly one final state; the counts agree with summary.json.
    const std::set<std::string> finals = {"completed", "rejected", "running_at_end",
                                          "waiting_at_end"};
    std::map<std::string, std::map<std::string, long long>> counts;
    std::map<std::string, double> job_gpu_h;
    std::map<std::string, long long> preempted;
    for (const auto& j : read_jobs(dir)) {
        CAPTURE(j.job_id);
        CHECK(finals.count(j.status) == 1);
        counts[j.cls][j.status] += 1;
        counts[j.cls]["submitted"] += 1;
        preempted[j.cls] += j.preemptions;
        // Started iff it holds (or held) GPUs; ended iff completed or rejected. A preempted job
        // keeps its first start while it waits again.
        if (j.preemptions == 0) {
            CHECK(j.start_s.has_value() ==
                  (j.status == "completed" || j.status == "running_at_end"));
        } else {
            CHECK(j.start_s.has_value());
        }
        CHECK(j.end_s.has_value() == (j.status == "completed" || j.status == "rejected"));
        if (j.start_s && j.preemptions == 0)
            job_gpu_h[j.cls] += j.gpus * (j.end_s.value_or(horizon) - *j.start_s) / 3600;
    }
    for (const auto& [name, c] : s["classes"].items()) {
        if (c["kind"] != "batch")
            continue;
        CAPTURE(name);
        auto& n = counts[name];
        CHECK(c["jobs_submitted"].get<long long>() == n["submitted"]);
        CHECK(c["jobs_completed"].get<long long>() == n["completed"]);
        CHECK(c["jobs_rejected"].get<long long>() == n["rejected"]);
        CHECK(c["jobs_running_at_end"].get<long long>() == n["running_at_end"]);
        CHECK(c["jobs_waiting_at_end"].get<long long>() == n["waiting_at_end"]);
        CHECK(n["submitted"] ==
              n["completed"] + n["rejected"] + n["running_at_end"] + n["waiting_at_end"]);
        CHECK(c["preemptions"].get<long long>() == preempted[name]);
        if (preempted[name] == 0) {
            CHECK(c["gpu_h"].get<double>() == doctest::Approx(job_gpu_h[name]).epsilon(1e-9));
        }
    }
}

}  // namespace

TEST_SUITE("conservation") {
    TEST_CASE("the books balance under every registered policy, with services and batch") {
        // Every policy the binary registers, so that a new one (a preemptive one especially) is
        // checked the day it lands. Parameters are given only where a policy requires them; a
        // new policy with required parameters fails here until it is given some.
        const std::map<std::string, std::vector<std::string>> params = {
            // las (on branch policies) preempts only past its first threshold: 2 GPU-h instead
            // of 1,000 makes it preempt dozens of times here.
            {"las", {"--set", "policy.params={first_threshold_gpu_h: 2}"}},
            // reserved: a block of half the nodes for the video classes under fifo, the rest
            // under opportunity-cost (the block's books are the fleet's).
            {"reserved",
             {"--set",
              "policy.params={blocks: [{classes: [video-gen, video-training], share: 0.5, "
              "policy: fifo}], others: {policy: opportunity-cost}}"}},
            {"static-partition",
             {"--set",
              "policy.params={shares: {chat: 0.35, video-gen: 0.15, llm-training: 0.35, "
              "video-training: 0.15}}"}},
        };
        auto listing = run_fleetsim({"policies"});
        REQUIRE(listing.exit_code == 0);
        std::vector<std::string> names;
        std::istringstream lines(listing.out);
        for (std::string line; std::getline(lines, line);) {
            if (!line.empty() && line[0] != ' ')
                names.push_back(line.substr(0, line.find(' ')));
        }
        REQUIRE(names.size() >= 3);
        for (const auto& name : names) {
            CAPTURE(name);
            TempDir tmp("conservation");
            std::vector<std::string> args = {"run",
                                             source_path("tests/scenarios/data/mixed.yaml"),
                                             "--out",
                                             tmp / "out",
                                             "-q",
                                             "--set",
                                             "policy.name=" + name};
            if (params.count(name))
                args.insert(args.end(), params.at(name).begin(), params.at(name).end());
            auto r = run_fleetsim(args);
            INFO(r.err);
            REQUIRE(r.exit_code == 0);
            check_conservation(tmp / "out");
        }
    }
}
