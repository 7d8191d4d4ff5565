// The hindsight bound is an upper bound: on every shipped scenario, no registered policy earns
// more revenue than `fleetsim bound` says was possible from the same demand (same seed).
#include "tests/support/results.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

using namespace fleetsim::test;
using nlohmann::json;

namespace {

/** Every registered policy, from the binary itself (new policies are covered by default). */
std::vector<std::string> registered_policies() {
    auto r = run_fleetsim({"policies", "--markdown"});
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> names;
    const std::regex heading("^### `([a-z0-9-]+)`$");
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_match(line, m, heading))
            names.push_back(m[1]);
    }
    return names;
}

/** Every policy's revenue on `scenario` (a shipped scenario's name, a path from the source
    root ending in .yaml, or empty: the built-in default) against its bound. */
void check_bound(const std::string& scenario, const std::vector<std::string>& refusing = {}) {
    TempDir tmp("bound");
    const std::string file =
        scenario.ends_with(".yaml") ? scenario : "scenarios/" + scenario + ".yaml";
    std::vector<std::string> base = {"run"};
    if (!scenario.empty())
        base.push_back(source_path(file));
    std::vector<std::string> bound_args = {"bound", "--out", tmp / "bound", "-q"};
    if (!scenario.empty())
        bound_args.insert(bound_args.begin() + 1, source_path(file));
    auto b = run_fleetsim(bound_args);
    INFO(b.err);
    REQUIRE(b.exit_code == 0);
    const json bound = read_json(tmp / "bound/bound.json");
    const double limit = bound["revenue_usd"].get<double>();
    REQUIRE(limit > 0);
    // static-partition needs shares: equal ones when the scenario does not give its own.
    std::string equal_shares;
    for (const auto& [name, c] : bound["classes"].items()) {
        equal_shares += (equal_shares.empty() ? "" : ", ") + name + ": " +
                        std::to_string(0.999 / static_cast<double>(bound["classes"].size()));
    }
    auto revenue_of = [&](const std::string& tag, const std::vector<std::string>& extra) {
        std::vector<std::string> args = base;
        args.insert(args.end(), {"--out", tmp / tag, "-q"});
        args.insert(args.end(), extra.begin(), extra.end());
        auto r = run_fleetsim(args);
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        return read_json(tmp / (tag + "/summary.json"));
    };
    // The scenario's own policy with its own parameters, then every other one with defaults.
    const json own = revenue_of("own", {});
    CHECK(own["totals"]["revenue_usd"].get<double>() <= limit * (1 + 1e-9));
    for (const auto& policy : registered_policies()) {
        if (policy == own["policy"])
            continue;
        CAPTURE(policy);
        if (std::find(refusing.begin(), refusing.end(), policy) != refusing.end()) {
            // A policy that refuses the scenario up front (reserved: a fleet that changes over
            // time) must do so with exit 2, not earn anything.
            auto r = run_fleetsim({"run", source_path(file), "--out", tmp / policy, "-q", "--set",
                                   "policy.name=" + policy, "--set", "policy.params={}"});
            CHECK(r.exit_code == 2);
            continue;
        }
        const std::string params = policy == "static-partition"
                                       ? "policy.params={shares: {" + equal_shares + "}}"
                                       : "policy.params={}";
        const json s = revenue_of(policy, {"--set", "policy.name=" + policy, "--set", params});
        const double revenue = s["totals"]["revenue_usd"].get<double>();
        CHECK(revenue > 0);
        CHECK(revenue <= limit * (1 + 1e-9));
    }
}

}  // namespace

TEST_SUITE("hindsight-bound") {
    TEST_CASE("no policy beats the bound: default") {
        check_bound("");
    }
    TEST_CASE("no policy beats the bound: sora-2025") {
        check_bound("sora-2025");
    }
    TEST_CASE("no policy beats the bound: kling-vertical") {
        check_bound("kling-vertical");
    }
    TEST_CASE("no policy beats the bound: cost-collapse") {
        check_bound("cost-collapse");
    }
    TEST_CASE("no policy beats the bound: energy-shock") {
        check_bound("energy-shock");
    }
    // Two GPU types and a throughput matrix: speeds differ by class on the same GPU.
    TEST_CASE("no policy beats the bound: a mixed fleet with a throughput matrix") {
        check_bound("tests/scenarios/data/mixed-matrix.yaml");
    }
    TEST_CASE("no policy beats the bound: a100-tail") {
        check_bound("a100-tail");
    }
    // B200s that come online on day 3.5: the bound's capacity is what each pool owned.
    TEST_CASE("no policy beats the bound: b200-arrives") {
        check_bound("b200-arrives", {"reserved"});
    }
    TEST_CASE("no policy beats the bound: the mixed fleet changing over time") {
        check_bound("tests/scenarios/data/mixed-changing.yaml", {"reserved"});
    }

    TEST_CASE("run --bound reports the fraction of the bound a run reached") {
        TempDir tmp("run-bound");
        auto r = run_fleetsim({"run", source_path("scenarios/sora-2025.yaml"), "--bound", "--out",
                               tmp / "out", "-q"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const json s = read_json(tmp / "out/summary.json");
        const json b = read_json(tmp / "out/bound.json");
        CHECK(s["bound"]["revenue_usd"].get<double>() == b["revenue_usd"].get<double>());
        CHECK(s["bound"]["revenue_fraction"].get<double>() ==
              doctest::Approx(s["totals"]["revenue_usd"].get<double>() /
                              b["revenue_usd"].get<double>()));
        CHECK(b["relaxes"].size() >= 3);
    }
}
