// Conservation (design.md section 6): the books must balance whatever the policy. On a
// scenario with services and batch (data/mixed.yaml: two GPU speeds, diurnal and trace demand,
// gangs, classes paid per GPU-hour and per job), under every policy:
//   busy + idle GPU-hours = GPUs x horizon (both integrated separately by the ledger);
//   allocated (sum over classes) + unallocated GPU-hours = the same capacity;
//   every job ends in exactly one final state, and the counts match summary.json;
//   revenue, cost and profit per class add up to the totals (cost includes the idle line);
//   for batch classes, the GPU-hours in the books equal those of the rows of jobs.csv;
//   timeseries.csv rows add up to the per-class revenue, opportunity cost and GPU-hours, and
//   its columns per pool to the classes' and the fleet's figures, interval by interval.
// Every registered policy runs it. Of those on main (fifo, static-partition, revenue-greedy)
// none preempts; merged with branch policies (checked in a throwaway merge), opportunity-cost
// and las preempt here (4 and 44 times, both training classes), and the books still balance.
// The jobs.csv GPU-hour check is skipped for classes with preemptions or failure interruptions
// (start_s is the first start only).
//
// With failures on (data/mixed.yaml plus a failure model given by --set: GPU failures of both
// types, node and rack failures of pool slow, a maintenance window), under every policy too:
//   busy + idle + down GPU-hours = GPUs x horizon, allocated + unallocated + down = the same;
//   cost per class + idle cost + the down GPUs' cost = the total cost;
//   timeseries.csv's gpus_down rows add up to fleet.failures.gpu_h_down, its failure columns
//   to each class's figures; jobs.csv's interruptions to each class's, and failures.csv's
//   jobs_interrupted (one per event) to the fleet's.
#include "tests/support/results.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

using namespace fleetsim::test;

namespace {

/** Per job id, the column `name` of jobs.csv as an integer (the failure columns, which the
    schema's JobRow does not hold). */
std::vector<long long> jobs_column(const std::string& dir, const std::string& name) {
    std::vector<long long> out;
    for (const auto& row : parse_csv(read_file(dir + "/jobs.csv")))
        out.push_back(std::stoll(row.at(name)));
    return out;
}

/** failures.csv's jobs_interrupted, counted once per event. */
long long interrupted_in_failure_log(const std::string& dir) {
    std::set<std::string> seen;
    long long out = 0;
    for (const auto& row : parse_csv(read_file(dir + "/failures.csv"))) {
        if (seen.insert(row.at("event")).second)
            out += std::stoll(row.at("jobs_interrupted"));
    }
    return out;
}

/** When pool fast (8 GPUs) is owned: always, or (a fleet that changes over time) from `from_s`
    to `to_s`, both on interval boundaries. */
struct FastOwned {
    double from_s = 0;
    double to_s = 1e300;
    bool changes() const { return from_s > 0 || to_s < 1e300; }
    /** GPU-seconds fast owns in [t0, t1). */
    double gpu_s(double t0, double t1) const {
        return 8 * std::max(0.0, std::min(t1, to_s) - std::max(t0, from_s));
    }
};

/** Checks the books of the run in `dir`; returns its failure interruptions (0 without failures). */
long long check_conservation(const std::string& dir, const FastOwned& fast_owned = {}) {
    const auto s = read_summary(dir);
    const auto& fleet = s["fleet"];
    const auto& totals = s["totals"];
    const double horizon = s["horizon_s"].get<double>();
    // Capacity is owned GPU-hours: fast counts only while it is owned.
    const double capacity =
        ((fleet["gpus"].get<double>() - 8) * horizon + fast_owned.gpu_s(0, horizon)) / 3600;
    const bool failures = fleet.contains("failures");
    const double down = failures ? fleet["failures"]["gpu_h_down"].get<double>() : 0.0;
    const double down_cost = failures ? fleet["failures"]["down_cost_usd"].get<double>() : 0.0;
    if (failures) {
        // Something failed: the check is not busy + idle + 0.
        CHECK(down > 0.01 * capacity);
        CHECK(fleet["failures"]["interruptions"].get<long long>() ==
              interrupted_in_failure_log(dir));
    }
    CHECK(fleet["gpu_h_capacity"].get<double>() == doctest::Approx(capacity).epsilon(1e-12));
    CHECK(fleet["gpu_h_busy"].get<double>() + fleet["gpu_h_idle"].get<double>() + down ==
          doctest::Approx(capacity).epsilon(1e-9));
    CHECK(fleet["gpu_h_allocated"].get<double>() + fleet["gpu_h_unallocated"].get<double>() +
              down ==
          doctest::Approx(capacity).epsilon(1e-9));
    // Something real happened: the check is not 0 + capacity = capacity.
    CHECK(fleet["gpu_h_busy"].get<double>() > 0.2 * capacity);
    CHECK(fleet["gpu_h_idle"].get<double>() > 0);

    double revenue = 0, cost = 0, gpu_h = 0, busy = 0;
    for (const auto& [name, c] : s["classes"].items()) {
        const auto& name_ = name;  // clang 14 cannot capture a structured binding
        CAPTURE(name_);
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
          doctest::Approx(cost + totals["idle_cost_usd"].get<double>() + down_cost).epsilon(1e-12));
    CHECK(totals["profit_usd"].get<double>() ==
          doctest::Approx(totals["revenue_usd"].get<double>() - totals["cost_usd"].get<double>())
              .epsilon(1e-12));
    CHECK(fleet["cost_usd"].get<double>() == totals["cost_usd"].get<double>());
    CHECK(fleet["gpu_h_allocated"].get<double>() == doctest::Approx(gpu_h).epsilon(1e-12));
    CHECK(fleet["gpu_h_busy"].get<double>() == doctest::Approx(busy).epsilon(1e-12));

    // timeseries.csv: gpus_allocated is a mean over the row's length; revenue and opportunity
    // cost are totals per row. Summed over rows they are the class's figures. The platform has
    // two pools (slow, fast): each pool's columns follow the class's.
    {
        const std::string text = read_file(dir + "/timeseries.csv");
        CHECK(text.substr(0, text.find('\n')) ==
              std::string(
                  "t_s,class,gpus_allocated,gpus_busy,demand_units_per_s,served_units_per_s,"
                  "revenue_usd,shadow_price_usd_per_gpu_h,opportunity_cost_usd,"
                  "pool_gpus.slow,pool_gpus.fast,pool_gpus_busy.slow,pool_gpus_busy.fast,"
                  "pool_shadow_price_usd_per_gpu_h.slow,pool_shadow_price_usd_per_gpu_h.fast") +
                  (fast_owned.changes() ? ",gpus_owned.ref,gpus_owned.fast" : "") +
                  (failures ? ",gpus_down,interruptions,failure_lost_work_gpu_h,restart_gpu_h,"
                              "revenue_lost_usd"
                            : ""));
        std::map<std::string, double> revenue_rows, oc_rows, gpu_h_rows, lost_rows, restart_rows,
            revenue_lost_rows;
        std::map<std::string, long long> interruption_rows;
        double down_rows = 0;
        // Per interval: the classes' busy GPUs, and the pools' columns (the same on every row).
        std::map<double, double> busy_rows;
        std::map<double, CsvRow> pool_columns;
        for (const auto& r : parse_csv(text)) {
            const double t = num(r, "t_s");
            const double length = std::min(3600.0, horizon - t);  // the last row may be short
            gpu_h_rows[r.at("class")] += num(r, "gpus_allocated") * length / 3600;
            revenue_rows[r.at("class")] += num(r, "revenue_usd");
            oc_rows[r.at("class")] += num(r, "opportunity_cost_usd");
            busy_rows[t] += num(r, "gpus_busy");
            auto [it, first] = pool_columns.emplace(t, r);
            for (const char* k :
                 {"pool_gpus.slow", "pool_gpus.fast", "pool_gpus_busy.slow", "pool_gpus_busy.fast",
                  "pool_shadow_price_usd_per_gpu_h.slow", "pool_shadow_price_usd_per_gpu_h.fast"})
                CHECK(r.at(k) == it->second.at(k));
            if (failures) {
                // gpus_down is the fleet's, repeated on every class's row of the interval.
                down_rows +=
                    num(r, "gpus_down") * length / 3600 / static_cast<double>(s["classes"].size());
                interruption_rows[r.at("class")] += std::stoll(r.at("interruptions"));
                lost_rows[r.at("class")] += num(r, "failure_lost_work_gpu_h");
                restart_rows[r.at("class")] += num(r, "restart_gpu_h");
                revenue_lost_rows[r.at("class")] += num(r, "revenue_lost_usd");
            }
        }
        if (failures) {
            CHECK(down_rows == doctest::Approx(down).epsilon(1e-9));
            for (const auto& [name, c] : s["classes"].items()) {
                const auto& name_ = name;  // clang 14 cannot capture a structured binding
                CAPTURE(name_);
                const auto& f = c["failures"];
                CHECK(interruption_rows[name] == f["interruptions"].get<long long>());
                CHECK(lost_rows[name] ==
                      doctest::Approx(f["failure_lost_work_gpu_h"].get<double>()).epsilon(1e-9));
                CHECK(restart_rows[name] ==
                      doctest::Approx(f["restart_gpu_h"].get<double>()).epsilon(1e-9));
                CHECK(revenue_lost_rows[name] ==
                      doctest::Approx(f["revenue_lost_usd"].get<double>()).epsilon(1e-9));
            }
        }
        for (const auto& [name, c] : s["classes"].items()) {
            const auto& name_ = name;  // clang 14 cannot capture a structured binding
            CAPTURE(name_);
            CHECK(revenue_rows[name] ==
                  doctest::Approx(c["revenue_usd"].get<double>()).epsilon(1e-9));
            CHECK(oc_rows[name] ==
                  doctest::Approx(c["opportunity_cost_usd"].get<double>()).epsilon(1e-9));
            CHECK(gpu_h_rows[name] == doctest::Approx(c["gpu_h"].get<double>()).epsilon(1e-9));
        }
        // Per interval the pools' GPUs are the fleet's, their busy GPUs the classes', no pool
        // is busier than it is large, and the fleet's shadow price is the pools' averaged over
        // their GPUs; over the run the pools' busy GPU-hours are fleet.gpu_h_busy.
        double pool_busy_gpu_h = 0;
        for (const auto& [t, r] : pool_columns) {
            const auto& t_ = t;  // clang 14 cannot capture a structured binding
            CAPTURE(t_);
            const double slow = num(r, "pool_gpus.slow"), fast = num(r, "pool_gpus.fast");
            const double length = std::min(3600.0, horizon - t);
            CHECK(slow == doctest::Approx(fleet["gpus"].get<double>() - 8));
            CHECK(fast == doctest::Approx(fast_owned.gpu_s(t, t + length) / length));
            if (fast_owned.changes()) {
                CHECK(num(r, "gpus_owned.ref") == slow);
                CHECK(num(r, "gpus_owned.fast") == fast);
            }
            const double pool_busy = num(r, "pool_gpus_busy.slow") + num(r, "pool_gpus_busy.fast");
            CHECK(pool_busy == doctest::Approx(busy_rows[t]).epsilon(1e-9));
            CHECK(num(r, "pool_gpus_busy.slow") <= slow * (1 + 1e-12));
            CHECK(num(r, "pool_gpus_busy.fast") <= fast * (1 + 1e-12));
            CHECK(num(r, "shadow_price_usd_per_gpu_h") ==
                  doctest::Approx((slow * num(r, "pool_shadow_price_usd_per_gpu_h.slow") +
                                   fast * num(r, "pool_shadow_price_usd_per_gpu_h.fast")) /
                                  (slow + fast))
                      .epsilon(1e-9));
            pool_busy_gpu_h += pool_busy * std::min(3600.0, horizon - t) / 3600;
        }
        CHECK(pool_busy_gpu_h == doctest::Approx(fleet["gpu_h_busy"].get<double>()).epsilon(1e-9));
    }

    // Every job in exactly one final state; the counts agree with summary.json.
    const std::set<std::string> finals = {"completed", "rejected", "running_at_end",
                                          "waiting_at_end"};
    std::map<std::string, std::map<std::string, long long>> counts;
    std::map<std::string, double> job_gpu_h;
    std::map<std::string, long long> preempted, interrupted;
    const auto jobs = read_jobs(dir);
    const std::vector<long long> interruptions =
        failures ? jobs_column(dir, "interruptions") : std::vector<long long>(jobs.size(), 0);
    REQUIRE(interruptions.size() == jobs.size());
    for (const auto& j : jobs) {
        CAPTURE(j.job_id);
        CHECK(finals.count(j.status) == 1);
        counts[j.cls][j.status] += 1;
        counts[j.cls]["submitted"] += 1;
        preempted[j.cls] += j.preemptions;
        const long long stops = interruptions[static_cast<std::size_t>(j.job_id)];
        interrupted[j.cls] += stops;
        // Started iff it holds (or held) GPUs; ended iff completed or rejected. A preempted (or
        // interrupted) job keeps its first start while it waits again.
        if (j.preemptions == 0 && stops == 0) {
            CHECK(j.start_s.has_value() ==
                  (j.status == "completed" || j.status == "running_at_end"));
        } else {
            CHECK(j.start_s.has_value());
        }
        CHECK(j.end_s.has_value() == (j.status == "completed" || j.status == "rejected"));
        if (j.start_s && j.preemptions == 0 && stops == 0)
            job_gpu_h[j.cls] += j.gpus * (j.end_s.value_or(horizon) - *j.start_s) / 3600;
    }
    for (const auto& [name, c] : s["classes"].items()) {
        if (c["kind"] != "batch")
            continue;
        const auto& name_ = name;  // clang 14 cannot capture a structured binding
        CAPTURE(name_);
        auto& n = counts[name];
        CHECK(c["jobs_submitted"].get<long long>() == n["submitted"]);
        CHECK(c["jobs_completed"].get<long long>() == n["completed"]);
        CHECK(c["jobs_rejected"].get<long long>() == n["rejected"]);
        CHECK(c["jobs_running_at_end"].get<long long>() == n["running_at_end"]);
        CHECK(c["jobs_waiting_at_end"].get<long long>() == n["waiting_at_end"]);
        CHECK(n["submitted"] ==
              n["completed"] + n["rejected"] + n["running_at_end"] + n["waiting_at_end"]);
        CHECK(c["preemptions"].get<long long>() == preempted[name]);
        if (failures)
            CHECK(c["failures"]["interruptions"].get<long long>() == interrupted[name]);
        if (preempted[name] == 0 && interrupted[name] == 0) {
            CHECK(c["gpu_h"].get<double>() == doctest::Approx(job_gpu_h[name]).epsilon(1e-9));
        }
    }
    return failures ? fleet["failures"]["interruptions"].get<long long>() : 0;
}

/** Runs data/mixed.yaml under every policy `fleetsim policies` lists, with `extra` arguments,
    and checks the books of each run. */
/** Returns the failure interruptions summed over the policies. */
long long check_every_policy(const std::vector<std::string>& extra,
                             const FastOwned& fast_owned = {}) {
    long long interruptions = 0;
    {
        // Every policy the binary registers, so that a new one (a preemptive one especially) is
        // checked the day it lands. Parameters are given only where a policy requires them; a
        // new policy with required parameters fails here until it is given some.
        const std::map<std::string, std::vector<std::string>> params = {
            // las (on branch policies) preempts only past its first threshold: 2 GPU-h instead
            // of 1,000 makes it preempt dozens of times here.
            {"las", {"--set", "policy.params={first_threshold_gpu_h: 2}"}},
            // spare-nodes keeps a node per pool free of services and 1-GPU jobs.
            {"spare-nodes", {"--set", "policy.params={large_gang_gpus: 2, spare_nodes: 1}"}},
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
        // mixed-matrix.yaml: the same with a throughput matrix (speeds differ by class).
        for (const char* file : {"mixed.yaml", "mixed-matrix.yaml"}) {
            for (const auto& name : names) {
                CAPTURE(file);
                CAPTURE(name);
                TempDir tmp("conservation");
                std::vector<std::string> args = {
                    "run",
                    source_path(std::string("tests/scenarios/data/") + file),
                    "--out",
                    tmp / "out",
                    "-q",
                    "--set",
                    "policy.name=" + name};
                if (params.count(name))
                    args.insert(args.end(), params.at(name).begin(), params.at(name).end());
                // reserved refuses a failure model and a fleet that changes over time (exit 2,
                // policies/reserved.cpp; fleet_changes_test.cpp checks the refusal).
                if (!extra.empty() && name == "reserved")
                    continue;
                args.insert(args.end(), extra.begin(), extra.end());
                auto r = run_fleetsim(args);
                INFO(r.err);
                REQUIRE(r.exit_code == 0);
                interruptions += check_conservation(tmp / "out", fast_owned);
            }
        }
    }
    return interruptions;
}

}  // namespace

TEST_SUITE("conservation") {
    TEST_CASE("the books balance under every registered policy, with services and batch") {
        check_every_policy({});
    }

    TEST_CASE("the books balance on a fleet that changes over time under every policy") {
        // Pool fast comes online at 10 h and retires at 36 h of the 48: capacity is the owned
        // GPU-hours, 16 x 48 + 8 x 26, and busy + idle adds up to it under every policy.
        check_every_policy({"--set", "platform.pools.fast.online_at_s=36000", "--set",
                            "platform.pools.fast.retire_at_s=129600"},
                           FastOwned{36000, 129600});
    }

    TEST_CASE("the books balance with failures on under every registered policy") {
        // About 15 failures in two days: GPU failures of both types (the reference GPUs' repair
        // times drawn), node and rack failures of pool slow, and a maintenance window on fast.
        // Jobs were interrupted (a run under one policy may see none: its jobs need not be where
        // the failures strike).
        CHECK(
            check_every_policy(
                {"--set",
                 "platform.failures={gpu_types: {ref: {mtbf_h: 150, repair_s: {dist: exponential, "
                 "mean: 7200}}, fast: {mtbf_h: 150, repair_s: 3600}}, pools: {slow: {node: "
                 "{mtbf_h: "
                 "100, repair_s: 5400}, rack: {mtbf_h: 300, repair_s: 3600}}}, maintenance: "
                 "[{pool: "
                 "fast, start_s: 90000, duration_s: 7200}]}"}) > 0);
    }
}
