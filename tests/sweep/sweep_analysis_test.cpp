// Whole sweeps through the fleetsim binary, for what a researcher asks of one: intervals over
// seeds and paired differences (checked against a hand computation), a sweep that grows by a
// seed, slopes of a one-at-a-time design on a response known to be linear, and the checks that
// stop a sweep before it runs anything.
#include "tests/support/results.hpp"
#include "tests/sweep/sweep_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <cmath>
#include <filesystem>
#include <map>

using namespace fleetsim::test;
namespace fs = std::filesystem;

namespace {

using Csv = std::vector<std::vector<std::string>>;

/** The build writes report.html (not when configured with -DFLEETSIM_REPORT=OFF). */
constexpr bool kWithReport = FLEETSIM_WITH_REPORT;

/** The rows of a parsed CSV as column name -> cell. */
std::vector<std::map<std::string, std::string>> rows_of(const Csv& csv) {
    std::vector<std::map<std::string, std::string>> out;
    for (std::size_t r = 1; r < csv.size(); ++r) {
        std::map<std::string, std::string> row;
        for (std::size_t k = 0; k < csv[0].size(); ++k)
            row[csv[0][k]] = csv[r].at(k);
        out.push_back(row);
    }
    return out;
}

/** The one row of `rows` whose cells match every (column, value) of `where`. */
std::map<std::string, std::string> find_row(
    const std::vector<std::map<std::string, std::string>>& rows,
    const std::map<std::string, std::string>& where) {
    std::vector<std::map<std::string, std::string>> found;
    for (const auto& r : rows) {
        bool all = true;
        for (const auto& [k, v] : where)
            all = all && r.at(k) == v;
        if (all)
            found.push_back(r);
    }
    REQUIRE(found.size() == 1);
    return found.front();
}

Csv read_csv(const std::string& path) {
    return csv_records(read_file(path));
}

// Two policies, three seeds, one simulated day of the default lab.
const char* kTwoPolicies = R"(seeds: [11, 12, 13]
vary:
  - zip:
      policy.name: [static-partition, revenue-greedy]
      policy.params: [{shares: {chat: 0.4, coding: 0.15, llm-training: 0.3, video-gen: 0.1, video-training: 0.05}}, {}]
)";

}  // namespace

TEST_SUITE("sweep analysis") {
    TEST_CASE("intervals over seeds and paired differences match a hand computation") {
        TempDir tmp("sweep-hand");
        std::string body = kTwoPolicies;
        const auto file = write_sweep(tmp, "hand", body);
        // One day rather than write_sweep's six hours: profits then differ from seed to seed
        // by policy, so the paired interval has a width to check.
        write_file(file, [&] {
            std::string text = read_file(file);
            text.replace(text.find("horizon_s: 21600"), 16, "horizon_s: 86400");
            return text;
        }());
        auto r = run_fleetsim({"sweep", file, "-j", "2", "--out", tmp / "out", "-q"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);

        // The six runs' total_profit_usd, by policy and seed. When this test was written they
        // were (USD): static-partition 255,210.36 (seed 11), 248,416.54 (12), 255,467.60 (13);
        // revenue-greedy 319,024.52, 317,000.11, 311,958.63. By hand, from those:
        //   static-partition: mean 759,094.50 / 3 = 253,031.50; deviations 2,178.86,
        //     -4,614.96, 2,436.10; squares 4,747,431 + 21,297,856 + 5,934,583 = 31,979,870;
        //     s^2 = 15,989,935, s = 3,998.74; standard error s / sqrt(3) = 2,308.67;
        //     t(0.975, 2) = 4.303 (table): 253,031.50 -/+ 9,934.2.
        //   revenue-greedy minus static-partition, seed by seed: 63,814.16, 68,583.57,
        //     56,491.03; mean 62,962.92; deviations 851.24, 5,620.65, -6,471.89; squares
        //     724,610 + 31,591,706 + 41,885,360 = 74,201,676; s^2 = 37,100,838, s = 6,091.05;
        //     standard error 3,516.66; 62,962.92 -/+ 4.303 x 3,516.66 = -/+ 15,132.2.
        // The test repeats that arithmetic on the runs' figures as they are now (the model may
        // change them), with the same table value of t.
        const auto points = rows_of(read_csv(tmp / "out/points.csv"));
        REQUIRE(points.size() == 6);
        std::map<std::string, std::vector<double>> profit;  // policy -> by seed 11, 12, 13
        for (const auto& p : points) {
            CHECK(p.at("seed") == std::to_string(11 + profit[p.at("policy.name")].size()));
            profit[p.at("policy.name")].push_back(std::stod(p.at("total_profit_usd")));
        }
        const double t_2 = 4.303;  // t(0.975, 2 degrees of freedom), from a table
        struct Hand {
            double mean, sd, half;
        };
        auto by_hand = [&](const std::vector<double>& x) {
            REQUIRE(x.size() == 3);
            const double mean = (x[0] + x[1] + x[2]) / 3;
            double ss = 0;
            for (double v : x)
                ss += (v - mean) * (v - mean);
            const double sd = std::sqrt(ss / 2);
            return Hand{mean, sd, t_2 * sd / std::sqrt(3.0)};
        };
        const auto stats = rows_of(read_csv(tmp / "out/stats.csv"));
        for (const char* policy : {"static-partition", "revenue-greedy"}) {
            CAPTURE(policy);
            const Hand h = by_hand(profit[policy]);
            const auto row = find_row(
                stats, {{"policy.name", policy}, {"class", ""}, {"figure", "total_profit_usd"}});
            CHECK(row.at("n") == "3");
            CHECK(std::stod(row.at("mean")) == doctest::Approx(h.mean).epsilon(1e-12));
            CHECK(std::stod(row.at("sd")) == doctest::Approx(h.sd).epsilon(1e-9));
            // The table's t has four digits (4.303 for 4.30265...): the half width to 1e-4.
            const double half =
                (std::stod(row.at("ci95_high")) - std::stod(row.at("ci95_low"))) / 2;
            CHECK(half == doctest::Approx(h.half).epsilon(1e-4));
            CHECK((std::stod(row.at("ci95_high")) + std::stod(row.at("ci95_low"))) / 2 ==
                  doctest::Approx(h.mean).epsilon(1e-12));
        }
        std::vector<double> d;
        for (std::size_t s = 0; s < 3; ++s)
            d.push_back(profit["revenue-greedy"][s] - profit["static-partition"][s]);
        const Hand hd = by_hand(d);
        const auto paired = rows_of(read_csv(tmp / "out/paired.csv"));
        // The baseline is the first policy (no `baseline:` in the file): only revenue-greedy is
        // compared, with it, and policy.params follows the policy.
        const auto row = find_row(paired, {{"class", ""}, {"figure", "total_profit_usd"}});
        CHECK(row.at("policy.name") == "revenue-greedy");
        CHECK(row.at("setting_id") == "1");
        CHECK(row.at("baseline_setting_id") == "0");
        CHECK(row.at("n") == "3");
        CHECK(std::stod(row.at("mean_difference")) == doctest::Approx(hd.mean).epsilon(1e-9));
        CHECK(std::stod(row.at("sd_difference")) == doctest::Approx(hd.sd).epsilon(1e-9));
        const double half = (std::stod(row.at("ci95_high")) - std::stod(row.at("ci95_low"))) / 2;
        CHECK(half == doctest::Approx(hd.half).epsilon(1e-4));
        // The paired interval is narrower than either policy's own: seeds are shared.
        CHECK(half <
              by_hand(profit["static-partition"]).half + by_hand(profit["revenue-greedy"]).half);

        // The database holds the same figures (stats.csv is its export).
        SQLite::Database db(tmp / "out/sweep.db", SQLite::OPEN_READONLY);
        SQLite::Statement q(db, R"(SELECT s."policy.name", t.mean FROM stats t JOIN settings s
                                   USING (setting_id) WHERE t.figure = 'total_profit_usd' AND
                                   t."class" = '' ORDER BY setting_id)");
        REQUIRE(q.executeStep());
        CHECK(q.getColumn(0).getString() == "static-partition");
        CHECK(q.getColumn(1).getDouble() ==
              doctest::Approx(by_hand(profit["static-partition"]).mean).epsilon(1e-12));
        CHECK(db.execAndGet("SELECT count(*) FROM settings").getInt() == 2);
        CHECK(db.execAndGet("SELECT done FROM settings WHERE setting_id = 1").getInt() == 3);
        // Per class and per family too: video-gen's GPU-hours, the video family's share.
        CHECK(db.execAndGet("SELECT count(*) FROM stats WHERE \"class\" = 'video-gen' AND figure "
                            "= 'gpu_h'")
                  .getInt() == 2);
        CHECK(db.execAndGet("SELECT count(*) FROM paired WHERE figure = 'video_gpu_h_share'")
                  .getInt() == 1);
    }

    TEST_CASE("a finished sweep extended by one seed runs only the new points") {
        TempDir tmp("sweep-grow");
        const std::string body = R"(seed: 3
replications: {}
vary:
  - grid:
      workload.classes.video-gen.price_usd_per_unit: [0.05, 0.2]
  - zip:
      policy.name: [static-partition, revenue-greedy]
      policy.params: [{{shares: {{chat: 0.4, coding: 0.15, llm-training: 0.3, video-gen: 0.1, video-training: 0.05}}}}, {{}}]
)";
        const auto file = write_sweep(tmp, "grow", fmt::format(fmt::runtime(body), 2));
        REQUIRE(run_fleetsim({"sweep", file, "-j", "2", "--out", tmp / "grown", "-q"}).exit_code ==
                0);
        // The same file with a third replication: 4 settings x 1 new seed.
        write_sweep(tmp, "grow", fmt::format(fmt::runtime(body), 3));
        auto grown = run_fleetsim({"sweep", file, "-j", "2", "--out", tmp / "grown"});
        INFO(grown.err);
        REQUIRE(grown.exit_code == 0);
        // Seeds 3 and 4 before, 3 to 5 now: one new seed, no new setting.
        CHECK(grown.out.find("grew from 8 to 12 points (0 new settings, 1 new seed: 5); the "
                             "folder's 8 finished points are kept, 4 to run") != std::string::npos);
        CHECK(grown.out.find("this run: 4 points") != std::string::npos);
        // The same file from the start: the same database and the same files, byte for byte.
        REQUIRE(run_fleetsim({"sweep", file, "-j", "2", "--out", tmp / "fresh", "-q"}).exit_code ==
                0);
        CHECK(dump_sweep_db(tmp / "grown/sweep.db") == dump_sweep_db(tmp / "fresh/sweep.db"));
        for (const char* f : {"points.csv", "results.csv", "stats.csv", "paired.csv", "effects.csv",
                              "sweep.json", "report.html"}) {
            CAPTURE(f);
            if (!kWithReport && std::string(f) == "report.html")
                continue;
            CHECK(read_file(tmp / ("grown/" + std::string(f))) ==
                  read_file(tmp / ("fresh/" + std::string(f))));
        }
        // Nothing left to run.
        auto again = run_fleetsim({"sweep", file, "--out", tmp / "grown"});
        CHECK(again.out.find("this run: 0 points") != std::string::npos);
        CHECK(again.out.find("grew") == std::string::npos);
        // A third price: one new setting per policy, each with the three seeds.
        write_file(file, [&] {
            std::string text = read_file(file);
            text.replace(text.find("[0.05, 0.2]"), 11, "[0.05, 0.2, 0.5]");
            return text;
        }());
        auto wider = run_fleetsim({"sweep", file, "-j", "2", "--out", tmp / "grown"});
        INFO(wider.err);
        REQUIRE(wider.exit_code == 0);
        CHECK(wider.out.find("grew from 12 to 18 points (2 new settings, 0 new seeds); the "
                             "folder's 12 finished points are kept, 6 to run") !=
              std::string::npos);
    }

    TEST_CASE("a one-at-a-time design on a linear response recovers the slopes") {
        TempDir tmp("sweep-oat");
        // tests/scenarios/data/mixed.yaml under fifo, which never looks at a price: what is
        // served, and what runs where, does not depend on chat's price or on the energy price.
        // So, for each seed s, exactly:
        //   total_revenue_usd = chat price x chat served_units(s) + (the rest),
        //   total_cost_usd = energy price x fleet_energy_kwh(s) + (the rest),
        // lines whose slopes b_s (served units, facility energy) differ a little by seed. The
        // fit, y = a_s + b x with an intercept per seed, over the same k values in both seeds:
        // within a seed x' = x - mean(x), sum of squares S; y' = b_s x'; b = (b_1 S + b_2 S) /
        // 2S = the mean of b_1 and b_2; residuals (b_s - b) x', whose squares sum to
        // 2 S (D/2)^2 = S D^2 / 2 with D = b_1 - b_2; degrees of freedom 2k - 2 - 1; variance
        // of b: (S D^2 / 2) / dof / 2S = D^2 / (4 dof); half width t(0.975, dof) |D| / (2
        // sqrt(dof)). Prices (k = 4: 1, 2, 3, 4): dof 5, t = 2.571 (table); energy prices
        // (k = 3: 0.05, 0.1, 0.2): dof 3, t = 3.182 (table). The cross slopes are 0.
        const std::string file = tmp / "oat.yaml";
        write_file(file, fmt::format(R"(name: oat
base: {}
set:
  horizon_s: 43200
  policy: {{name: fifo, params: {{}}}}
replications: 2
vary:
  - one_at_a_time:
      workload.classes.chat.price_usd_per_unit: {{base: 2.0, values: [1.0, 3.0, 4.0]}}
      platform.sites.s.energy_usd_per_kwh: {{base: 0.1, values: [0.05, 0.2]}}
)",
                                     source_path("tests/scenarios/data/mixed.yaml")));
        auto r = run_fleetsim({"sweep", file, "-j", "2", "--out", tmp / "out", "-q"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        // The base point, then 3 chat prices, then 2 energy prices: 6 settings x 2 seeds.
        const auto points = rows_of(read_csv(tmp / "out/points.csv"));
        REQUIRE(points.size() == 12);
        CHECK(points[0].at("workload.classes.chat.price_usd_per_unit") == "2");
        CHECK(points[0].at("platform.sites.s.energy_usd_per_kwh") == "0.1");
        CHECK(points[2].at("workload.classes.chat.price_usd_per_unit") == "1");
        CHECK(points[2].at("platform.sites.s.energy_usd_per_kwh") == "0.1");
        CHECK(points[8].at("workload.classes.chat.price_usd_per_unit") == "2");
        CHECK(points[8].at("platform.sites.s.energy_usd_per_kwh") == "0.05");

        // b_s from the base point's runs: point 0 is seed 3, point 1 seed 4.
        std::map<std::string, double> served;
        for (const auto& c : rows_of(read_csv(tmp / "out/results.csv"))) {
            if ((c.at("point_id") == "0" || c.at("point_id") == "1") && c.at("class") == "chat")
                served[c.at("point_id")] = std::stod(c.at("served_units"));
        }
        REQUIRE(served.size() == 2);
        const double energy_0 = std::stod(points[0].at("fleet_energy_kwh")),
                     energy_1 = std::stod(points[1].at("fleet_energy_kwh"));
        const double chat_served = (served["0"] + served["1"]) / 2,
                     energy_kwh = (energy_0 + energy_1) / 2;
        const double served_half =
                         2.571 * std::fabs(served["0"] - served["1"]) / (2 * std::sqrt(5.0)),
                     energy_half = 3.182 * std::fabs(energy_0 - energy_1) / (2 * std::sqrt(3.0));
        REQUIRE(chat_served > 0);
        REQUIRE(energy_kwh > 0);
        CHECK(served_half > 0);  // the seeds differ: the intervals have a width to check
        CHECK(energy_half > 0);

        const auto effects = rows_of(read_csv(tmp / "out/effects.csv"));
        auto effect = [&](const std::string& key, const std::string& figure) {
            return find_row(effects, {{"key", key}, {"class", ""}, {"figure", figure}});
        };
        const std::string price = "workload.classes.chat.price_usd_per_unit",
                          energy = "platform.sites.s.energy_usd_per_kwh";
        auto check_slope = [&](const std::map<std::string, std::string>& e, double expected,
                               double half, double scale) {
            CAPTURE(e.at("key"));
            CAPTURE(e.at("figure"));
            CHECK(e.at("method") == "one_at_a_time");
            CHECK(std::stod(e.at("slope")) == doctest::Approx(expected).scale(scale).epsilon(1e-9));
            // The table's t has four digits; a half width of 0 is 0 to rounding.
            const double shown =
                (std::stod(e.at("slope_ci95_high")) - std::stod(e.at("slope_ci95_low"))) / 2;
            CHECK(shown == doctest::Approx(half).scale(1e-9 * scale).epsilon(2e-4));
        };
        const auto revenue_price = effect(price, "total_revenue_usd");
        check_slope(revenue_price, chat_served, served_half, chat_served);
        CHECK(revenue_price.at("n") == "8");  // 4 prices (base included) x 2 seeds
        CHECK(revenue_price.at("low") == "1");
        CHECK(revenue_price.at("high") == "4");
        // change = slope x (4 - 1): what chat's price range moves revenue by.
        CHECK(std::stod(revenue_price.at("change")) ==
              doctest::Approx(3 * chat_served).epsilon(1e-9));
        check_slope(effect(price, "total_profit_usd"), chat_served, served_half, chat_served);
        check_slope(effect(price, "total_cost_usd"), 0, 0, chat_served);
        check_slope(effect(energy, "total_cost_usd"), energy_kwh, energy_half, energy_kwh);
        check_slope(effect(energy, "total_profit_usd"), -energy_kwh, energy_half, energy_kwh);
        check_slope(effect(energy, "total_revenue_usd"), 0, 0, energy_kwh);
        CHECK(effect(energy, "total_cost_usd").at("n") == "6");  // 3 energy prices x 2 seeds
        // Per class as well: chat's revenue moves with its price, video-gen's does not.
        CHECK(std::stod(
                  find_row(effects, {{"key", price}, {"class", "chat"}, {"figure", "revenue_usd"}})
                      .at("slope")) == doctest::Approx(chat_served).epsilon(1e-9));
    }

    TEST_CASE("a misspelt policy or a rejected value stops a sweep before any point runs") {
        TempDir tmp("sweep-check");
        // Lines 1-5 are write_sweep's header; the body starts at line 6.
        const auto flow = write_sweep(tmp, "flow", R"(vary:
  - zip:
      policy.name: [revenue-greedy, fifoo]
      policy.params: [{}, {}]
)");
        auto r = run_fleetsim({"sweep", flow, "--out", tmp / "flow"});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find(flow + ":8:") != std::string::npos);
        CHECK(r.err.find("unknown policy 'fifoo', did you mean 'fifo'?") != std::string::npos);
        CHECK(!fs::exists(tmp / "flow"));  // no folder, no database: nothing ran

        // In a block list each value has its own line (here whole policies, name and
        // parameters together), and every problem is reported, each once.
        const auto block = write_sweep(tmp, "block", R"(vary:
  - grid:
      policy:
        - {name: fifo, params: {}}
        - {name: revenue-greedyy, params: {}}
  - grid:
      workload.classes.video-gen.price_usd_per_unit: [0.05, -1]
)");
        auto b = run_fleetsim({"sweep", block, "--out", tmp / "block"});
        CHECK(b.exit_code == 2);
        CHECK(b.err.find(block + ":10:") != std::string::npos);  // revenue-greedyy
        CHECK(b.err.find("unknown policy 'revenue-greedyy'") != std::string::npos);
        CHECK(b.err.find(block + ":12:") != std::string::npos);  // the price -1
        CHECK(b.err.find("price_usd_per_unit") != std::string::npos);
        CHECK(!fs::exists(tmp / "block"));
    }

    TEST_CASE("off a terminal a sweep prints plain progress lines and writes its report") {
        TempDir tmp("sweep-log");
        const auto file =
            write_sweep(tmp, "log", "replications: 2\nvary:\n  - grid:\n      tick_s: [300]\n");
        // stderr is a pipe here, as under mpirun or Slurm: with --progress-every 0, the first
        // and the last line only.
        auto r = run_fleetsim({"sweep", file, "--out", tmp / "out", "--progress-every", "0"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        // (A build without the report says so first, on a line of its own.)
        const std::string progress = kWithReport ? r.err : r.err.substr(r.err.find('\n') + 1);
        CHECK(progress.rfind("sweep log: 0/2 points (0 failed)", 0) == 0);
        CHECK(progress.find("sweep log: 2/2 points (0 failed)") != std::string::npos);
        CHECK(r.err.find('\r') == std::string::npos);  // no redrawn bar
        CHECK(fs::exists(tmp / "out/report.html") == kWithReport);
        CHECK((r.out.find("report.html") != std::string::npos) == kWithReport);
        auto quiet = run_fleetsim({"sweep", file, "--out", tmp / "bare", "-q", "--no-report"});
        CHECK(quiet.exit_code == 0);
        CHECK(quiet.err.empty());
        CHECK(!fs::exists(tmp / "bare/report.html"));
        // Swept keys under plain SQL names in the points_plain view.
        const auto keyed = write_sweep(tmp, "keyed", R"(vary:
  - grid:
      workload.classes.video-gen.price_usd_per_unit: [0.05]
)");
        REQUIRE(run_fleetsim({"sweep", keyed, "--out", tmp / "keyed", "-q"}).exit_code == 0);
        SQLite::Database db(tmp / "keyed/sweep.db", SQLite::OPEN_READONLY);
        CHECK(db.execAndGet("SELECT workload_classes_video_gen_price_usd_per_unit FROM "
                            "points_plain")
                  .getDouble() == 0.05);
        CHECK(db.execAndGet("SELECT count(*) FROM results_plain WHERE "
                            "workload_classes_video_gen_price_usd_per_unit = 0.05")
                  .getInt() == 5);
    }
}
