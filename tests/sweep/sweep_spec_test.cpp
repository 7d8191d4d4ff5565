// The sweep file and the helpers around it, in-process (no simulation runs here).
#include "sim/sweep/sweep_spec.hpp"

#include "sim/config/input_error.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/progress.hpp"
#include "sim/sweep/sweep_run.hpp"
#include "tests/sweep/sweep_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

using namespace fleetsim;
using namespace fleetsim::sweep;
using namespace fleetsim::test;

namespace {

std::string text_of(const SweptValue& v) {
    return v.override_text;
}

/** The InputError message of loading a sweep file, or "" when it loads. */
std::string load_error(const std::string& path) {
    try {
        load_sweep(path);
    } catch (const InputError& e) {
        return e.what();
    } catch (const InputErrors& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_SUITE("sweep file") {
    TEST_CASE("blocks multiply, first outermost, replications innermost with seed + r") {
        TempDir tmp("sweep-grid");
        auto path = write_sweep(tmp, "g", R"(seed: 40
replications: 2
vary:
  - grid:
      workload.classes.video-gen.price_usd_per_unit: [0.01, 0.1, 1]
      platform.pools.h100-a.nodes: [256, 512]
  - zip:
      policy.name: [static-partition, fifo]
      policy.params: [{shares: {chat: 0.4, coding: 0.15, llm-training: 0.3, video-gen: 0.1, video-training: 0.05}}, {}]
)");
        const SweepPlan plan = load_sweep(path);
        REQUIRE(plan.keys == std::vector<std::string>{
                                 "workload.classes.video-gen.price_usd_per_unit",
                                 "platform.pools.h100-a.nodes", "policy.name", "policy.params"});
        REQUIRE(plan.points.size() == 3 * 2 * 2 * 2);
        for (std::size_t i = 0; i < plan.points.size(); ++i)
            CHECK(plan.points[i].id == static_cast<long long>(i));
        const auto& p = plan.points;
        // id = ((price * 2 + nodes) * 2 + policy) * 2 + replication
        CHECK(text_of(p[0].values[0]) == "0.01");
        CHECK(text_of(p[0].values[1]) == "256");
        CHECK(text_of(p[0].values[2]) == "static-partition");
        CHECK(p[0].seed == 40);
        CHECK(p[1].seed == 41);
        CHECK(p[1].replication == 1);
        CHECK(text_of(p[2].values[2]) == "fifo");
        CHECK(text_of(p[2].values[3]) == "{}");
        CHECK(text_of(p[4].values[1]) == "512");
        CHECK(text_of(p[8].values[0]) == "0.1");
        CHECK(text_of(p[23].values[0]) == "1");
        CHECK(p[0].values[1].kind == SweptValue::Kind::integer);
        CHECK(p[0].values[0].kind == SweptValue::Kind::real);
        CHECK(p[0].values[2].kind == SweptValue::Kind::text);
        // A mapping value is passed whole, in flow style, and zipped values stay together.
        CHECK(text_of(p[0].values[3]).find("shares: {chat: 0.4") != std::string::npos);
        // Point keys differ wherever a value or the seed differs.
        std::set<std::string> keys;
        for (const auto& point : p)
            keys.insert(point.point_key);
        CHECK(keys.size() == p.size());
        // The overrides of a point: set first, then the swept keys, then the seed.
        auto o = plan.overrides(p[3]);
        REQUIRE(o.size() == 2 + 4 + 1);
        CHECK(o[0].key == "horizon_s");
        CHECK(o[2].key == "workload.classes.video-gen.price_usd_per_unit");
        CHECK(o[6].key == "seed");
        CHECK(o[6].value == "41");
    }

    TEST_CASE("ranges are evenly spaced, linearly or in log space, and seeds can be listed") {
        TempDir tmp("sweep-range");
        auto path = write_sweep(tmp, "r", R"(seeds: [7, 3]
vary:
  - grid:
      workload.classes.video-gen.price_usd_per_unit: {from: 0.01, to: 1, count: 3, scale: log}
      workload.classes.video-gen.gpu_s_per_unit: {from: 10, to: 20, count: 3}
      platform.pools.h100-a.nodes: {from: 100, to: 200, count: 4, integer: true}
)");
        const SweepPlan plan = load_sweep(path);
        REQUIRE(plan.points.size() == 3 * 3 * 4 * 2);
        std::vector<std::string> prices, gpu_s, nodes;
        for (const auto& p : plan.points) {
            if (std::find(prices.begin(), prices.end(), p.values[0].override_text) == prices.end())
                prices.push_back(p.values[0].override_text);
            if (std::find(gpu_s.begin(), gpu_s.end(), p.values[1].override_text) == gpu_s.end())
                gpu_s.push_back(p.values[1].override_text);
            if (std::find(nodes.begin(), nodes.end(), p.values[2].override_text) == nodes.end())
                nodes.push_back(p.values[2].override_text);
        }
        CHECK(prices == std::vector<std::string>{"0.01", "0.1", "1"});
        CHECK(gpu_s == std::vector<std::string>{"10", "15", "20"});
        CHECK(nodes == std::vector<std::string>{"100", "133", "167", "200"});
        CHECK(plan.points[0].seed == 7);
        CHECK(plan.points[1].seed == 3);
        CHECK(plan.points[1].replication == 1);
    }

    TEST_CASE("generated numbers keep the significant digits asked for") {
        TempDir tmp("sweep-digits");
        auto path = write_sweep(tmp, "d", R"(vary:
  - grid:
      workload.classes.video-gen.gpu_s_per_unit: {from: 5, to: 350, count: 10, scale: log, digits: 2}
      workload.classes.video-gen.price_usd_per_unit: {from: 0.1, to: 0.3, count: 3}
)");
        const SweepPlan plan = load_sweep(path);
        std::vector<std::string> gpu_s;
        for (std::size_t i = 0; i < plan.points.size(); i += 3)
            gpu_s.push_back(plan.points[i].values[0].override_text);
        CHECK(gpu_s == std::vector<std::string>{"5", "8", "13", "21", "33", "53", "85", "140",
                                                "220", "350"});
        // 12 digits by default: 0.1 + 0.1 is 0.2, not 0.20000000000000001.
        CHECK(plan.points[1].values[1].override_text == "0.2");
        CHECK(load_error(write_sweep(tmp, "bad", R"(vary:
  - grid:
      tick_s: {from: 5, to: 350, count: 10, digits: 18}
)"))
                  .find("at most 17 digits") != std::string::npos);
    }

    TEST_CASE("the ready sweep maps video price x compute x policy in 300 points") {
        const SweepPlan plan = load_sweep(source_path("scenarios/sweeps/video-vs-llm.yaml"));
        REQUIRE(plan.keys ==
                std::vector<std::string>{"workload.classes.video-gen.price_usd_per_unit",
                                         "workload.classes.video-gen.gpu_s_per_unit", "policy.name",
                                         "policy.params"});
        CHECK(plan.points.size() == 300);
        std::set<std::string> prices, gpu_s, policies;
        for (const auto& p : plan.points) {
            prices.insert(p.values[0].override_text);
            gpu_s.insert(p.values[1].override_text);
            policies.insert(p.values[2].override_text);
        }
        CHECK(prices.size() == 10);
        CHECK(gpu_s.size() == 10);
        CHECK(policies == std::set<std::string>{"fifo", "revenue-greedy", "static-partition"});
    }

    TEST_CASE("the ready sweep of profit against video price has four policies over 5 seeds") {
        const SweepPlan plan = load_sweep(source_path("scenarios/sweeps/video-price-seeds.yaml"));
        CHECK(plan.points.size() == 160);
        std::set<std::string> prices, policies;
        std::set<long long> seeds;
        for (const auto& p : plan.points) {
            prices.insert(p.values[0].override_text);
            policies.insert(p.values[1].override_text);
            seeds.insert(static_cast<long long>(p.seed));
        }
        CHECK(prices.size() == 8);
        CHECK(policies == std::set<std::string>{"fifo", "opportunity-cost", "revenue-greedy",
                                                "static-partition"});
        CHECK(seeds.size() == 5);
        // The baseline is the fixed split (the first policy), its parameters following it.
        CHECK(plan.analysis.baseline ==
              std::map<std::size_t, std::string>{{1, "static-partition"}});
        CHECK(plan.analysis.baseline_follows == std::vector<std::size_t>{2});
    }

    TEST_CASE("a Latin hypercube uses every stratum of every key exactly once") {
        TempDir tmp("sweep-lhs");
        auto path = write_sweep(tmp, "l", R"(vary:
  - sample:
      method: latin-hypercube
      count: 20
      seed: 5
      keys:
        workload.classes.video-gen.price_usd_per_unit: {low: 0.02, high: 0.5}
        workload.classes.video-gen.gpu_s_per_unit: {low: 5, high: 350, scale: log}
        platform.pools.h100-a.nodes: {low: 100, high: 119, integer: true}
)");
        const SweepPlan plan = load_sweep(path);
        REQUIRE(plan.points.size() == 20);
        std::set<int> linear_strata, log_strata;
        std::set<long long> nodes;
        for (const auto& p : plan.points) {
            const double price = p.values[0].real;
            const double gpu_s = p.values[1].real;
            REQUIRE(price > 0.02);
            REQUIRE(price < 0.5);
            linear_strata.insert(static_cast<int>((price - 0.02) / (0.48 / 20)));
            log_strata.insert(static_cast<int>(std::log(gpu_s / 5) / (std::log(350.0 / 5) / 20)));
            nodes.insert(p.values[2].integer);
        }
        CHECK(linear_strata.size() == 20);
        CHECK(log_strata.size() == 20);
        // 20 integers in [100, 119], one per stratum: every one of them once.
        CHECK(nodes.size() == 20);
        // Same file, same draws; another seed, other draws.
        const SweepPlan again = load_sweep(path);
        CHECK(again.fingerprint == plan.fingerprint);
        CHECK(again.points[7].values[0].real == plan.points[7].values[0].real);
        auto other = write_sweep(tmp, "l2", R"(vary:
  - sample:
      method: latin-hypercube
      count: 20
      seed: 6
      keys:
        workload.classes.video-gen.price_usd_per_unit: {low: 0.02, high: 0.5}
)");
        CHECK(load_sweep(other).points[0].values[0].real != plan.points[0].values[0].real);
    }

    TEST_CASE("random samples stay in range and pick listed values") {
        TempDir tmp("sweep-random");
        auto path = write_sweep(tmp, "rnd", R"(vary:
  - sample:
      method: random
      count: 200
      keys:
        workload.classes.video-gen.price_usd_per_unit: {low: 0.02, high: 0.5}
        policy.name: {values: [fifo, revenue-greedy]}
)");
        const SweepPlan plan = load_sweep(path);
        REQUIRE(plan.points.size() == 200);
        int fifo = 0;
        double sum = 0;
        for (const auto& p : plan.points) {
            REQUIRE(p.values[0].real >= 0.02);
            REQUIRE(p.values[0].real <= 0.5);
            sum += p.values[0].real;
            fifo += p.values[1].text == "fifo";
            REQUIRE((p.values[1].text == "fifo" || p.values[1].text == "revenue-greedy"));
        }
        // Uniform: mean 0.26 with a standard error of 0.0098; both values appear often.
        CHECK(std::fabs(sum / 200 - 0.26) < 0.04);
        CHECK(fifo > 60);
        CHECK(fifo < 140);
    }

    TEST_CASE("changes to the sweep or its base change the fingerprint") {
        TempDir tmp("sweep-fingerprint");
        const std::string body =
            "vary:\n  - grid:\n      platform.pools.h100-a.nodes: [256, 512]\n";
        const std::string a = load_sweep(write_sweep(tmp, "a", body)).fingerprint;
        CHECK(load_sweep(write_sweep(tmp, "a", "# a comment\n" + body)).fingerprint == a);
        CHECK(load_sweep(
                  write_sweep(tmp, "a",
                              "vary:\n  - grid:\n      platform.pools.h100-a.nodes: [256, 511]\n"))
                  .fingerprint != a);
        CHECK(load_sweep(write_sweep(tmp, "a", body + "replications: 2\n")).fingerprint != a);
        CHECK(load_sweep(write_sweep(tmp, "a", "seed: 9\n" + body)).fingerprint != a);
    }

    TEST_CASE("bad sweep files name the file, the line and the key") {
        TempDir tmp("sweep-errors");
        struct Case {
            std::string body, expected;
        };
        const std::vector<Case> cases = {
            {"vary:\n  - grid:\n      workload.clases.chat.price_usd_per_unit: [1]\n",
             "r.yaml:8:48: the base scenario"},
            {"vary:\n  - grid:\n      workload.clases.chat.price_usd_per_unit: [1]\n",
             "did you mean 'classes'"},
            {"vary:\n  - zip:\n      platform.pools.h100-a.nodes: [1, 2]\n      tick_s: [1]\n",
             "r.yaml:9:15: expected 2 values"},
            {"vary:\n  - grid:\n      seed: [1, 2]\n", "r.yaml:8:13: the seed is set by"},
            {"vary:\n  - grid:\n      policy: [{name: fifo}]\n      policy.name: [fifo]\n",
             "overlaps the swept key 'policy'"},
            {"vary:\n  - grid:\n      tick_s: [1]\n  - grid:\n      tick_s: [2]\n",
             "r.yaml:10:15: key 'tick_s' is already named at line 8"},
            {"vary:\n  - grid:\n      horizon_s: [1]\n",
             "r.yaml:8:18: key 'horizon_s' is already named at line 4"},
            {"replicatons: 2\n",
             "r.yaml:6:1: unknown key 'replicatons', did you mean 'replications'"},
            {"vary:\n  - grid:\n      tick_s: []\n", "expected at least one value"},
            {"vary:\n  - sample: {method: sobol, count: 3, keys: {horizon_s: {low: 1, high: 2}}}\n",
             "expected one of random, latin-hypercube"},
            {"vary:\n  - grid:\n      tick_s: {from: 1, to: 2}\n", "missing"},
            {"replications: 0\n", "r.yaml:6:15: expected a positive integer"},
        };
        for (const auto& c : cases) {
            CAPTURE(c.body);
            const std::string err = load_error(write_sweep(tmp, "r", c.body));
            CAPTURE(err);
            CHECK(err.find(c.expected) != std::string::npos);
        }
        // A bad `set` value is reported where the sweep file wrote it.
        write_file(tmp / "s.yaml", "name: s\nbase: " + source_path("scenarios/default.yaml") +
                                       "\nset:\n  horizon_s: -5\n");
        const std::string err = load_error(tmp / "s.yaml");
        CAPTURE(err);
        CHECK(err.find("s.yaml:4:14:") != std::string::npos);
        CHECK(err.find("horizon_s") != std::string::npos);
        // A base that is not there is reported at the sweep file's `base` line.
        write_file(tmp / "b.yaml", "name: b\nbase: no-such.yaml\n");
        const std::string missing = load_error(tmp / "b.yaml");
        CAPTURE(missing);
        CHECK(missing.find("b.yaml:2:7: expected a scenario file, found no file " +
                           (tmp / "no-such.yaml")) != std::string::npos);
        CHECK(missing.find("(key 'base')") != std::string::npos);
    }

    TEST_CASE("docs/sweeps.md's table of the sweep file lists exactly the keys it accepts") {
        std::istringstream doc(read_file(source_path("docs/sweeps.md")));
        std::string line;
        std::vector<std::string> listed;
        bool in_table = false;
        while (std::getline(doc, line)) {
            if (line == "| key | meaning |")
                in_table = true;
            else if (in_table && line.rfind("| `", 0) == 0)
                listed.push_back(line.substr(3, line.find('`', 3) - 3));
            else if (in_table && line.rfind("|---", 0) != 0)
                break;
        }
        CHECK(listed == sweep_file_keys());
    }
}

TEST_SUITE("sweep helpers") {
    TEST_CASE("shards split the points and every point has exactly one owner") {
        CHECK(parse_shard("").count == 1);
        const Shard s = parse_shard("2/5");
        CHECK(s.index == 2);
        CHECK(s.count == 5);
        for (long long id = 0; id < 50; ++id) {
            int owners = 0;
            for (int i = 0; i < 5; ++i)
                owners += parse_shard(std::to_string(i) + "/5").owns(id);
            CHECK(owners == 1);
        }
        for (const char* bad : {"5/5", "1", "a/2", "1/0", "-1/2", "1/2x"})
            CHECK_THROWS_AS(parse_shard(bad), InputError);
    }

    TEST_CASE("a point's outcome travels as JSON unchanged") {
        PointOutcome o;
        o.point_id = 12;
        o.status = PointOutcome::Status::done;
        o.exit_code = 0;
        o.wall_s = 0.25;
        o.totals = {{"total_revenue_usd", 1.5}, {"fleet_utilization", 0.75}};
        o.rows = {{"chat", "llm", "1.0000000000000002", ""}};
        const PointOutcome back = PointOutcome::from_json(o.to_json());
        CHECK(back.point_id == 12);
        CHECK(back.status == PointOutcome::Status::done);
        CHECK(back.exit_code == 0);
        CHECK(back.wall_s == 0.25);
        CHECK(back.totals == o.totals);
        CHECK(back.rows == o.rows);
        PointOutcome f;
        f.point_id = 3;
        f.error = "fleetsim: bad";
        const PointOutcome fb = PointOutcome::from_json(f.to_json());
        CHECK(fb.status == PointOutcome::Status::failed);
        CHECK(!fb.exit_code);
        CHECK(fb.error == "fleetsim: bad");
    }

    TEST_CASE("the progress line shows done, failed, rate and time left") {
        const std::string line = Progress::format_line(25, 2, 100, 10.0, 20);
        CHECK(line == "[#####...............] 25/100 points, 2 failed, 2.5 points/s, ETA 0:30");
        CHECK(Progress::format_line(100, 0, 100, 50.0, 4) ==
              "[####] 100/100 points, 0 failed, 2.0 points/s, ETA 0:00");
        CHECK(Progress::format_line(0, 0, 10, 0.0, 4).find("ETA --:--") != std::string::npos);
    }
}
