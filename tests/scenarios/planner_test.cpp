// The planner's tools through the binary (docs/planning.md): a class switched off, a scenario
// scaled as a whole, runs compared side by side, and a break-even found by bisection.
#include "tests/support/results.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

using namespace fleetsim::test;

namespace {

std::vector<std::string> run_mixed(const std::string& out, const std::vector<std::string>& sets) {
    return quiet_run_args("tests/scenarios/data/mixed.yaml", out, sets);
}

/** classes.csv by class name. */
std::map<std::string, CsvRow> classes_of(const std::string& dir) {
    std::map<std::string, CsvRow> out;
    for (auto& row : parse_csv(read_file(dir + "/classes.csv")))
        out[row.at("class")] = row;
    return out;
}

}  // namespace

TEST_SUITE("planner") {
    TEST_CASE("enabled: false keeps the class's row with no demand, and the others run on") {
        TempDir tmp("planner-enabled");
        auto r =
            run_fleetsim(run_mixed(tmp / "off", {"workload.classes.video-gen.enabled=false",
                                                 "workload.classes.video-training.enabled=false"}));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto s = read_summary(tmp / "off");
        for (const char* c : {"video-gen", "video-training"}) {
            CAPTURE(c);
            CHECK(s["classes"][c]["demand_units"] == 0);
            CHECK(s["classes"][c]["gpu_h"] == 0);
            CHECK(s["classes"][c]["revenue_usd"] == 0);
            CHECK(s["classes"][c]["jobs_submitted"] == 0);
        }
        CHECK(s["classes"]["chat"]["demand_units"].get<double>() > 0);
        CHECK(s["classes"]["llm-training"]["jobs_submitted"].get<double>() > 0);
        // Not a boolean: refused with the key.
        auto bad = run_fleetsim(run_mixed(tmp / "bad", {"workload.classes.chat.enabled=maybe"}));
        CHECK(bad.exit_code == 2);
        CHECK(bad.err.find("workload.classes.chat.enabled") != std::string::npos);
    }

    TEST_CASE("--scale 2 doubles the nodes and every demand and arrival rate") {
        // mixed.yaml's batch classes arrive at a constant rate: at twice the rate the same
        // random draws fall at exactly half the times (the gaps are halved, which is exact in
        // floating point), so 48 h at scale 2 submit the jobs 96 h at scale 1 submit.
        TempDir tmp("planner-scale");
        auto one = run_fleetsim(run_mixed(tmp / "one", {}));
        auto two = run_fleetsim({"run", source_path("tests/scenarios/data/mixed.yaml"), "--out",
                                 tmp / "two", "-q", "--no-report", "--scale", "2"});
        auto long_one = run_fleetsim(run_mixed(tmp / "long", {"horizon_s=345600"}));
        INFO(two.err);
        REQUIRE(one.exit_code == 0);
        REQUIRE(two.exit_code == 0);
        REQUIRE(long_one.exit_code == 0);
        const auto a = read_summary(tmp / "one"), b = read_summary(tmp / "two"),
                   l = read_summary(tmp / "long");
        CHECK(b["fleet"]["gpus"] == 2 * a["fleet"]["gpus"].get<int>());
        for (const char* c : {"chat", "video-gen"}) {
            CAPTURE(c);
            CHECK(near(b["classes"][c]["demand_units"].get<double>(),
                       2 * a["classes"][c]["demand_units"].get<double>(), 1e-9));
        }
        for (const char* c : {"llm-training", "video-training"}) {
            CAPTURE(c);
            CHECK(b["classes"][c]["jobs_submitted"] == l["classes"][c]["jobs_submitted"]);
            CHECK(b["classes"][c]["jobs_submitted"].get<int>() >
                  a["classes"][c]["jobs_submitted"].get<int>());
        }
        // Same as --set scale=2.
        auto set = run_fleetsim(run_mixed(tmp / "set", {"scale=2"}));
        REQUIRE(set.exit_code == 0);
        CHECK(read_file(tmp / "set/classes.csv") == read_file(tmp / "two/classes.csv"));
        auto zero = run_fleetsim(run_mixed(tmp / "zero", {"scale=0"}));
        CHECK(zero.exit_code == 2);
        CHECK(zero.err.find("scale") != std::string::npos);
    }

    TEST_CASE("compare's differences are the differences of the runs' classes.csv") {
        TempDir tmp("planner-compare");
        REQUIRE(run_fleetsim(run_mixed(tmp / "base", {})).exit_code == 0);
        REQUIRE(run_fleetsim(run_mixed(tmp / "dear-video",
                                       {"workload.classes.video-gen.price_usd_per_unit=0.5"}))
                    .exit_code == 0);
        auto c = run_fleetsim({"compare", tmp / "base", tmp / "dear-video", "--out", tmp / "cmp"});
        INFO(c.err);
        REQUIRE(c.exit_code == 0);
        const auto base = classes_of(tmp / "base"), dear = classes_of(tmp / "dear-video");
        const auto rows = parse_csv(read_file(tmp / "cmp/compare.csv"));
        const char* figures[] = {"gpu_h",      "revenue_usd",          "cost_usd",
                                 "profit_usd", "opportunity_cost_usd", "served_units"};
        std::map<std::string, std::map<std::string, double>> family_sum;  // family -> figure
        int class_rows = 0, family_rows = 0;
        for (const auto& row : rows) {
            if (row.at("run") != "dear-video")
                continue;
            if (row.at("scope") == "class") {
                ++class_rows;
                const auto& a = base.at(row.at("name"));
                const auto& b = dear.at(row.at("name"));
                for (const char* f : figures) {
                    CAPTURE(row.at("name"));
                    CAPTURE(f);
                    CHECK(num(row, f) == num(b, f));
                    CHECK(near(num(row, std::string(f) + "_diff"), num(b, f) - num(a, f), 1e-12));
                    family_sum[b.at("family")][f] += num(b, f) - num(a, f);
                }
            }
        }
        CHECK(class_rows == 4);
        // A family's difference is the sum of its classes' (served units do not add: empty).
        for (const auto& row : rows) {
            if (row.at("run") != "dear-video" || row.at("scope") != "family")
                continue;
            ++family_rows;
            for (const char* f : {"gpu_h", "revenue_usd", "profit_usd", "opportunity_cost_usd"})
                CHECK(
                    near(num(row, std::string(f) + "_diff"), family_sum[row.at("name")][f], 1e-9));
            CHECK(row.at("served_units").empty());
        }
        CHECK(family_rows == 2);
        // The lab's difference is that of totals in summary.json, and the headline says which way.
        const double d = read_summary(tmp / "dear-video")["totals"]["profit_usd"].get<double>() -
                         read_summary(tmp / "base")["totals"]["profit_usd"].get<double>();
        for (const auto& row : rows) {
            if (row.at("run") == "dear-video" && row.at("scope") == "total")
                CHECK(near(num(row, "profit_usd_diff"), d, 1e-12));
        }
        REQUIRE(d > 0);  // video-gen pays 6x more per second: the same GPUs earn more
        CHECK(c.out.find("dear-video makes $") != std::string::npos);
        CHECK(c.out.find(" more profit than base") != std::string::npos);
        CHECK(c.out.find("video revenue rises by $") != std::string::npos);
        CHECK(c.out.find("note:") == std::string::npos);
        // Runs over other horizons or seeds are compared, with a note saying so.
        REQUIRE(run_fleetsim(run_mixed(tmp / "short", {"horizon_s=86400", "seed=4"})).exit_code ==
                0);
        auto notes = run_fleetsim({"compare", tmp / "base", tmp / "short", "--out", tmp / "cmp3"});
        REQUIRE(notes.exit_code == 0);
        CHECK(notes.out.find("note: short covers 1 day and base 2 days") != std::string::npos);
        CHECK(notes.out.find("note: short has seed 4 and base seed 3") != std::string::npos);
        // One folder is not a comparison; a folder without summary.json is named.
        auto one = run_fleetsim({"compare", tmp / "base", "--out", tmp / "cmp1"});
        CHECK(one.exit_code == 2);
        auto none = run_fleetsim({"compare", tmp / "base", tmp / "cmp", "--out", tmp / "cmp2"});
        CHECK(none.exit_code == 2);
        CHECK(none.err.find("summary.json") != std::string::npos);
    }

    TEST_CASE("breakeven finds, within its tolerance, the price a known run was made at") {
        // Under fifo the GPUs a service gets do not depend on its price, so the lab's profit is
        // a straight line in video-gen's price: the run made at $0.30 is the target, and the
        // bisection over [0.01, 1] must land on 0.30 within its tolerance of 0.01.
        TempDir tmp("planner-breakeven");
        const std::string key = "workload.classes.video-gen.price_usd_per_unit";
        REQUIRE(
            run_fleetsim(run_mixed(tmp / "at-0.3", {"policy.name=fifo", key + "=0.3"})).exit_code ==
            0);
        auto b =
            run_fleetsim({"breakeven", source_path("tests/scenarios/data/mixed.yaml"), "--key", key,
                          "--low", "0.01", "--high", "1", "--target-from", tmp / "at-0.3", "--set",
                          "policy.name=fifo", "--tolerance", "0.01", "--out", tmp / "be"});
        INFO(b.err);
        REQUIRE(b.exit_code == 0);
        const auto result = read_json(tmp / "be/breakeven.json");
        const double crossing = result["crossing"].get<double>();
        CHECK(std::abs(crossing - 0.3) <= 0.01);
        const double lo = result["bracket"][0].get<double>(),
                     hi = result["bracket"][1].get<double>();
        CHECK(lo <= 0.3);
        CHECK(0.3 <= hi);
        CHECK(hi - lo <= 0.01);
        CHECK(lo <= crossing);
        CHECK(crossing <= hi);
        // Every step is printed and listed, and each listed figure is that run's summary.json.
        const auto steps = parse_csv(read_file(tmp / "be/breakeven.csv"));
        CHECK(steps.size() == result["runs"].get<std::size_t>());
        CHECK(steps.size() <= 12);  // 2 ends + ceil(log2(0.99 / 0.01)) = 7 halvings
        for (std::size_t i = 0; i < steps.size(); ++i) {
            CAPTURE(i);
            const auto s = read_summary(tmp / ("be/points/" + std::to_string(i)));
            CHECK(num(steps[i], "figure") == s["totals"]["profit_usd"].get<double>());
            CHECK(b.out.find("run " + std::string(i + 1 < 10 ? " " : "") + std::to_string(i + 1) +
                             "  ") != std::string::npos);
        }
        // No crossing in the interval: said, exit 2, nothing written.
        auto none =
            run_fleetsim({"breakeven", source_path("tests/scenarios/data/mixed.yaml"), "--key", key,
                          "--low", "0.5", "--high", "1", "--target-from", tmp / "at-0.3", "--set",
                          "policy.name=fifo", "--out", tmp / "none"});
        CHECK(none.exit_code == 2);
        CHECK(none.err.find("no crossing") != std::string::npos);
        CHECK(!std::filesystem::exists(tmp / "none"));
    }
}
