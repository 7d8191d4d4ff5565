// The report's C++ side without a browser or a simulation: wait bins, the headline's choice and
// numbers, and the sweep table read from the contract fixture.
#include "sim/config/input_error.hpp"
#include "sim/io/csv.hpp"
#include "sim/report/headline.hpp"
#include "sim/report/html_page.hpp"
#include "sim/report/run_data.hpp"
#include "sim/report/sweep_data.hpp"
#include "sim/report/wait_histogram.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <sstream>

using namespace fleetsim;
using fleetsim::test::TempDir;

namespace {

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    } catch (const CsvError& e) {
        return e.what();
    }
    return "(no InputError)";
}

ClassFigures cls(std::string name, std::string family, double gpu_h, double revenue, double opp) {
    ClassFigures c;
    c.name = std::move(name);
    c.family = std::move(family);
    c.kind = "service";
    c.gpu_h = gpu_h;
    c.revenue_usd = revenue;
    c.opportunity_cost_usd = opp;
    c.revenue_usd_per_gpu_h = gpu_h > 0 ? std::optional<double>(revenue / gpu_h) : std::nullopt;
    return c;
}

/** The numbers of a headline by key. */
std::map<std::string, double> numbers(const std::vector<HeadlineSentence>& h) {
    std::map<std::string, double> out;
    for (const auto& s : h)
        for (const auto& p : s)
            if (p.value)
                out[p.key] = *p.value;
    return out;
}

std::string text(const std::vector<HeadlineSentence>& h) {
    std::string out;
    for (const auto& s : h) {
        for (const auto& p : s)
            out += p.text;
        out += "\n";
    }
    return out;
}

/** Splits a CSV line without quotes (the fixture has none): an independent reader. */
std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream in(line);
    std::string f;
    while (std::getline(in, f, ','))
        out.push_back(f);
    if (!line.empty() && line.back() == ',')
        out.emplace_back();
    return out;
}

}  // namespace

TEST_SUITE("report") {
    TEST_CASE("wait bins are upper-exclusive human steps and jobs.csv is counted per class") {
        CHECK(wait_bin(0) == 0);
        CHECK(wait_bin(0.99) == 0);
        CHECK(wait_bin(1) == 1);
        CHECK(wait_bin(59.9) == 1);
        CHECK(wait_bin(60) == 2);
        CHECK(wait_bin(7 * 86400 - 1) == 7);
        CHECK(wait_bin(7 * 86400) == 8);
        CHECK(wait_bin(1e9) == 8);
        CHECK(wait_bin_labels().size() == wait_bin_edges_s().size() + 2);

        TempDir tmp("jobs");
        fleetsim::test::write_file(tmp / "jobs.csv",
                                   "job_id,class,submit_s,start_s,end_s,status\n"
                                   "1,train,0,0,10,completed\n"           // 0 s
                                   "2,train,100,220,300,completed\n"      // 120 s: 1-10 min
                                   "3,train,0,,,waiting_at_end\n"         // not started
                                   "4,train,0,,,rejected\n"               // apart
                                   "5,other,10,100000,,running_at_end\n"  // 99990 s: 1-3 days
        );
        auto h = read_wait_histograms(tmp / "jobs.csv", {"train", "other"});
        REQUIRE(h.size() == 2);
        CHECK(h[0].counts[0] == 1);
        CHECK(h[0].counts[2] == 1);
        CHECK(h[0].counts.back() == 1);
        CHECK(h[0].rejected == 1);
        long long total = 0;
        for (auto n : h[1].counts)
            total += n;
        CHECK(total == 1);
        CHECK(h[1].counts[6] == 1);
        CHECK(error_of([&] {
                  read_wait_histograms(tmp / "jobs.csv", {"train"});
              }).find("found 'other'") != std::string::npos);
    }

    TEST_CASE("headline speaks of the family whose GPU-hour share most exceeds its revenue share") {
        RunSummary s;
        s.horizon_s = 7 * 86400;
        s.fleet.gpus = 4096;
        s.fleet.utilization = 0.5;
        s.fleet.mean_shadow_price_usd_per_gpu_h = 7;
        s.classes = {cls("chat", "llm", 600, 6000, 0), cls("gen", "video", 300, 600, 900),
                     cls("train", "llm", 100, 200, 500)};
        s.totals.revenue_usd = 6800;
        s.totals.cost_usd = 1000;
        s.totals.profit_usd = 5800;
        const auto h = compute_headline(s);
        const auto n = numbers(h);
        // video: 300 of 1000 GPU-hours held, 600 of 6800 revenue.
        CHECK(n.at("family:video:gpu_h_share") == doctest::Approx(0.3));
        CHECK(n.at("family:video:revenue_share") == doctest::Approx(600.0 / 6800));
        CHECK(n.at("family:video:opportunity_cost_usd") == 900);
        CHECK(n.at("totals.profit_usd") == 5800);
        CHECK(n.at("horizon_days") == 7);
        // The largest opportunity cost is gen's, at $2.00 per GPU-hour against $7.00.
        CHECK(n.at("class:gen:opportunity_cost_usd") == 900);
        CHECK(n.at("class:gen:revenue_usd_per_gpu_h") == 2);
        const std::string t = text(h);
        INFO(t);
        // The family names the classes it adds up (here one).
        CHECK(t.find("Video work (gen) held 30.0% of the GPU-hours held by work and earned 8.8% "
                     "of revenue; the GPU-hours it held could have earned $900 more") !=
              std::string::npos);
        // No class made a loss: no sentence about losses.
        CHECK(t.find("loss") == std::string::npos);
        CHECK(t.find("Over 7 days the 4,096-GPU fleet earned $6,800, cost $1,000") !=
              std::string::npos);
        CHECK(t.find("gen's, $900: it earned $2.00 per GPU-hour") != std::string::npos);
    }

    TEST_CASE("headline names the classes a family adds up and the classes that made a loss") {
        RunSummary s;
        s.horizon_s = 86400;
        s.fleet.gpus = 16;
        s.classes = {cls("chat", "llm", 100, 800, 0), cls("gen", "video", 100, 300, 0),
                     cls("vtrain", "video", 50, 100, 0), cls("train", "llm", 200, 400, 0)};
        // Costs per GPU-hour held: $2.10 for every class; train and vtrain earn $2.00.
        for (auto& c : s.classes) {
            c.cost_usd = 2.1 * c.gpu_h;
            c.profit_usd = c.revenue_usd - c.cost_usd;
        }
        const auto h = compute_headline(s);
        const std::string t = text(h);
        INFO(t);
        // video: 150 of 450 GPU-hours, 400 of 1600 revenue: the video family, both its classes.
        CHECK(t.find("Video work (gen and vtrain) held 33.3%") != std::string::npos);
        CHECK(t.find("Over 1 day the 16-GPU fleet") != std::string::npos);
        CHECK(t.find("Two classes made a loss: vtrain (-$5: a GPU-hour it held cost $2.10 and "
                     "earned $2.00) and train (-$20: cost $2.10, earned $2.00).") !=
              std::string::npos);
        const auto n = numbers(h);
        CHECK(n.at("class:train:profit_usd") == doctest::Approx(-20));
        CHECK(n.at("class:train:cost_usd_per_gpu_h") == doctest::Approx(2.1));
        CHECK(n.at("class:vtrain:revenue_usd_per_gpu_h") == doctest::Approx(2));
        // A loss under half a dollar rounds to $0 and is not a loss.
        for (auto& c : s.classes)
            c.profit_usd = c.profit_usd < 0 ? -0.4 : c.profit_usd;
        CHECK(text(compute_headline(s)).find("loss") == std::string::npos);
    }

    TEST_CASE("headline with one family compares its classes and says when nothing better waited") {
        RunSummary s;
        s.horizon_s = 86400 * 1.5;
        s.fleet.gpus = 8;
        s.classes = {cls("a", "llm", 10, 100, 0), cls("b", "llm", 30, 100, 0)};
        const auto h = compute_headline(s);
        const auto n = numbers(h);
        CHECK(n.at("class:b:gpu_h_share") == doctest::Approx(0.75));
        CHECK(n.count("family:llm:gpu_h_share") == 0);
        const std::string t = text(h);
        INFO(t);
        CHECK(t.find("b held 75.0%") != std::string::npos);
        CHECK(t.find("no better-paying work was left waiting") != std::string::npos);
        CHECK(t.find("Over 1.5 days") != std::string::npos);
        CHECK(t.find("opportunity cost of every class rounds to $0") != std::string::npos);
        // A dollar next to a million of revenue: said to be negligible, still with its number.
        s.totals.revenue_usd = 1e6;
        s.classes[1].opportunity_cost_usd = 0.6;
        CHECK(text(compute_headline(s)).find("negligible: the largest, b's, was $1.") !=
              std::string::npos);
    }

    TEST_CASE("number formats") {
        CHECK(format_usd(1234567.49) == "$1,234,567");
        CHECK(format_usd(-172254.5) == "-$172,255");
        CHECK(format_usd(-0.2) == "$0");
        CHECK(format_usd(999) == "$999");
        CHECK(format_usd_rate(6.998) == "$7.00");
        CHECK(format_share(0.1494) == "14.9%");
        CHECK(format_count(4096) == "4,096");
        CHECK(round_significant(1376.2633140445496) == 1376.26);
        CHECK(round_significant(0.000123456789) == doctest::Approx(0.000123457).epsilon(1e-12));
        CHECK(round_significant(0) == 0);
    }

    TEST_CASE("inlined text cannot end its script element") {
        CHECK(escape_script("a</script>b</SCRIPT>") == "a<\\/script>b<\\/SCRIPT>");
        CHECK(escape_script("x<!--y") == "x<\\!--y");
        CHECK(escape_json_for_script("{\"a\":\"</script>\"}") == "{\"a\":\"\\u003c/script>\"}");
        CHECK(nlohmann::json::parse(escape_json_for_script("{\"a\":\"</script>\"}"))["a"] ==
              "</script>");
        CHECK(escape_html("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    TEST_CASE("sweep fixture points are averaged over replications with failures kept apart") {
        const std::string dir = fleetsim::test::source_path("tests/fixtures/sweep-contract");
        const SweepTable t = read_sweep(dir);
        REQUIRE(t.keys.size() == 4);
        CHECK(t.keys[0] == kPolicyKey);
        CHECK(t.cells.size() == 36);

        // An independent reading of results.csv: per (point, replication), the sum of profit.
        const std::string csv = fleetsim::test::read_file(dir + "/results.csv");
        std::stringstream lines(csv);
        std::string line;
        std::getline(lines, line);
        const auto header = split(line);
        auto col = [&](const std::string& name) {
            return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) -
                                            header.begin());
        };
        std::map<std::string, std::map<std::string, double>> profit;  // point -> rep -> sum
        std::map<std::string, std::vector<std::string>> values;
        std::map<std::string, int> failed;
        while (std::getline(lines, line)) {
            const auto f = split(line);
            const std::string id = f[col("point_id")];
            values[id] = {f[2], f[3], f[4], f[5]};
            if (f[col("status")] == "failed") {
                failed[id] += f[col("class")] == "chat" ? 1 : 0;
                continue;
            }
            profit[id][f[col("replication")]] += std::stod(f[col("profit_usd")]);
        }
        int checked = 0;
        for (const auto& c : t.cells) {
            std::string id;
            for (const auto& [pid, v] : values)
                if (v == c.values)
                    id = pid;
            REQUIRE(!id.empty());
            CHECK(c.failed == failed[id]);
            CHECK(c.replications == static_cast<int>(profit[id].size()));
            if (profit[id].empty())
                continue;
            double mean = 0;
            for (const auto& [rep, p] : profit[id])
                mean += p / static_cast<double>(profit[id].size());
            CHECK(c.profit_usd == doctest::Approx(mean).epsilon(1e-12));
            ++checked;
        }
        CHECK(checked == 35);  // p036 failed in both replications
        const auto p036 = std::find_if(t.cells.begin(), t.cells.end(), [&](const SweepCell& c) {
            return c.values == values["p036"];
        });
        CHECK(p036->replications == 0);
        CHECK(p036->failed == 2);

        // The best policy at each setting of the other keys beats every other policy there.
        const auto best = best_policies(t, 0);
        CHECK(best.size() == 18);
        for (const auto& b : best) {
            for (const auto& c : t.cells) {
                auto rest = c.values;
                rest[0] = "";
                if (rest == b.values && c.replications > 0)
                    CHECK(c.profit_usd <= b.profit_usd);
            }
        }
    }

    TEST_CASE(
        "sweep rows as fleetsim sweep exports them with done and failed and interrupted runs "
        "and quoted values") {
        // The sweep branch's export: one point_id per run, status done / failed / interrupted,
        // a failed run as one row with no class (LEFT JOIN), text quoted where needed.
        TempDir tmp("sweep-shape");
        fleetsim::test::write_file(
            tmp / "sweep.json",
            R"({"name": "s", "base": "b", "keys": ["policy.name", "x.tag"], "points": 5,
                "version": "0.1.0", "done": 3, "failed": 1, "pending": 0})");
        fleetsim::test::write_file(
            tmp / "results.csv",
            "point_id,status,policy.name,x.tag,seed,replication,class,family,gpu_h,revenue_usd,"
            "cost_usd,profit_usd,opportunity_cost_usd\n"
            "1,done,fifo,\"a,b\",1,1,chat,llm,10,50,20,30,1\n"
            "1,done,fifo,\"a,b\",1,1,gen,video,30,20,10,10,2\n"
            "2,done,fifo,\"a,b\",2,2,chat,llm,10,70,20,50,1\n"
            "2,done,fifo,\"a,b\",2,2,gen,video,10,20,10,10,2\n"
            "3,failed,greedy,\"a,b\",1,1,,,,,,,\n"
            "4,interrupted,greedy,\"a,b\",2,2,,,,,,,\n"
            "5,done,greedy,c,1,1,chat,llm,1,2,1,1,0\n");
        const SweepTable t = read_sweep(tmp.path());
        REQUIRE(t.cells.size() == 3);
        const SweepCell& fifo = t.cells[0];
        CHECK(fifo.values == std::vector<std::string>{"fifo", "a,b"});
        CHECK(fifo.replications == 2);
        CHECK(fifo.profit_usd == doctest::Approx((40.0 + 60.0) / 2));
        CHECK(*fifo.video_gpu_h_share == doctest::Approx((30.0 / 40 + 10.0 / 20) / 2));
        CHECK(t.cells[1].replications == 0);
        CHECK(t.cells[1].failed == 2);
        const auto best = best_policies(t, 0);
        REQUIRE(best.size() == 2);  // x.tag "a,b" (only fifo finished) and "c"
        CHECK(best[0].policy == "fifo");
        CHECK_FALSE(best[0].runner_up.has_value());

        // A finished run with a missing figure is an error, not a failure.
        fleetsim::test::write_file(
            tmp / "results.csv",
            "point_id,status,policy.name,x.tag,seed,replication,class,family,gpu_h,revenue_usd,"
            "cost_usd,profit_usd,opportunity_cost_usd\n"
            "1,done,fifo,a,1,1,chat,llm,10,50,20,,1\n");
        CHECK(error_of([&] { read_sweep(tmp.path()); }).find("results.csv:2:12") !=
              std::string::npos);
    }

    TEST_CASE(
        "sweep money figures come from points.csv when the folder has it and the best policy "
        "follows the runs' profit") {
        // Two policies at one setting. By the classes' profit fifo wins (mean 40 against 35);
        // fifo leaves GPUs unallocated (idle cost 30 and 10), so by the runs' profit greedy wins
        // (mean 35 against 20).
        TempDir tmp("sweep-totals");
        fleetsim::test::write_file(
            tmp / "sweep.json",
            R"({"name": "s", "base": "b", "keys": ["policy.name"], "points": 5})");
        const std::string results =
            "point_id,status,policy.name,seed,replication,class,family,gpu_h,revenue_usd,"
            "cost_usd,profit_usd,opportunity_cost_usd\n"
            "0,done,fifo,1,0,chat,llm,10,50,20,30,1\n"
            "0,done,fifo,1,0,gen,video,30,20,10,10,2\n"
            "1,done,fifo,2,1,chat,llm,10,50,20,30,1\n"
            "1,done,fifo,2,1,gen,video,10,20,10,10,2\n"
            "2,done,greedy,1,0,chat,llm,10,60,20,40,3\n"
            "3,done,greedy,2,1,chat,llm,10,50,20,30,3\n"
            "4,failed,greedy,3,2,,,,,,,\n";
        fleetsim::test::write_file(tmp / "results.csv", results);
        // Without points.csv: the classes' sums, and the table says so.
        SweepTable t = read_sweep(tmp.path());
        CHECK_FALSE(t.run_totals);
        REQUIRE(t.cells.size() == 2);
        CHECK(t.cells[0].profit_usd == doctest::Approx(40));
        CHECK(best_policies(t, 0).at(0).policy == "fifo");

        const std::string header =
            "point_id,status,policy.name,seed,replication,exit_code,error,total_revenue_usd,"
            "total_cost_usd,total_profit_usd,total_opportunity_cost_usd,fleet_idle_cost_usd\n";
        fleetsim::test::write_file(tmp / "points.csv", header +
                                                           "0,done,fifo,1,0,0,,70,60,10,3,30\n"
                                                           "1,done,fifo,2,1,0,,70,40,30,3,10\n"
                                                           "2,done,greedy,1,0,0,,60,20,40,3,0\n"
                                                           "3,done,greedy,2,1,0,,50,20,30,3,0\n"
                                                           "4,failed,greedy,3,2,2,\"bad, value\""
                                                           ",,,,,\n");
        t = read_sweep(tmp.path());
        CHECK(t.run_totals);
        const SweepCell& fifo = t.cells[0];
        CHECK(fifo.replications == 2);
        CHECK(fifo.profit_usd == doctest::Approx((10.0 + 30.0) / 2));
        CHECK(fifo.cost_usd == doctest::Approx((60.0 + 40.0) / 2));
        CHECK(fifo.classes_profit_usd == doctest::Approx((40.0 + 40.0) / 2));
        CHECK(t.cells[1].profit_usd == doctest::Approx(35));
        CHECK(t.cells[1].failed == 1);
        const auto best = best_policies(t, 0);
        REQUIRE(best.size() == 1);
        CHECK(best[0].policy == "greedy");
        CHECK(best[0].margin_usd == doctest::Approx(15));
        const OrderedJson data = build_sweep_data(tmp.path(), ReportOptions{});
        CHECK(data["meta"]["profit_of"] == "run");
        CHECK(data["cells"][0]["profit_usd"] == 20.0);
        CHECK(data["cells"][0]["classes_profit_usd"] == 40.0);

        // A run results.csv has as finished but points.csv lacks, or has without its total, is
        // an error naming points.csv, not a silent fall back to the classes.
        fleetsim::test::write_file(tmp / "points.csv", header +
                                                           "0,done,fifo,1,0,0,,70,60,10,3,30\n"
                                                           "1,done,fifo,2,1,0,,70,40,30,3,10\n"
                                                           "2,done,greedy,1,0,0,,60,20,40,3,0\n");
        std::string e = error_of([&] { read_sweep(tmp.path()); });
        CHECK(e.find("points.csv") != std::string::npos);
        CHECK(e.find("point 3") != std::string::npos);
        fleetsim::test::write_file(tmp / "points.csv", header + "0,done,fifo,1,0,0,,70,60,,3,30\n");
        e = error_of([&] { read_sweep(tmp.path()); });
        CHECK(e.find("points.csv:2:10") != std::string::npos);
    }

    TEST_CASE("sweep errors name a swept key missing from results.csv and an unknown --x") {
        TempDir tmp("sweep-bad");
        const std::string dir = fleetsim::test::source_path("tests/fixtures/sweep-contract");
        fleetsim::test::write_file(tmp / "results.csv",
                                   fleetsim::test::read_file(dir + "/results.csv"));
        fleetsim::test::write_file(
            tmp / "sweep.json",
            R"({"name": "x", "keys": ["policy.name", "seed_of_nothing"], "points": 1})");
        const std::string e1 = error_of([&] { read_sweep(tmp.path()); });
        CHECK(e1.find("results.csv:1") != std::string::npos);
        CHECK(e1.find("seed_of_nothing") != std::string::npos);

        fleetsim::test::write_file(tmp / "sweep.json",
                                   fleetsim::test::read_file(dir + "/sweep.json"));
        ReportOptions o;
        o.x_key = "platform.pools.h100-a.gpus";
        const std::string e2 = error_of([&] { build_sweep_data(tmp.path(), o); });
        CHECK(e2.find("--x") != std::string::npos);
        CHECK(e2.find("platform.pools.h100-a.nodes") != std::string::npos);  // lists the keys
        fleetsim::test::write_file(tmp / "sweep.json", R"({"name": "x", "keys": [)");
        CHECK(error_of([&] { read_sweep(tmp.path()); }).find("sweep.json:1:") != std::string::npos);
    }
}
