// The config reader (sim/config): every problem as file:line:col with the dotted key and the
// nearest valid key, defaults applied only where the docs say so, and --set overrides applied
// to the YAML tree before the same checks.
#include "sim/config/scenario_loader.hpp"
#include "sim/config/yaml_reader.hpp"
#include "tests/support/specs.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;
using namespace fleetsim::test;

namespace {

const std::string kWorkload =
    "workload:\n"
    "  name: w\n"
    "  classes:\n"
    "    train: {family: llm, kind: batch, arrival_rate_per_h: 1, gpus: 8, duration_s: 60, "
    "value_usd_per_gpu_h: 2}\n";

std::string scenario_yaml(const std::string& extra = "horizon_s: 3600\nseed: 1\n") {
    return "name: t\n" + small_platform_yaml() + kWorkload + "policy: fifo\n" + extra;
}

/** The first InputError that loading `yaml` throws. */
InputError load_error(const std::string& yaml, const std::vector<Override>& overrides = {}) {
    TempDir dir("config");
    try {
        load_yaml_scenario(dir, yaml, overrides);
    } catch (const InputError& e) {
        return e;
    }
    FAIL("no InputError");
    return InputError({}, "", "");
}

}  // namespace

TEST_SUITE("config") {
    TEST_CASE("a valid scenario loads, with the documented defaults") {
        TempDir dir("config");
        const ScenarioSpec s = load_yaml_scenario(dir, scenario_yaml());
        CHECK(s.name == "t");
        CHECK(s.tick_s == 300);
        CHECK(s.output.dir == "results/t");
        CHECK(s.output.timeseries_interval_s == 3600);
        CHECK(s.output.jobs_csv);
        CHECK_FALSE(s.energy_plugin);
        REQUIRE(s.platform.pools.size() == 2);
        CHECK(s.platform.pools[0].nodes_per_rack == 1);
        CHECK(s.platform.pools[0].intra_node_gbps == 900);
        CHECK(s.platform.pools[0].inter_node_gbps == 400);
        CHECK(s.platform.sites[0].subsidy_usd_per_gpu_h == 0);
        REQUIRE(s.workload.classes.size() == 1);
        const BatchSpec& b = s.workload.classes[0].batch;
        CHECK(b.work_is_duration);
        CHECK_FALSE(b.preemptible);
        CHECK(b.max_jobs == -1);
        CHECK(s.policy.name == "fifo");
    }

    TEST_CASE("an unknown key is reported at its line with the nearest valid key") {
        const InputError e = load_error(scenario_yaml("horizon_s: 3600\nseed: 1\ntick: 60\n"));
        CHECK(e.where().file.find("scenario.yaml") != std::string::npos);
        CHECK(e.where().line == 20);  // name, 11 platform, 4 workload, policy, horizon, seed
        CHECK(e.where().column == 1);
        CHECK(e.key() == "tick");
        CHECK(e.message() == "unknown key 'tick', did you mean 'tick_s'?");
        CHECK(std::string(e.what()).find("scenario.yaml:20:1: unknown key 'tick'") !=
              std::string::npos);
    }

    TEST_CASE("a wrong type or an out-of-range value says what was expected and found") {
        const InputError e = load_error(scenario_yaml("horizon_s: -5\nseed: 1\n"));
        CHECK(e.key() == "horizon_s");
        CHECK(e.where().line == 18);
        CHECK(e.message() == "expected a positive number, found '-5'");
        const InputError g = load_error(
            scenario_yaml() + "output: {timeseries_interval_s: 450}\n");  // not a multiple of 300
        CHECK(g.key() == "output.timeseries_interval_s");
        CHECK(g.message().find("whole multiple of tick_s") != std::string::npos);
    }

    TEST_CASE("errors in a platform file name that file, not the scenario") {
        TempDir dir("config");
        write_file(dir / "p.yaml",
                   "name: p\n"
                   "gpu_types:\n"
                   "  ref: {dense_bf16_tflops: 1000, memory_gb: 80, power_idle_w: 100, "
                   "power_busy_w: 50, capex_usd: 1, amortization_years: 4}\n"
                   "sites: {s: {energy_usd_per_kwh: 0.1, pue: 1.2}}\n"
                   "pools: {p: {site: s, gpu_type: ref, nodes: 1, gpus_per_node: 8}}\n");
        try {
            load_yaml_scenario(dir, "name: t\nplatform: p.yaml\n" + kWorkload +
                                        "policy: fifo\nhorizon_s: 60\nseed: 1\n");
            FAIL("no error");
        } catch (const InputError& e) {
            CHECK(e.where().file == dir / "p.yaml");
            CHECK(e.where().line == 3);
            CHECK(e.key() == "platform.gpu_types.ref.power_busy_w");
            CHECK(e.message().find("power_busy_w >= power_idle_w") != std::string::npos);
        }
    }

    TEST_CASE("collect-all mode (validate) reports every problem in one pass") {
        TempDir dir("config");
        write_file(dir / "s.yaml", scenario_yaml("horizon_s: 0\nseed: -1\ncolour: red\n"));
        Diagnostics all(/*collect_all=*/true);
        try {
            load_scenario(dir / "s.yaml", {}, all);
            FAIL("no error");
        } catch (const InputErrors& e) {
            std::vector<std::string> keys;
            for (const auto& err : e.errors())
                keys.push_back(err.key());
            CHECK(keys == std::vector<std::string>{"colour", "horizon_s", "seed"});
        }
    }

    TEST_CASE("nearest_name suggests only close names") {
        const std::vector<std::string> keys = {"horizon_s", "seed", "tick_s", "output"};
        CHECK(nearest_name("horizon", keys) == "horizon_s");
        CHECK(nearest_name("sed", keys) == "seed");
        CHECK(nearest_name("outptu", keys) == "output");
        CHECK(nearest_name("platform", keys) == "");
    }

    TEST_CASE("--set overrides change the value, pass the same checks, and name the --set") {
        CHECK(parse_override("a.b=c=d").key == "a.b");
        CHECK(parse_override("a.b=c=d").value == "c=d");
        CHECK_THROWS_AS(parse_override("a.b"), InputError);
        CHECK_THROWS_AS(parse_override("=1"), InputError);

        TempDir dir("config");
        const ScenarioSpec s =
            load_yaml_scenario(dir, scenario_yaml(),
                               {{"platform.pools.slow.nodes", "5"},
                                {"workload.classes.train.gpus", "{dist: uniform, low: 1, high: 3}"},
                                {"seed", "9"},
                                {"output.dir", "elsewhere"},  // the file has no output: section
                                {"engine.energy_plugin", "true"}});
        CHECK(s.platform.pools[0].nodes == 5);
        CHECK(s.workload.classes[0].batch.gpus.shape == DistributionSpec::Shape::uniform);
        CHECK(s.seed == 9);
        CHECK(s.output.dir == "elsewhere");
        CHECK(s.energy_plugin);
        CHECK(s.resolved_yaml.find("nodes: 5") != std::string::npos);

        const InputError bad = load_error(scenario_yaml(), {{"platform.pools.slow.nodes", "-2"}});
        CHECK(bad.where().file == "<command line: --set platform.pools.slow.nodes=-2>");
        CHECK(bad.key() == "platform.pools.slow.nodes");
        CHECK(bad.message() == "expected a positive integer, found '-2'");

        const InputError path = load_error(scenario_yaml(), {{"platform.pools.slwo.nodes", "2"}});
        CHECK(path.message() == "no key 'slwo' under 'pools', did you mean 'slow'?");
        // A misspelt class is not created: it stays an error.
        const InputError cls = load_error(scenario_yaml(), {{"workload.classes.trian.gpus", "2"}});
        CHECK(cls.message().find("did you mean 'train'?") != std::string::npos);
        // A new key at a known level is read by the same MapReader checks.
        const InputError unknown = load_error(scenario_yaml(), {{"horizon", "2"}});
        CHECK(unknown.message() == "unknown key 'horizon', did you mean 'horizon_s'?");
    }

    TEST_CASE("malformed YAML and missing files are input errors with a position") {
        const InputError e = load_error("name: t\nseed: [1\n");
        CHECK(e.message().find("malformed YAML") != std::string::npos);
        CHECK(e.where().line == 3);  // noticed at the end of the text
        CHECK(e.key() == "seed");
        Diagnostics d;
        CHECK_THROWS_AS(load_scenario("/nonexistent/s.yaml", {}, d), InputError);
    }

    TEST_CASE("key_before: the key read last before a parse error, parents by indentation") {
        const std::string text =
            "fleet:\n  pools:\n    - name: a\n      gpus: [8\n  racks: 2\ntop: 1\n";
        CHECK(key_before(text, 4, 2).path == "fleet.pools.gpus");
        CHECK(key_before(text, 4, 2).line == 4);
        // On the error's own line only the text before the column counts.
        CHECK(key_before(text, 4, 9).path == "fleet.racks");
        CHECK(key_before(text, 5, 0).path == "fleet.racks");
        CHECK(key_before(text, 5, 5).path == "top");
        CHECK(key_before("[1, 2\n", 1, 0).line == 0);
        CHECK(key_before("# a: b\n  : x\n", 1, 3).path.empty());
    }

    TEST_CASE("MapReader: exactly_one_of, required keys and ranges") {
        Diagnostics d(/*collect_all=*/true);
        YamlValue v(load_yaml_text("{a: 1, b: 2, f: 1.5}", "x.yaml"), "x.yaml", "m", &d, nullptr);
        MapReader m(v, {"a", "b", "c", "f"});
        CHECK(m.ok());
        CHECK(m.exactly_one_of({"a", "b"}) == "a");
        CHECK(m.number_or("c", 7) == 7);
        CHECK(m.number_or("f", 0, Range::fraction) == 0);  // 1.5 is not in (0, 1]: reported
        REQUIRE(d.errors().size() == 2);
        CHECK(d.errors()[0].message().find("expected only one of the keys") != std::string::npos);
        CHECK(d.errors()[1].key() == "m.f");
        CHECK(d.errors()[1].message() == "expected a fraction in (0, 1], found '1.5'");
    }
}
