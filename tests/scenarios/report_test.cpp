// report.html end to end: the real binary writes it, the machine's headless Chromium opens it
// (report/probe.cjs through playwright-core), and what the page shows is checked against the
// run's own files. Screenshots are kept in the build tree (test-artifacts/) for people to look at.
#include "tests/support/results.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

using namespace fleetsim::test;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

std::string artifact(const std::string& name) {
    fs::create_directories(FLEETSIM_TEST_ARTIFACTS);
    return std::string(FLEETSIM_TEST_ARTIFACTS) + "/" + name;
}

/** Runs the probe over `html`; returns what it saw. */
Json probe(const std::string& html, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {source_path("report/probe.cjs"), "--modules",
                                     FLEETSIM_REPORT_NODE_MODULES, "--html", html};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = spawn(FLEETSIM_NODE, args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return Json::parse(r.out);
}

void check_clean(const Json& seen) {
    INFO("console errors: " << seen["console_errors"].dump());
    INFO("console warnings: " << seen["console_warnings"].dump());
    INFO("page errors: " << seen["page_errors"].dump());
    CHECK(seen["ready"] == "true");
    CHECK(seen["console_errors"].empty());
    CHECK(seen["page_errors"].empty());
    CHECK(seen["console_warnings"].empty());
    // Self-contained: nothing fetched from anywhere (the machine has no CDN to reach anyway).
    CHECK(seen["requests"].empty());
}

/** What a headline key stands for, computed here from summary.json, not by the report code. */
double expected_value(const Json& summary, const std::string& key) {
    const Json& classes = summary["classes"];
    auto sum = [&](const std::string& field, const std::string& family) {
        double s = 0;
        for (const auto& [name, c] : classes.items())
            if (family.empty() || c["family"] == family)
                s += c[field].get<double>();
        return s;
    };
    if (key == "horizon_days")
        return summary["horizon_s"].get<double>() / 86400;
    for (const std::string prefix : {"family:", "class:"}) {
        if (key.rfind(prefix, 0) != 0)
            continue;
        const auto second = key.find(':', prefix.size());
        const std::string group = key.substr(prefix.size(), second - prefix.size());
        const std::string figure = key.substr(second + 1);
        if (prefix == "class:" && classes.contains(group) && classes[group].contains(figure))
            return classes[group][figure].get<double>();
        auto in_group = [&](const std::string& field) {
            if (prefix == "family:")
                return sum(field, group);
            return classes[group][field].get<double>();
        };
        if (figure == "gpu_h_share")
            return in_group("gpu_h") / sum("gpu_h", "");
        if (figure == "revenue_share")
            return in_group("revenue_usd") / sum("revenue_usd", "");
        if (figure == "opportunity_cost_usd")
            return in_group("opportunity_cost_usd");
        FAIL("unknown figure in key " << key);
    }
    const auto dot = key.find('.');
    return summary.at(key.substr(0, dot)).at(key.substr(dot + 1)).get<double>();
}

/** The number a text shows ("$1,891,532", "14.9%", "4,096", "-$172,255") and its rounding. */
std::pair<double, double> shown(std::string text) {
    const bool percent = text.find('%') != std::string::npos;
    std::string digits;
    for (char c : text)
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-')
            digits += c;
    double v = std::stod(digits);
    const auto point = digits.find('.');
    const int decimals =
        point == std::string::npos ? 0 : static_cast<int>(digits.size() - point - 1);
    double half_unit = 0.5 * std::pow(10.0, -decimals);
    if (percent) {
        v /= 100;
        half_unit /= 100;
    }
    return {v, half_unit};
}

}  // namespace

TEST_SUITE("report") {
    TEST_CASE(
        "the default run report opens offline in Chromium and draws every chart and its "
        "headline numbers are those of summary.json") {
        TempDir tmp("report-default");
        auto r = run_fleetsim({"run", "--out", tmp / "out", "-q"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const std::string html = tmp / "out/report.html";
        REQUIRE(fs::exists(html));
        const Json seen = probe(html, {"--screenshot", artifact("report-default.png")});
        check_clean(seen);
        CHECK(fs::file_size(artifact("report-default.png")) > 10000);

        std::set<std::string> drawn;
        for (const auto& c : seen["charts"]) {
            CAPTURE(c.dump());
            CHECK(c["svgs"].get<int>() + c["canvases"].get<int>() >= 1);
            CHECK(c["mark_items"].get<int>() > 0);
            drawn.insert(c["id"].get<std::string>());
        }
        // Every chart of issue 5, for a run with services and batch classes.
        CHECK(drawn == std::set<std::string>{"gpus", "services", "rates", "pnl", "waits",
                                             "wait_histograms", "utilization"});

        const Json summary = Json::parse(read_file(tmp / "out/summary.json"));
        int in_headline = 0;
        std::set<std::string> keys;
        for (const auto& n : seen["numbers"]) {
            const std::string key = n["key"];
            CAPTURE(key);
            CAPTURE(n["text"].get<std::string>());
            const double expected = expected_value(summary, key);
            CHECK(n["value"].get<double>() == doctest::Approx(expected).epsilon(1e-12));
            const auto [value, half_unit] = shown(n["text"]);
            CHECK(std::fabs(value - expected) <= half_unit + 1e-9 * std::fabs(expected));
            in_headline += n["in_headline"].get<bool>() ? 1 : 0;
            keys.insert(key);
        }
        CHECK(in_headline >= 10);
        for (const char* k : {"totals.revenue_usd", "totals.cost_usd", "totals.profit_usd",
                              "totals.opportunity_cost_usd", "fleet.utilization"})
            CHECK(keys.count(k) == 1);
        // The headline speaks of the family whose share of GPU-hours most exceeds its share of
        // revenue (design: "video held x% of GPU-hours and earned y% of revenue").
        std::string worst;
        double worst_gap = -2;
        for (const std::string family : {"llm", "video"}) {
            const double gap = expected_value(summary, "family:" + family + ":gpu_h_share") -
                               expected_value(summary, "family:" + family + ":revenue_share");
            if (gap > worst_gap) {
                worst_gap = gap;
                worst = family;
            }
        }
        CHECK(keys.count("family:" + worst + ":gpu_h_share") == 1);
        CHECK(keys.count("family:" + worst + ":opportunity_cost_usd") == 1);
    }

    TEST_CASE("the report chart data agrees with summary.json and jobs.csv") {
        TempDir tmp("report-data");
        auto r = run_fleetsim({"run", "--out", tmp / "out", "-q"});
        REQUIRE(r.exit_code == 0);
        const Json data = report_page_data(tmp / "out/report.html");
        const Json summary = Json::parse(read_file(tmp / "out/summary.json"));
        const Json& ts = data["timeseries"];
        for (const auto& [name, c] : summary["classes"].items()) {
            CAPTURE(name);
            const Json& s = ts["classes"][name];
            double gpu_h = 0, revenue = 0;
            for (std::size_t i = 0; i < ts["t_s"].size(); ++i) {
                gpu_h +=
                    s["gpus_allocated"][i].get<double>() * ts["length_s"][i].get<double>() / 3600;
                revenue += s["revenue_usd"][i].get<double>();
            }
            // Six significant digits per point: the integrals agree to a few parts per million.
            CHECK(gpu_h == doctest::Approx(c["gpu_h"].get<double>()).epsilon(1e-5));
            CHECK(revenue == doctest::Approx(c["revenue_usd"].get<double>()).epsilon(1e-5));
            if (c["kind"] == "batch") {
                long long counted = 0, rejected = 0;
                for (const auto& h : data["waits"]["classes"]) {
                    if (h["name"] != name)
                        continue;
                    for (const auto& n : h["counts"])
                        counted += n.get<long long>();
                    rejected = h["rejected"].get<long long>();
                }
                CHECK(counted + rejected == c["jobs_submitted"].get<long long>());
                CHECK(rejected == c["jobs_rejected"].get<long long>());
            } else {
                CHECK(s["demand_gpus"].is_array());
            }
        }
    }

    TEST_CASE("fleetsim report regenerates the run report byte for byte") {
        TempDir tmp("report-again");
        REQUIRE(run_fleetsim({"run", "--out", tmp / "out", "-q"}).exit_code == 0);
        const std::string first = read_file(tmp / "out/report.html");
        fs::remove(tmp / "out/report.html");
        auto r = run_fleetsim({"report", tmp / "out"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(r.out.find("report.html") != std::string::npos);
        CHECK(read_file(tmp / "out/report.html") == first);
        // --no-report leaves it out.
        REQUIRE(run_fleetsim({"run", "--out", tmp / "none", "-q", "--no-report"}).exit_code == 0);
        CHECK_FALSE(fs::exists(tmp / "none/report.html"));
    }

    TEST_CASE("fleetsim report on bad folders exits 2 naming the file and line and key") {
        TempDir tmp("report-bad");
        auto none = run_fleetsim({"report", tmp / "nothing-here"});
        CHECK(none.exit_code == 2);
        CHECK(none.err.find("nothing-here") != std::string::npos);

        fs::create_directories(tmp / "empty");
        auto empty = run_fleetsim({"report", tmp / "empty"});
        CHECK(empty.exit_code == 2);
        CHECK(empty.err.find("summary.json") != std::string::npos);

        REQUIRE(run_fleetsim({"run", "--out", tmp / "out", "-q", "--no-report"}).exit_code == 0);
        // A firm key missing from summary.json.
        Json summary = Json::parse(read_file(tmp / "out/summary.json"));
        summary["totals"].erase("profit_usd");
        write_file(tmp / "out/summary.json", summary.dump(2));
        auto missing = run_fleetsim({"report", tmp / "out"});
        CHECK(missing.exit_code == 2);
        CHECK(missing.err.find("summary.json") != std::string::npos);
        CHECK(missing.err.find("totals.profit_usd") != std::string::npos);
        // A value that is not a number in timeseries.csv: file, line and column named.
        REQUIRE(run_fleetsim({"run", "--out", tmp / "out", "-q", "--no-report"}).exit_code == 0);
        std::string ts = read_file(tmp / "out/timeseries.csv");
        const auto line3 = ts.find('\n', ts.find('\n') + 1) + 1;
        const auto comma = ts.find(',', ts.find(',', line3) + 1);  // after t_s and class
        write_file(tmp / "out/timeseries.csv",
                   ts.substr(0, comma + 1) + "x" + ts.substr(comma + 1));
        auto bad = run_fleetsim({"report", tmp / "out"});
        CHECK(bad.exit_code == 2);
        INFO(bad.err);
        CHECK(bad.err.find("timeseries.csv:3:3") != std::string::npos);
        CHECK(bad.err.find("gpus_allocated") != std::string::npos);
        CHECK_FALSE(fs::exists(tmp / "out/report.html"));
    }

    TEST_CASE(
        "the sweep report of the contract fixture draws heat maps and the best policy and its "
        "controls move the maps") {
        TempDir tmp("report-sweep");
        fs::copy(source_path("tests/fixtures/sweep-contract"), tmp / "sweep");
        auto r = run_fleetsim({"report", tmp / "sweep"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const std::string html = tmp / "sweep/report.html";
        const Json seen = probe(html, {"--interact", "--screenshot", artifact("report-sweep.png")});
        check_clean(seen);
        REQUIRE(seen["charts"].size() == 1);
        CHECK(seen["charts"][0]["mark_items"].get<int>() > 0);
        // Axes: the first two keys that are not the policy; a control for each other key: a
        // drop-down for policy.name, a slider for the evenly spaced energy price.
        const Json data = report_page_data(html);
        CHECK(data["keys"][data["meta"]["x"].get<int>()]["key"] ==
              "workload.classes.video-gen.price_usd_per_unit");
        CHECK(data["keys"][data["meta"]["y"].get<int>()]["key"] == "platform.pools.h100-a.nodes");
        REQUIRE(seen["controls"].size() == 2);
        CHECK(seen["controls"][0]["type"] == "select");
        CHECK(seen["controls"][0]["options"] ==
              Json::array({"static-partition", "revenue-greedy"}));
        CHECK(seen["controls"][1]["type"] == "range");
        REQUIRE(seen["interaction"].size() == 2);
        for (const auto& step : seen["interaction"]) {
            CHECK(step["changed"] == true);
            CHECK(step["mark_items_after"].get<int>() > 0);
        }
        // The best-policy map: one cell per setting of the three other keys.
        CHECK(data["best"].size() == 3 * 2 * 3);
        std::set<std::string> statuses;
        for (const auto& c : data["cells"])
            statuses.insert(c["status"].get<std::string>());
        CHECK(statuses == std::set<std::string>{"ok", "partly failed", "failed"});
        // The fixture has no points.csv (the sweep contract before it): profit falls back to the
        // classes' sum, and the page says so where it is seen first.
        CHECK(data["meta"]["profit_of"] == "classes");
        bool warned = false;
        for (const auto& w : seen["warnings"]) {
            if (w["role"] == "profit-source")
                warned = w["text"].get<std::string>().find("no points.csv") != std::string::npos;
        }
        CHECK(warned);
    }

    TEST_CASE("the report of a real fleetsim sweep keeps policy.params with the policy") {
        TempDir tmp("report-real-sweep");
        auto sw = run_fleetsim({"sweep", source_path("tests/fixtures/report-sweep.yaml"), "--out",
                                tmp / "sweep", "-q"});
        INFO(sw.err);
        REQUIRE(sw.exit_code == 0);
        auto r = run_fleetsim({"report", tmp / "sweep"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const Json seen = probe(tmp / "sweep/report.html", {"--interact"});
        check_clean(seen);
        CHECK(seen["charts"][0]["mark_items"].get<int>() > 0);
        // policy.params is zipped with policy.name: one drop-down (the policy), no control for
        // its parameters, and the best policy compares the two policies at each of 2 x 2 points.
        REQUIRE(seen["controls"].size() == 1);
        CHECK(seen["controls"][0]["options"] ==
              Json::array({"static-partition", "revenue-greedy"}));
        CHECK(seen["interaction"][0]["changed"] == true);
        const Json data = report_page_data(tmp / "sweep/report.html");
        REQUIRE(data["best"].size() == 4);
        for (const auto& b : data["best"])
            CHECK_FALSE(b["runner_up"].is_null());
        CHECK(data["cells"].size() == 8);
        // A sweep of this fleetsim exports points.csv: profit is the runs' own, and no warning.
        CHECK(data["meta"]["profit_of"] == "run");
        for (const auto& w : seen["warnings"])
            CHECK(w["role"] != "profit-source");
    }

    TEST_CASE("fleetsim report --x and --y pick the sweep axes and an unknown key exits 2") {
        TempDir tmp("report-sweep-axes");
        fs::copy(source_path("tests/fixtures/sweep-contract"), tmp / "sweep");
        auto r = run_fleetsim({"report", tmp / "sweep", "--x", "policy.name", "--y",
                               "platform.sites.us-main.energy_usd_per_kwh"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const Json data = report_page_data(tmp / "sweep/report.html");
        CHECK(data["keys"][data["meta"]["x"].get<int>()]["key"] == "policy.name");
        CHECK(data["controls"].size() == 2);
        auto bad = run_fleetsim({"report", tmp / "sweep", "--x", "policy.nam"});
        CHECK(bad.exit_code == 2);
        CHECK(bad.err.find("policy.nam'") != std::string::npos);
        auto run_only =
            run_fleetsim({"report", tmp / "sweep", "--y", "policy.name", "--x", "policy.name"});
        CHECK(run_only.exit_code == 2);
    }
}
