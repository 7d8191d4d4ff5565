// report.html end to end: the real binary writes it, the machine's headless Chromium opens it
// (report/probe.cjs through playwright-core), and what the page shows is checked against the
// run's own files. Screenshots are kept in the build tree (test-artifacts/) for people to look at.
#include "tests/support/results.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
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

/** Runs a shipped scenario into tmp/out and probes its report, which must be clean. */
Json run_and_probe(const TempDir& tmp,
                   const std::string& scenario,
                   const std::vector<std::string>& probe_args) {
    auto r = run_fleetsim({"run", source_path(scenario), "--out", tmp / "out", "-q"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const Json seen = probe(tmp / "out/report.html", probe_args);
    check_clean(seen);
    return seen;
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
        if (figure == "cost_usd_per_gpu_h")
            return in_group("cost_usd") / in_group("gpu_h");
        FAIL("unknown figure in key " << key);
    }
    // A dotted path into summary.json: "totals.profit_usd", "fleet.failures.gpu_h_down".
    const Json* at = &summary;
    for (std::size_t from = 0;;) {
        const auto dot = key.find('.', from);
        at = &at->at(key.substr(from, dot - from));
        if (dot == std::string::npos)
            return at->get<double>();
        from = dot + 1;
    }
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

/** Checks every number the page ties to a figure against summary.json (computed here, not by
    the report code), and that its text shows it; returns the keys seen. */
std::set<std::string> check_numbers(const Json& seen, const Json& summary) {
    std::set<std::string> keys;
    for (const auto& n : seen["numbers"]) {
        const std::string key = n["key"];
        CAPTURE(key);
        CAPTURE(n["text"].get<std::string>());
        const double expected = expected_value(summary, key);
        CHECK(n["value"].get<double>() == doctest::Approx(expected).epsilon(1e-12));
        const auto [value, half_unit] = shown(n["text"]);
        CHECK(std::fabs(value - expected) <= half_unit + 1e-9 * std::fabs(expected));
        keys.insert(key);
    }
    return keys;
}

/** "$1,234,567" / "-$9,052": whole dollars with thousands separators, written here. */
std::string dollars(double usd) {
    // Built forwards, not by insert(): GCC 12's -Wrestrict misfires on string::insert here.
    const std::string digits = std::to_string(std::llround(std::fabs(usd)));
    std::string out = usd <= -0.5 ? "-$" : "$";
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return out;
}

bool contains(const Json& strings, const std::string& s) {
    for (const auto& t : strings)
        if (t.get<std::string>() == s)
            return true;
    return false;
}

/** Small multiples leave no empty panel: `count` panels, and every row of them reaches as far
    right as the widest (a grid of 2 columns for 3 panels leaves its second row half empty). */
void check_rows_full(const Json& panels, std::size_t count) {
    CAPTURE(panels.dump());
    REQUIRE(panels.size() == count);
    std::vector<std::pair<double, double>> boxes;  // top, right edge
    double right = 0, height = 0;
    for (const auto& p : panels) {
        boxes.emplace_back(p["top"].get<double>(),
                           p["left"].get<double>() + p["width"].get<double>());
        right = std::max(right, boxes.back().second);
        height = std::max(height, p["height"].get<double>());
    }
    std::sort(boxes.begin(), boxes.end());
    // Rows: panels whose tops are within half a panel's height of the row's first.
    double row_top = boxes.front().first, row_right = 0;
    for (const auto& [top, edge] : boxes) {
        if (top > row_top + height / 2) {
            CHECK(row_right >= 0.9 * right);
            row_top = top;
            row_right = 0;
        }
        row_right = std::max(row_right, edge);
    }
    CHECK(row_right >= 0.9 * right);
}

// Colour: CIELAB of an sRGB colour as seen with normal vision and, simulated, with the three
// kinds of dichromacy (Machado, Oliveira and Fernandes 2009, severity 1, on linear RGB).
using Lab = std::array<double, 3>;
Lab lab_of(const std::string& hex, const std::string& vision) {
    static const std::map<std::string, std::array<std::array<double, 3>, 3>> machado = {
        {"normal", {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}},
        {"protan",
         {{{0.152286, 1.052583, -0.204868},
           {0.114503, 0.786281, 0.099216},
           {-0.003882, -0.048116, 1.051998}}}},
        {"deutan",
         {{{0.367322, 0.860646, -0.227968},
           {0.280085, 0.672501, 0.047413},
           {-0.011820, 0.042940, 0.968881}}}},
        {"tritan",
         {{{1.255528, -0.076749, -0.178779},
           {-0.078411, 0.930809, 0.147602},
           {0.004733, 0.691367, 0.303900}}}},
    };
    REQUIRE(hex.size() == 7);
    std::array<double, 3> lin{};
    for (int i = 0; i < 3; ++i) {
        const double c =
            std::stoi(hex.substr(1 + 2 * static_cast<std::size_t>(i), 2), nullptr, 16) / 255.0;
        lin[static_cast<std::size_t>(i)] =
            c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    }
    const auto& m = machado.at(vision);
    std::array<double, 3> rgb{};
    for (std::size_t i = 0; i < 3; ++i)
        rgb[i] = std::clamp(m[i][0] * lin[0] + m[i][1] * lin[1] + m[i][2] * lin[2], 0.0, 1.0);
    const double x = (0.4124 * rgb[0] + 0.3576 * rgb[1] + 0.1805 * rgb[2]) / 0.95047;
    const double y = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    const double z = (0.0193 * rgb[0] + 0.1192 * rgb[1] + 0.9505 * rgb[2]) / 1.08883;
    auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116; };
    return {116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))};
}
double delta_e(const Lab& a, const Lab& b) {
    return std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
/** The Lab hue angle in degrees, 0..360. */
double hue_of(const Lab& c) {
    const double h = std::atan2(c[2], c[1]) * 180 / M_PI;
    return h < 0 ? h + 360 : h;
}

/** A sweep folder written by hand (sweep.json, points.csv, results.csv): keys, and for each
    point its values, seed and total_profit_usd; the other figures follow from the profit. */
struct HandPoint {
    std::vector<std::string> values;
    int seed;
    double profit;
};
void write_hand_sweep(const std::string& dir,
                      const std::vector<std::string>& keys,
                      const std::vector<HandPoint>& points,
                      const std::string& analysis) {
    fs::create_directories(dir);
    Json spec = {{"name", "hand"},
                 {"base", "hand.yaml"},
                 {"keys", keys},
                 {"points", points.size()},
                 {"version", "test"}};
    spec["analysis"] = Json::parse(analysis);
    write_file(dir + "/sweep.json", spec.dump(2));
    auto header = [&](const std::vector<std::string>& after) {
        std::string h = "point_id,status";
        for (const auto& k : keys)
            h += "," + k;
        h += ",seed,replication";
        for (const auto& a : after)
            h += "," + a;
        return h + "\n";
    };
    std::string p = header({"exit_code", "error", "total_revenue_usd", "total_cost_usd",
                            "total_profit_usd", "total_opportunity_cost_usd", "llm_revenue_usd",
                            "video_revenue_usd", "video_gpu_h_share"});
    std::string r = header({"class", "family", "kind", "gpu_h", "revenue_usd", "cost_usd",
                            "profit_usd", "opportunity_cost_usd", "served_fraction"});
    for (std::size_t i = 0; i < points.size(); ++i) {
        const HandPoint& pt = points[i];
        std::string row = std::to_string(i) + ",done";
        for (const auto& v : pt.values)
            row += "," + v;
        row += "," + std::to_string(pt.seed) + ",0";
        const double revenue = pt.profit + 100;
        p += row + fmt::format(",0,,{},100,{},5,{},{},0.25\n", revenue, pt.profit, revenue * 0.75,
                               revenue * 0.25);
        r += row + fmt::format(",chat,llm,service,30,{},75,{},5,0.9\n", revenue * 0.75,
                               revenue * 0.75 - 75);
        r += row + fmt::format(",video-gen,video,service,10,{},25,{},0,1\n", revenue * 0.25,
                               revenue * 0.25 - 25);
    }
    write_file(dir + "/points.csv", p);
    write_file(dir + "/results.csv", r);
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
        const Json seen =
            probe(html, {"--screenshot", artifact("report-default.png"), "--pdf",
                         artifact("report-default-a4.pdf"), "--export", "gpus", "--data", "rates"});
        check_clean(seen);
        CHECK(fs::file_size(artifact("report-default.png")) > 10000);
        // Printed (A4, the print stylesheet), the run is a handout of at most two pages.
        CHECK(seen["pdf_pages"].get<int>() >= 1);
        CHECK(seen["pdf_pages"].get<int>() <= 2);
        // A chart's own menu saves it as SVG and as PNG, offline (check_clean: no request).
        const Json& saved = seen["exports"]["gpus"];
        CHECK(saved["svg"]["head"].get<std::string>().rfind("<svg", 0) == 0);
        CHECK(saved["svg"]["bytes"].get<int>() > 10000);
        CHECK(saved["png"]["head"] == "PNG");
        CHECK(saved["png"]["bytes"].get<int>() > 10000);

        std::set<std::string> drawn;
        for (const auto& c : seen["charts"]) {
            CAPTURE(c.dump());
            CHECK(c["svgs"].get<int>() + c["canvases"].get<int>() >= 1);
            CHECK(c["mark_items"].get<int>() > 0);
            drawn.insert(c["id"].get<std::string>());
        }
        // Every chart of issue 5, for a run with services and batch classes, and profit per class.
        CHECK(drawn == std::set<std::string>{"gpus", "services", "rates", "pnl", "profit", "waits",
                                             "wait_histograms", "utilization"});

        const Json summary = Json::parse(read_file(tmp / "out/summary.json"));
        const std::set<std::string> keys = check_numbers(seen, summary);
        int in_headline = 0;
        for (const auto& n : seen["numbers"])
            in_headline += n["in_headline"].get<bool>() ? 1 : 0;
        CHECK(in_headline >= 10);
        CHECK(seen["subtitle"].get<std::string>().find("7 days,") != std::string::npos);
        // The family says which classes it adds up; no class made a loss, so no sentence on it.
        const std::string headline = seen["headline"];
        CHECK(headline.find("Video work (video-gen and video-training) held") != std::string::npos);
        CHECK(headline.find("made a loss") == std::string::npos);
        // Each class's profit is written beside its bar, on the profit chart's own scale.
        for (const auto& [name, c] : summary["classes"].items()) {
            const auto& name_ = name;  // clang 14 cannot capture a structured binding
            CAPTURE(name_);
            CHECK(contains(seen["texts"]["profit"], dollars(c["profit_usd"].get<double>())));
        }

        // Class colours: LLM classes in cool hues, video in warm ones, and every two of the
        // colours of the GPUs chart (the classes and the unallocated grey) far apart for normal
        // vision and for each kind of colour blindness (CIE76 distance after simulation).
        const Json& scale = seen["colour_scales"]["gpus"];
        REQUIRE(scale["domain"].size() == summary["classes"].size() + 1);
        for (std::size_t i = 0; i + 1 < scale["domain"].size(); ++i) {
            const std::string name = scale["domain"][i];
            const Lab c = lab_of(scale["range"][i], "normal");
            CAPTURE(name);
            CHECK(std::hypot(c[1], c[2]) > 20);  // a hue, not a grey
            if (summary["classes"][name]["family"] == "llm")
                CHECK((hue_of(c) > 180 && hue_of(c) < 320));
            else
                CHECK((hue_of(c) > 20 && hue_of(c) < 100));
        }
        for (const std::string vision : {"normal", "protan", "deutan", "tritan"}) {
            for (std::size_t i = 0; i < scale["range"].size(); ++i) {
                for (std::size_t j = i + 1; j < scale["range"].size(); ++j) {
                    CAPTURE(vision);
                    CAPTURE(scale["domain"][i].get<std::string>());
                    CAPTURE(scale["domain"][j].get<std::string>());
                    const double d = delta_e(lab_of(scale["range"][i], vision),
                                             lab_of(scale["range"][j], vision));
                    CHECK(d >= (vision == "normal" ? 30 : 20));
                }
            }
        }

        // Small multiples leave no empty panel: every row of the services chart (3 services)
        // reaches as far right as the widest.
        check_rows_full(seen["panels"]["services"], 3);

        // Revenue per GPU-hour: a batch class's line is the value of the work its GPUs do (its
        // revenue per busy GPU-hour times the busy share of what it held), not its lumpy
        // payments: in this run its gangs hold only GPUs they run on, so every point is its
        // revenue per GPU-hour ($2.00 for training, as docs/teaching.md says).
        int batch_points = 0;
        for (const auto& row : seen["data"]) {
            const std::string series = row["series"];
            if (series == "shadow price" || summary["classes"][series]["kind"] != "batch")
                continue;
            const Json& c = summary["classes"][series];
            REQUIRE(c["busy_gpu_h"].get<double>() == doctest::Approx(c["gpu_h"].get<double>()));
            CAPTURE(series);
            CHECK(row["usd_per_gpu_h"].get<double>() ==
                  doctest::Approx(c["revenue_usd_per_gpu_h"].get<double>()).epsilon(1e-6));
            ++batch_points;
        }
        CHECK(batch_points > 100);
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

    TEST_CASE(
        "the energy-shock report says which classes made a loss and labels every loss and prints "
        "on two Letter pages") {
        TempDir tmp("report-energy");
        const Json seen =
            run_and_probe(tmp, "scenarios/energy-shock.yaml",
                          {"--pdf", artifact("report-energy-letter.pdf"), "--pdf-format", "Letter",
                           "--screenshot", artifact("report-energy.png")});
        CHECK(seen["pdf_pages"].get<int>() >= 1);
        CHECK(seen["pdf_pages"].get<int>() <= 2);
        const Json summary = Json::parse(read_file(tmp / "out/summary.json"));
        const std::set<std::string> keys = check_numbers(seen, summary);
        // The losers, found here from summary.json: the headline names each with its loss, its
        // cost and its revenue per GPU-hour held, and the profit chart writes its loss.
        int losers = 0;
        for (const auto& [name, c] : summary["classes"].items()) {
            if (c["profit_usd"].get<double>() > -0.5)
                continue;
            ++losers;
            const auto& name_ = name;  // clang 14 cannot capture a structured binding
            CAPTURE(name_);
            for (const std::string figure :
                 {"profit_usd", "cost_usd_per_gpu_h", "revenue_usd_per_gpu_h"})
                CHECK(keys.count("class:" + name + ":" + figure) == 1);
            CHECK(contains(seen["texts"]["profit"], dollars(c["profit_usd"].get<double>())));
        }
        CHECK(losers == 2);  // LLM and video training (scenarios/README.md, energy-shock)
        CHECK(seen["headline"].get<std::string>().find("Two classes made a loss: ") !=
              std::string::npos);
    }

    TEST_CASE("a fleet that changes over time gets a composition chart from timeseries.csv") {
        TempDir tmp("report-b200");
        const Json seen = run_and_probe(tmp, "scenarios/b200-arrives.yaml", {});
        std::set<std::string> drawn;
        for (const auto& c : seen["charts"]) {
            CHECK(c["mark_items"].get<int>() > 0);
            drawn.insert(c["id"].get<std::string>());
        }
        CHECK(drawn.count("fleet") == 1);
        // The headline does not call it a 5,120-GPU fleet: it owned 4,096 GPUs for half the week.
        CHECK(seen["headline"].get<std::string>().find(
                  "the fleet (up to 5,120 GPUs: pools came online or retired) earned") !=
              std::string::npos);
        // Its data: the GPUs owned by type, 4,096 H100s throughout, the 1,024 B200s from day
        // 3.5 (the 84th hour) on, as timeseries.csv's gpus_owned columns say.
        const Json data = report_page_data(tmp / "out/report.html");
        REQUIRE(data["gpus_owned"].size() == 2);
        CHECK(data["gpus_owned"][0]["gpu_type"] == "h100-sxm");
        CHECK(data["gpus_owned"][1]["gpu_type"] == "b200");
        const auto& h100 = data["gpus_owned"][0]["gpus"];
        const auto& b200 = data["gpus_owned"][1]["gpus"];
        REQUIRE(b200.size() == h100.size());
        const auto points = static_cast<double>(b200.size());
        for (std::size_t i = 0; i < b200.size(); ++i) {
            CAPTURE(i);
            CHECK(h100[i].get<double>() == doctest::Approx(4096));
            // The rows may be averaged in groups: the group holding day 3.5 may be in between.
            const double t0_h = 168.0 * static_cast<double>(i) / points;
            const double t1_h = 168.0 * static_cast<double>(i + 1) / points;
            if (t1_h <= 84)
                CHECK(b200[i].get<double>() == 0);
            if (t0_h >= 84)
                CHECK(b200[i].get<double>() == doctest::Approx(1024));
        }
        // A fixed fleet has no such chart (the default report's charts are checked above).
    }

    TEST_CASE("a one-day run's report says 1 day and lays its three services out in one row") {
        TempDir tmp("report-one-day");
        const Json seen = run_and_probe(tmp, "scenarios/cost-collapse.yaml", {});
        CHECK(seen["subtitle"].get<std::string>().find(", 1 day, seed") != std::string::npos);
        CHECK(seen["headline"].get<std::string>().find("Over 1 day the") != std::string::npos);
        check_rows_full(seen["panels"]["services"], 3);
    }

    TEST_CASE("a replayed log's report puts its simulated waits beside the recorded ones") {
        TempDir tmp("report-replay");
        const Json seen = run_and_probe(tmp, "scenarios/kth-sp2-easy.yaml", {});
        const Json t = read_summary(tmp / "out")["classes"]["kth"]["job_trace"];
        REQUIRE(seen["replay_rows"].size() == 1);
        const Json row = seen["replay_rows"][0];
        CHECK(row[0] == "kth");
        CHECK(row[1] == "KTH-SP2-1996-2.1-cln.swf (swf)");
        CHECK(row[2] == "28,467");
        // Hours to one decimal, from summary.json's figures (6,930 s and 15,291 s).
        auto hours = [](double s) {
            char text[32];
            std::snprintf(text, sizeof text, "%.1f h", s / 3600);
            return std::string(text);
        };
        CHECK(row[3] == hours(t["wait_s_mean"].get<double>()));
        CHECK(row[4] == hours(t["recorded_wait_s_mean"].get<double>()));
        CHECK(row[6] == "5.0 min");  // the recorded median, 300 s
        CHECK(row[8] == hours(t["recorded_wait_s_p90"].get<double>()));
        CHECK(row[10] == "9");  // one job without a size, eight with a run time of 0
        // A run without a log has no such table.
        TempDir other("report-no-replay");
        const Json plain = run_and_probe(other, "scenarios/cost-collapse.yaml", {});
        CHECK(plain["replay_rows"].empty());
    }

    TEST_CASE("the report chart data agrees with summary.json and jobs.csv") {
        TempDir tmp("report-data");
        auto r = run_fleetsim({"run", "--out", tmp / "out", "-q"});
        REQUIRE(r.exit_code == 0);
        const Json data = report_page_data(tmp / "out/report.html");
        const Json summary = Json::parse(read_file(tmp / "out/summary.json"));
        const Json& ts = data["timeseries"];
        for (const auto& [name, c] : summary["classes"].items()) {
            const auto& name_ = name;  // clang 14 cannot capture a structured binding
            CAPTURE(name_);
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

    TEST_CASE("a run with failures has a section of what they took, and a run without has none") {
        TempDir tmp("report-failures");
        const Json seen = run_and_probe(tmp, "scenarios/failures-week.yaml", {});
        const Json summary = read_summary(tmp / "out");
        const Json& ff = summary["fleet"]["failures"];
        // The section, after "Who held the GPUs", with its four charts drawn.
        const auto& sections = seen["sections"];
        REQUIRE(sections.size() >= 2);
        CHECK(sections[0] == "Who held the GPUs");
        CHECK(sections[1] == "What failures took");
        std::map<std::string, long long> items;
        for (const auto& c : seen["charts"])
            items[c["id"]] = c["mark_items"].get<long long>();
        for (const char* id : {"failure_capacity", "failures", "failure_causes", "failure_cost"}) {
            CAPTURE(id);
            REQUIRE(items.count(id) == 1);
            CHECK(items[id] > 0);
        }
        // Its sentence's numbers are summary.json's fleet.failures, shown as it has them.
        const std::set<std::string> keys = check_numbers(seen, summary);
        for (const char* k :
             {"failures", "node_failures", "gpu_h_down", "down_cost_usd", "interruptions",
              "failure_lost_work_gpu_h", "restart_gpu_h", "revenue_lost_usd"})
            CHECK(keys.count(std::string("fleet.failures.") + k) == 1);
        // The table: a row per class in summary.json's order, then the total.
        const Json& rows = seen["failure_rows"];
        REQUIRE(rows.size() == summary["classes"].size() + 1);
        std::size_t i = 0;
        for (const auto& item : summary["classes"].items()) {
            // Named, not a structured binding: clang 14 cannot capture one (the fuzz build).
            const std::string& name = item.key();
            const Json& c = item.value();
            CAPTURE(name);
            CHECK(rows[i][0] == name);
            CHECK(rows[i][1] == std::to_string(c["failures"]["interruptions"].get<long long>()));
            CHECK(rows[i][5] == dollars(c["failures"]["revenue_lost_usd"].get<double>()));
            ++i;
        }
        CHECK(rows[i][0] == "total");
        CHECK(rows[i][1] == std::to_string(ff["interruptions"].get<long long>()));
        REQUIRE(ff["interruptions"].get<long long>() > 0);  // the week has some, else no test

        // The data drawn: the down GPUs integrate back to fleet.failures.gpu_h_down, and the
        // nodes per cause are failures.csv's rows, counted here from the file.
        const Json data = report_page_data(tmp / "out/report.html");
        const Json& ts = data["timeseries"];
        double down_gpu_h = 0;
        for (std::size_t k = 0; k < ts["t_s"].size(); ++k)
            down_gpu_h += data["failures"]["gpus_down"][k].get<double>() *
                          ts["length_s"][k].get<double>() / 3600;
        CHECK(down_gpu_h == doctest::Approx(ff["gpu_h_down"].get<double>()).epsilon(1e-5));
        std::map<std::string, long long> per_cause;
        for (const auto& row : parse_csv(read_file(tmp / "out/failures.csv")))
            ++per_cause[row.at("cause")];
        std::map<std::string, long long> drawn;
        for (const auto& [cause, counts] : data["failures"]["node_failures"].items())
            for (const auto& n : counts)
                drawn[cause] += n.get<long long>();
        CHECK(drawn == per_cause);
        CHECK(per_cause.size() >= 2);

        // Printed, the handout keeps to two pages: the section's sentence and table, no charts.
        const Json printed =
            probe(tmp / "out/report.html",
                  {"--pdf", artifact("report-failures.pdf"), "--pdf-format", "Letter"});
        CHECK(printed["pdf_pages"].get<int>() <= 2);

        // Without a failure model: no section, no data, not even the section's script.
        TempDir plain("report-no-failures");
        const Json none = run_and_probe(plain, "scenarios/cost-collapse.yaml", {});
        for (const auto& h : none["sections"])
            CHECK(h != "What failures took");
        CHECK(none["failure_rows"].empty());
        const std::string html = read_file(plain / "out/report.html");
        CHECK(html.find("What failures took") == std::string::npos);
        CHECK_FALSE(report_page_data(plain / "out/report.html").contains("failures"));

        // summary.json says the run had failures but timeseries.csv lacks gpus_down: exit 2
        // naming the file and the column.
        std::string csv = read_file(tmp / "out/timeseries.csv");
        const auto at = csv.find(",gpus_down,");
        REQUIRE(at != std::string::npos);
        csv.replace(at, 11, ",gpus_downx,");
        write_file(tmp / "out/timeseries.csv", csv);
        auto bad = run_fleetsim({"report", tmp / "out"});
        INFO(bad.err);
        CHECK(bad.exit_code == 2);
        CHECK(bad.err.find("timeseries.csv") != std::string::npos);
        CHECK(bad.err.find("gpus_down") != std::string::npos);
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
        // Keys in words with their units, on the axes and the controls, not dotted keys.
        CHECK(seen["controls"][0]["name"] == "policy");
        CHECK(seen["controls"][1]["name"] == "us-main energy price (USD per kWh)");
        CHECK(contains(seen["texts"]["sweep"], "video-gen price (USD per unit)"));
        CHECK(contains(seen["texts"]["sweep"], "h100-a nodes"));
        for (const auto& t : seen["texts"]["sweep"]) {
            CAPTURE(t.get<std::string>());
            CHECK(t.get<std::string>().find("workload.classes.") == std::string::npos);
            CHECK(t.get<std::string>().find("platform.") == std::string::npos);
        }
        // The best-policy legend sits beside the best-policy map (the last row), below the
        // three maps and their legends.
        double best_map_top = -1;
        for (const auto& t : seen["titles"]["sweep"])
            if (t["text"].get<std::string>().rfind("best policy at each setting", 0) == 0)
                best_map_top = t["top"].get<double>();
        REQUIRE(best_map_top > 0);
        int best_legends = 0;
        for (const auto& l : seen["legends"]["sweep"]) {
            CAPTURE(l.dump());
            if (l["title"] == "best policy") {
                ++best_legends;
                CHECK(l["top"].get<double>() >= best_map_top - 5);
            } else {
                CHECK(l["bottom"].get<double>() <= best_map_top);
            }
        }
        CHECK(best_legends == 1);
        // Settings (the swept values) and points (a setting with a seed) are told apart.
        CHECK(seen["subtitle"].get<std::string>().find(" settings (") != std::string::npos);
        CHECK(seen["subtitle"].get<std::string>().find(" points) over ") != std::string::npos);
        // Labels print only where they fit their cells: none runs into another.
        CHECK(seen["text_overlaps"]["sweep"]["overlapping"] == 0);
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

    TEST_CASE("compare.html shows the runs side by side, clean, its numbers those of compare.csv") {
        TempDir tmp("report-compare");
        for (const auto& [name, price] :
             {std::pair<std::string, std::string>{"base", "0.08"}, {"dear", "0.5"}}) {
            auto r = run_fleetsim(
                quiet_run_args("tests/scenarios/data/mixed.yaml", tmp / name,
                               {"workload.classes.video-gen.price_usd_per_unit=" + price}));
            REQUIRE(r.exit_code == 0);
        }
        auto c = run_fleetsim({"compare", tmp / "base", tmp / "dear", "--out", tmp / "cmp", "-q"});
        INFO(c.err);
        REQUIRE(c.exit_code == 0);
        const Json seen =
            probe(tmp / "cmp/compare.html", {"--screenshot", artifact("compare.png")});
        check_clean(seen);
        // Two bar charts (GPU-hours, profit per class), each drawn.
        REQUIRE(seen["charts"].size() == 2);
        for (const auto& chart : seen["charts"])
            CHECK(chart["mark_items"].get<int>() > 0);
        // The headline's profit difference is the totals' difference in the runs' summary.json.
        const double d = read_summary(tmp / "dear")["totals"]["profit_usd"].get<double>() -
                         read_summary(tmp / "base")["totals"]["profit_usd"].get<double>();
        bool found = false;
        for (const auto& n : seen["numbers"]) {
            if (n["key"] == "run:dear:profit_usd_diff") {
                found = true;
                CHECK(n["in_headline"] == true);
                CHECK(near(n["value"].get<double>(), d, 1e-9));
            }
        }
        CHECK(found);
        // The page's data is compare.csv's: every row of the second run, figure by figure.
        const Json data = report_page_data(tmp / "cmp/compare.html");
        CHECK(data["kind"] == "compare");
        const auto rows = parse_csv(read_file(tmp / "cmp/compare.csv"));
        REQUIRE(rows.size() == 2 * data["rows"].size());
        for (std::size_t i = 0; i < data["rows"].size(); ++i) {
            const auto& row = rows[2 * i + 1];
            const Json& page = data["rows"][i]["runs"][1];
            CHECK(row.at("name") == data["rows"][i]["name"].get<std::string>());
            for (const char* f :
                 {"gpu_h", "revenue_usd", "cost_usd", "profit_usd", "opportunity_cost_usd"})
                CHECK(near(num(row, f), page[f].get<double>(), 1e-12));
        }
    }

    TEST_CASE(
        "a sweep over one key draws a line per policy with its interval band and the baseline") {
        TempDir tmp("report-lines");
        const std::string file = tmp / "lines.yaml";
        write_file(file, fmt::format(R"(name: lines
base: {}
set:
  horizon_s: 21600
  output.jobs_csv: false
replications: 2
vary:
  - grid:
      workload.classes.video-gen.price_usd_per_unit: [0.02, 0.1, 0.5]
  - zip:
      policy.name: [static-partition, revenue-greedy]
      policy.params: [{{shares: {{chat: 0.4, coding: 0.15, llm-training: 0.3, video-gen: 0.1, video-training: 0.05}}}}, {{}}]
)",
                                     source_path("scenarios/default.yaml")));
        // fleetsim sweep writes the report itself.
        auto sw = run_fleetsim({"sweep", file, "-j", "2", "--out", tmp / "sweep", "-q"});
        INFO(sw.err);
        REQUIRE(sw.exit_code == 0);
        const std::string html = tmp / "sweep/report.html";
        const Json seen = probe(html, {"--screenshot", artifact("report-sweep-lines.png")});
        check_clean(seen);
        const Json data = report_page_data(html);
        CHECK(data["meta"]["view"] == "lines");
        std::set<std::string> ids;
        for (const auto& c : seen["charts"])
            ids.insert(c["id"].get<std::string>());
        CHECK(ids ==
              std::set<std::string>{"profit", "revenue", "opportunity", "served", "video-share"});
        // Profit: a band (an area) and a line per policy; the baseline's line (the first
        // policy: no `baseline:` in the file) is the dashed one.
        const Json& profit = seen["marks_by_type"]["profit"];
        CHECK(profit["area"] == 2);
        CHECK(profit["line"] == 2);
        CHECK(profit["dashed_lines"] == 1);
        CHECK(data["baseline"]["key"] == "policy.name");
        CHECK(data["baseline"]["value"] == "static-partition");
        CHECK(data["baseline"]["on"] == "policy");
        CHECK(seen["roles"]["baseline"].get<std::string>().find("static-partition") !=
              std::string::npos);
        // Revenue by family: a panel per family, each a band and a line per policy.
        CHECK(seen["marks_by_type"]["revenue"]["area"] == 4);
        // No label runs into another anywhere.
        for (const auto& [id, o] : seen["text_overlaps"].items()) {
            const auto& id_ = id;  // clang 14 cannot capture a structured binding
            CAPTURE(id_);
            CHECK(o["overlapping"] == 0);
        }
        // What the lines draw is stats.csv, to the page's six significant digits.
        const auto stats = csv_records(read_file(tmp / "sweep/stats.csv"));
        const auto col = [&](const std::string& name) {
            return static_cast<std::size_t>(std::find(stats[0].begin(), stats[0].end(), name) -
                                            stats[0].begin());
        };
        int checked = 0;
        for (const auto& row : data["lines"]) {
            if (row["chart"] != "profit")
                continue;
            for (std::size_t i = 1; i < stats.size(); ++i) {
                if (stats[i][col("figure")] != "total_profit_usd" ||
                    !stats[i][col("class")].empty() ||
                    stats[i][col("policy.name")] != row["policy"].get<std::string>() ||
                    std::stod(stats[i][col("workload.classes.video-gen.price_usd_per_unit")]) !=
                        row["x"].get<double>())
                    continue;
                CHECK(row["mean"].get<double>() ==
                      doctest::Approx(std::stod(stats[i][col("mean")])).epsilon(1e-5));
                CHECK(row["low"].get<double>() ==
                      doctest::Approx(std::stod(stats[i][col("ci95_low")])).epsilon(1e-5));
                CHECK(row["high"].get<double>() ==
                      doctest::Approx(std::stod(stats[i][col("ci95_high")])).epsilon(1e-5));
                CHECK(row["n"] == 2);
                CHECK(row["role"] ==
                      (row["policy"] == "static-partition" ? "baseline" : "compared"));
                ++checked;
            }
        }
        CHECK(checked == 6);  // 3 prices x 2 policies

        // Policies alone (no other key): an interval per policy.
        const std::string only = tmp / "only.yaml";
        write_file(only, fmt::format(R"(name: only
base: {}
set:
  horizon_s: 21600
  output.jobs_csv: false
replications: 2
vary:
  - zip:
      policy.name: [static-partition, revenue-greedy]
      policy.params: [{{shares: {{chat: 0.4, coding: 0.15, llm-training: 0.3, video-gen: 0.1, video-training: 0.05}}}}, {{}}]
)",
                                     source_path("scenarios/default.yaml")));
        REQUIRE(run_fleetsim({"sweep", only, "-j", "2", "--out", tmp / "only", "-q"}).exit_code ==
                0);
        const Json policies = probe(tmp / "only/report.html");
        check_clean(policies);
        CHECK(report_page_data(tmp / "only/report.html")["meta"]["view"] == "intervals");
        CHECK(policies["marks_by_type"]["profit"]["rule"] == 2);    // an interval per policy
        CHECK(policies["marks_by_type"]["profit"]["symbol"] == 2);  // and its mean
    }

    TEST_CASE("where a line crosses its baseline is marked at the value worked out by hand") {
        TempDir tmp("report-crossing");
        // Policy A (the baseline) earns 10 x price, B earns 24, 19, 14 at prices 1, 2, 3; seed 2
        // adds 2 to both. B - A, seed by seed: 14, -1, -16: it changes sign between 1 and 2,
        // at 1 + 1 x 14 / (14 - (-1)) = 1.93333; there A's mean line (11, 21, 31) is at
        // 11 + 10 x 0.93333 = 20.3333, as is B's (25, 20, 15).
        const std::string price = "workload.classes.video-gen.price_usd_per_unit";
        std::vector<HandPoint> points;
        for (int x = 1; x <= 3; ++x) {
            for (int seed = 1; seed <= 2; ++seed) {
                points.push_back({{std::to_string(x), "A"}, seed, 10.0 * x + 2 * (seed - 1)});
                points.push_back({{std::to_string(x), "B"}, seed, 29.0 - 5 * x + 2 * (seed - 1)});
            }
        }
        write_hand_sweep(
            tmp / "sweep", {price, "policy.name"}, points,
            R"({"baseline": {"policy.name": "A"}, "baseline_follows": [], "designs": []})");
        auto r = run_fleetsim({"report", tmp / "sweep"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const Json data = report_page_data(tmp / "sweep/report.html");
        int profit_crossings = 0;
        for (const auto& c : data["crossings"]) {
            if (c["chart"] != "profit")
                continue;
            ++profit_crossings;
            CHECK(c["policy"] == "B");
            CHECK(c["x"].get<double>() == doctest::Approx(1.93333).epsilon(1e-5));
            CHECK(c["y"].get<double>() == doctest::Approx(20.3333).epsilon(1e-5));
        }
        CHECK(profit_crossings == 1);
        const Json seen = probe(tmp / "sweep/report.html",
                                {"--screenshot", artifact("report-sweep-crossing.png")});
        check_clean(seen);
        // 3 points on each of the two lines, and the crossing's diamond.
        CHECK(seen["marks_by_type"]["profit"]["symbol"] == 7);
        CHECK(seen["roles"]["crossings"].get<std::string>().find(
                  "B's profit of the run crosses the baseline's at video-gen "
                  "price (USD per unit) ≈ 1.93") != std::string::npos);

        // The baseline on the price instead (price 2): a level across each policy's line, and
        // no crossing at the baseline's own price. A is 21 at price 2 and crosses nowhere else;
        // B, 20 at price 2, is above it at 1 and below at 3: a crossing only at 2, left out.
        write_hand_sweep(
            tmp / "level", {price, "policy.name"}, points,
            R"({"baseline": {")" + price + R"(": "2"}, "baseline_follows": [], "designs": []})");
        REQUIRE(run_fleetsim({"report", tmp / "level"}).exit_code == 0);
        const Json level = report_page_data(tmp / "level/report.html");
        CHECK(level["baseline"]["on"] == "x");
        std::map<std::string, double> rule;
        for (const auto& r2 : level["rules"]) {
            if (r2["chart"] == "profit")
                rule[r2["policy"].get<std::string>()] = r2["y"].get<double>();
        }
        CHECK(rule == std::map<std::string, double>{{"A", 21}, {"B", 20}});
        CHECK(level["crossings"].empty());
        const Json drawn = probe(tmp / "level/report.html");
        check_clean(drawn);
        CHECK(drawn["marks_by_type"]["profit"]["rule"] == 2);
    }

    TEST_CASE("heat map cells print their figures only where the labels fit") {
        // 8 x 8 settings with six-figure profits: cells about 30 px wide, narrower than "$812k"
        // at 9 px. The page before this rule printed them (64 cells) and they ran together.
        TempDir tmp("report-labels");
        std::vector<HandPoint> points;
        for (int a = 0; a < 8; ++a)
            for (int b = 0; b < 8; ++b)
                points.push_back(
                    {{std::to_string(a), std::to_string(10 * b)}, 1, 812345.0 + 1000 * a + b});
        write_hand_sweep(tmp / "sweep", {"platform.pools.h100-a.nodes", "tick_s"}, points,
                         R"({"baseline": {}, "baseline_follows": [], "designs": []})");
        REQUIRE(run_fleetsim({"report", tmp / "sweep"}).exit_code == 0);
        const Json seen =
            probe(tmp / "sweep/report.html", {"--screenshot", artifact("report-sweep-labels.png")});
        check_clean(seen);
        const Json data = report_page_data(tmp / "sweep/report.html");
        CHECK(data["meta"]["view"] == "maps");
        CHECK(data["lines"].empty());  // no line chart: its rows would be carried unused
        CHECK(seen["marks_by_type"]["sweep"]["rect"].get<int>() >= 3 * 64);
        CHECK(seen["text_overlaps"]["sweep"]["overlapping"] == 0);
    }

    TEST_CASE("a sampled sweep's report draws each parameter and recovers its slope") {
        TempDir tmp("report-sample");
        // Five sampled settings of two keys, two seeds: profit = 3 a - 2 b exactly, seed 2 adds
        // 5. The fit with an intercept per seed gives 3 and -2 with intervals of no width.
        const std::vector<std::pair<int, int>> sampled = {{1, 7}, {4, 2}, {2, 9}, {5, 5}, {3, 1}};
        std::vector<HandPoint> points;
        for (const auto& [a, b] : sampled) {
            for (int seed = 1; seed <= 2; ++seed)
                points.push_back({{std::to_string(a), std::to_string(b)},
                                  seed,
                                  3.0 * a - 2.0 * b + 5 * (seed - 1)});
        }
        const std::string a = "platform.pools.h100-a.nodes", b = "tick_s";
        write_hand_sweep(tmp / "sweep", {a, b}, points,
                         R"({"baseline": {}, "baseline_follows": [], "designs": [{"method": )"
                         R"("sample", "block": 0, "keys": [")" +
                             a + R"(", ")" + b + R"("], "base": []}]})");
        auto r = run_fleetsim({"report", tmp / "sweep"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const Json data = report_page_data(tmp / "sweep/report.html");
        CHECK(data["meta"]["view"] == "designs");
        CHECK(data["design_lines"].size() == 10);  // every setting in each parameter's panel
        std::map<std::string, double> slope;
        for (const auto& e : data["effects"]) {
            if (e["figure"] == "total_profit_usd")
                slope[e["key"].get<std::string>()] = e["slope"].get<double>();
        }
        REQUIRE(slope.size() == 2);
        CHECK(slope[a] == doctest::Approx(3).epsilon(1e-9));
        CHECK(slope[b] == doctest::Approx(-2).epsilon(1e-9));
        const Json seen = probe(tmp / "sweep/report.html");
        check_clean(seen);
        CHECK(seen["marks_by_type"]["design"]["symbol"] == 10);  // a mean per setting and panel
        CHECK(seen["marks_by_type"]["design"]["rule"] == 10);    // and its interval
    }

    TEST_CASE("a one-at-a-time sweep's report says which parameter moves profit most") {
        TempDir tmp("report-effects");
        const std::string file = tmp / "oat.yaml";
        write_file(file, fmt::format(R"(name: oat
base: {}
set:
  horizon_s: 43200
  policy: {{name: fifo, params: {{}}}}
replications: 2
vary:
  - one_at_a_time:
      workload.classes.chat.price_usd_per_unit: {{base: 2.0, values: [1.0, 4.0]}}
      platform.sites.s.energy_usd_per_kwh: {{base: 0.1, values: [0.05, 0.2]}}
)",
                                     source_path("tests/scenarios/data/mixed.yaml")));
        auto sw = run_fleetsim({"sweep", file, "-j", "2", "--out", tmp / "sweep", "-q"});
        INFO(sw.err);
        REQUIRE(sw.exit_code == 0);
        const Json seen = probe(tmp / "sweep/report.html",
                                {"--screenshot", artifact("report-sweep-effects.png")});
        check_clean(seen);
        CHECK(seen["marks_by_type"]["effects"]["rect"] == 2);  // a bar per parameter
        CHECK(seen["marks_by_type"]["effects"]["rule"] == 2);  // and its interval
        // Its 5 settings fill no grid: no maps, but a panel per parameter with a band and a
        // line through the base setting and the parameter's own two values.
        const Json data = report_page_data(tmp / "sweep/report.html");
        CHECK(data["meta"]["view"] == "designs");
        CHECK(seen["marks_by_type"]["design"]["area"] == 2);
        CHECK(seen["marks_by_type"]["design"]["line"] == 2);
        CHECK(seen["marks_by_type"].count("sweep") == 0);
        const auto points = csv_records(read_file(tmp / "sweep/points.csv"));
        const auto profit_col = static_cast<std::size_t>(
            std::find(points[0].begin(), points[0].end(), "total_profit_usd") - points[0].begin());
        // Points 0 and 1 are the base setting's two seeds.
        const double base_mean =
            (std::stod(points[1][profit_col]) + std::stod(points[2][profit_col])) / 2;
        std::map<std::string, std::vector<double>> xs;
        for (const auto& r : data["design_lines"]) {
            xs[r["key"].get<std::string>()].push_back(r["x"].get<double>());
            if (r["base"].get<bool>())
                CHECK(r["mean"].get<double>() == doctest::Approx(base_mean).epsilon(1e-5));
        }
        CHECK(xs == std::map<std::string, std::vector<double>>{
                        {"workload.classes.chat.price_usd_per_unit", {2.0, 1.0, 4.0}},
                        {"platform.sites.s.energy_usd_per_kwh", {0.1, 0.05, 0.2}}});
        // The bars are effects.csv's change of total_profit_usd.
        const auto effects = csv_records(read_file(tmp / "sweep/effects.csv"));
        const auto col = [&](const std::string& name) {
            return static_cast<std::size_t>(std::find(effects[0].begin(), effects[0].end(), name) -
                                            effects[0].begin());
        };
        int checked = 0;
        for (const auto& e : data["effects"]) {
            if (e["figure"] != "total_profit_usd")
                continue;
            for (std::size_t i = 1; i < effects.size(); ++i) {
                if (effects[i][col("figure")] == "total_profit_usd" &&
                    effects[i][col("class")].empty() &&
                    effects[i][col("key")] == e["key"].get<std::string>()) {
                    CHECK(e["change"].get<double>() ==
                          doctest::Approx(std::stod(effects[i][col("change")])).epsilon(1e-5));
                    ++checked;
                }
            }
        }
        CHECK(checked == 2);
    }
}
