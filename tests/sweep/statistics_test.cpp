// The sweep's statistics (sim/stats/statistics.hpp) on numbers small enough to work by hand:
// every expected value below is computed in the comments, with t quantiles read from a printed
// table of Student's t (two-sided 95%: t(0.975, dof)), never from the code under test.
#include "sim/stats/statistics.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace fleetsim::sweep;

namespace {

/** A sweep of `values` per policy (first key) and seed, one run-level figure "profit_usd". */
SweepRuns two_policies(const std::vector<double>& a, const std::vector<double>& b) {
    SweepRuns runs;
    runs.keys = {"policy.name", "policy.params"};
    runs.figures = {{"", "profit_usd"}};
    long long id = 0;
    for (const auto& [policy, params, values] :
         {std::tuple{"static-partition", "{shares: {a: 1}}", a}, std::tuple{"fifo", "{}", b}}) {
        for (std::size_t s = 0; s < values.size(); ++s) {
            SweepRun r;
            r.point_id = id++;
            r.values = {policy, params};
            r.seed = std::to_string(11 + s);
            r.done = true;
            r.figures = {values[s]};
            runs.runs.push_back(r);
        }
    }
    return runs;
}

}  // namespace

TEST_SUITE("sweep statistics") {
    TEST_CASE("t quantiles agree with a printed table") {
        // Two-sided 95% (p = 0.975) and one-sided 95% (p = 0.95), from any table of Student's t,
        // which gives three decimals: equal to within half of the last one.
        CHECK(std::fabs(t_quantile(0.975, 1) - 12.706) <= 0.0005);
        CHECK(std::fabs(t_quantile(0.975, 2) - 4.303) <= 0.0005);
        CHECK(std::fabs(t_quantile(0.975, 3) - 3.182) <= 0.0005);
        CHECK(std::fabs(t_quantile(0.975, 4) - 2.776) <= 0.0005);
        CHECK(std::fabs(t_quantile(0.975, 9) - 2.262) <= 0.0005);
        CHECK(std::fabs(t_quantile(0.975, 30) - 2.042) <= 0.0005);
        CHECK(std::fabs(t_quantile(0.95, 10) - 1.812) <= 0.0005);
    }

    TEST_CASE("a t-interval matches a hand computation") {
        // 10, 12, 17: mean 13; deviations -3, -1, 4, squares 9 + 1 + 16 = 26, s^2 = 26/2 = 13,
        // s = 3.6055513; standard error s/sqrt(3) = 2.0816660; t(0.975, 2) = 4.303 (table):
        // half width 8.9574 -> [4.0426, 21.9574].
        const Interval i = t_interval({10, 12, 17});
        CHECK(i.n == 3);
        CHECK(i.mean == 13);
        REQUIRE(i.sd.has_value());
        CHECK(*i.sd == doctest::Approx(3.6055513).epsilon(1e-8));
        // The table's t has 4 digits: 4.303 against 4.30265..., 0.0008 on the half width.
        CHECK(*i.low == doctest::Approx(4.0426).epsilon(2e-4));
        CHECK(*i.high == doctest::Approx(21.9574).epsilon(2e-4));
        // Equal values: that value and no spread, exactly (in doubles 0.1 + 0.1 + 0.1 is
        // 0.30000000000000004, and a third of it is not 0.1): a figure no seed moves must not
        // get an interval of rounding errors.
        const double v = 0.1;
        REQUIRE((v + v + v) / 3 != v);
        const Interval same = t_interval({v, v, v});
        CHECK(same.mean == v);
        CHECK(*same.sd == 0);
        CHECK(*same.low == v);
        CHECK(*same.high == v);
        // One value: a mean, no spread.
        const Interval one = t_interval({5});
        CHECK(one.mean == 5);
        CHECK_FALSE(one.sd.has_value());
        CHECK_FALSE(one.low.has_value());
    }

    TEST_CASE("paired differences over shared seeds are tighter than two intervals") {
        // Baseline static-partition 10, 12, 17 and fifo 13, 14, 21 on seeds 11, 12, 13.
        // fifo alone: mean 16; deviations -3, -2, 5, squares 38, s^2 = 19, s = 4.3589, standard
        // error 2.5166, half width 4.303 x 2.5166 = 10.829: [5.171, 26.829]; static-partition
        // [4.043, 21.957] (above). The intervals overlap, yet seed by seed fifo is ahead by
        // 3, 2, 4: mean 3, deviations 0, -1, 1, s^2 = 2/2 = 1, s = 1, standard error 0.57735,
        // half width 4.303 x 0.57735 = 2.4843: [0.5157, 5.4843], above zero.
        Analysis analysis;
        analysis.baseline[0] = "static-partition";
        analysis.baseline_follows = {1};  // policy.params is zipped with policy.name
        const SweepStatistics s =
            compute_statistics(two_policies({10, 12, 17}, {13, 14, 21}), analysis);
        REQUIRE(s.settings.size() == 2);
        CHECK(s.settings[1].values == std::vector<std::string>{"fifo", "{}"});
        CHECK(s.settings[1].first_point == 3);
        REQUIRE(s.stats.size() == 2);
        CHECK(s.stats[1].interval.mean == 16);
        CHECK(*s.stats[1].interval.sd == doctest::Approx(4.3588989).epsilon(1e-8));
        CHECK(*s.stats[1].interval.low == doctest::Approx(5.171).epsilon(2e-4));
        CHECK(*s.stats[1].interval.high == doctest::Approx(26.829).epsilon(2e-4));
        REQUIRE(s.paired.size() == 1);  // the baseline is not compared with itself
        const PairedStat& p = s.paired[0];
        CHECK(p.setting == 1);
        CHECK(p.baseline == 0);
        CHECK(p.difference.n == 3);
        CHECK(p.difference.mean == 3);
        CHECK(*p.difference.sd == 1);
        CHECK(*p.difference.low == doctest::Approx(0.5157).epsilon(2e-4));
        CHECK(*p.difference.high == doctest::Approx(5.4843).epsilon(2e-4));

        // Only seeds both ran are paired: fifo's seed 13 failed, so d = 3, 2: mean 2.5.
        SweepRuns gap = two_policies({10, 12, 17}, {13, 14, 21});
        gap.runs[5].done = false;
        gap.runs[5].figures.clear();
        const SweepStatistics g = compute_statistics(gap, analysis);
        CHECK(g.paired[0].difference.n == 2);
        CHECK(g.paired[0].difference.mean == 2.5);
        CHECK(g.settings[1].failed == 1);
        // Without policy.params following the policy, no setting has a baseline to pair with.
        Analysis strict = analysis;
        strict.baseline_follows.clear();
        CHECK(compute_statistics(two_policies({1}, {2}), strict).paired.empty());
    }

    TEST_CASE("slopes with an intercept per seed match a hand computation") {
        // Seeds A and B, x = 1, 2, 3 in each: y_A = 7, 9, 12, y_B = 11, 14, 15. Within each
        // seed, x - mean = -1, 0, 1 (sum of squares 2); y_A - 9.333 = -2.333, -0.333, 2.667
        // (cross products sum 5), y_B - 13.333 = -2.333, 0.667, 1.667 (sum 4). Slope
        // (5 + 4) / (2 + 2) = 2.25. Residuals A: -0.0833, -0.3333, 0.4167; B: -0.0833, 0.6667,
        // -0.5833: squares sum to 1.08333. Degrees of freedom 6 - 2 seeds - 1 = 3; standard error
        // sqrt(1.08333 / 3 / 4) = 0.300463; t(0.975, 3) = 3.182 (table): 2.25 -/+ 0.95607 =
        // [1.2939, 3.2061].
        const auto s = blocked_slope({1, 2, 3, 1, 2, 3}, {7, 9, 12, 11, 14, 15},
                                     {"A", "A", "A", "B", "B", "B"});
        REQUIRE(s.has_value());
        CHECK(s->n == 6);
        CHECK(s->slope == doctest::Approx(2.25).epsilon(1e-12));
        CHECK(*s->low == doctest::Approx(1.2939).epsilon(2e-4));
        CHECK(*s->high == doctest::Approx(3.2061).epsilon(2e-4));
        // A figure the key does not move (0.1 in seed A, 0.7 in seed B, whatever x is): a slope
        // of exactly 0 with an interval of no width, not rounding errors around it.
        const auto flat =
            blocked_slope({0.04, 0.08, 0.16, 0.04, 0.08, 0.16}, {0.1, 0.1, 0.1, 0.7, 0.7, 0.7},
                          {"A", "A", "A", "B", "B", "B"});
        REQUIRE(flat.has_value());
        CHECK(flat->slope == 0);
        CHECK(*flat->low == 0);
        CHECK(*flat->high == 0);
        // x that never moves within a seed has no slope.
        CHECK_FALSE(blocked_slope({1, 1, 2, 2}, {1, 2, 3, 4}, {"A", "A", "B", "B"}).has_value());
        // Two parameters moving together (a sample design): y = 3 x1 - 2 x2 + a per-seed offset,
        // exactly, gives 3 and -2 with intervals of no width.
        const std::vector<double> x1 = {1, 2, 3, 4, 1, 2, 3, 4}, x2 = {5, 3, 4, 1, 2, 2, 7, 1};
        std::vector<double> y;
        std::vector<std::string> seed;
        for (std::size_t i = 0; i < x1.size(); ++i) {
            y.push_back(3 * x1[i] - 2 * x2[i] + (i < 4 ? 100 : -40));
            seed.push_back(i < 4 ? "1" : "2");
        }
        const auto both = blocked_slopes({x1, x2}, y, seed);
        REQUIRE(both.has_value());
        CHECK((*both)[0].slope == doctest::Approx(3).epsilon(1e-12));
        CHECK((*both)[1].slope == doctest::Approx(-2).epsilon(1e-12));
        CHECK(std::fabs(*(*both)[1].high - *(*both)[1].low) < 1e-9);
        // Collinear parameters: no separate slopes.
        CHECK_FALSE(blocked_slopes({x1, x1}, y, seed).has_value());
    }

    TEST_CASE("a one-at-a-time design moves each key alone around its base") {
        // Keys price (base 2) and energy (base 0.1); y = 5 x price - 30 x energy + seed offset.
        // The price line is the three points where energy is at its base, and the other way
        // round; the base point belongs to both.
        SweepRuns runs;
        runs.keys = {"price", "energy"};
        runs.figures = {{"", "y"}};
        const std::vector<std::pair<std::string, std::string>> rows = {
            {"2", "0.1"}, {"1", "0.1"}, {"4", "0.1"}, {"2", "0.3"}};
        long long id = 0;
        for (const auto& [price, energy] : rows) {
            for (const std::string seed : {"1", "2"}) {
                SweepRun r;
                r.point_id = id++;
                r.values = {price, energy};
                r.seed = seed;
                r.done = true;
                r.figures = {5 * std::stod(price) - 30 * std::stod(energy) + (seed == "1" ? 7 : 9)};
                runs.runs.push_back(r);
            }
        }
        Analysis analysis;
        analysis.designs.push_back({Design::Kind::one_at_a_time, 0, {0, 1}, {"2", "0.1"}});
        const SweepStatistics s = compute_statistics(runs, analysis);
        REQUIRE(s.effects.size() == 2);
        CHECK(s.effects[0].key == 0);
        CHECK(s.effects[0].n == 6);  // 3 prices x 2 seeds
        CHECK(s.effects[0].low == 1);
        CHECK(s.effects[0].high == 4);
        CHECK(s.effects[0].slope == doctest::Approx(5).epsilon(1e-12));
        CHECK(s.effects[1].key == 1);
        CHECK(s.effects[1].n == 4);  // 2 energy prices x 2 seeds
        CHECK(s.effects[1].slope == doctest::Approx(-30).epsilon(1e-12));
        // With 4 points and 2 seeds there is no residual left for an interval: 4 - 2 - 1 = 1
        // degree of freedom, and a residual of exactly zero.
        CHECK(*s.effects[1].slope_high - *s.effects[1].slope_low ==
              doctest::Approx(0).epsilon(1e-9));
    }

    TEST_CASE("a line crosses its baseline where the difference changes sign") {
        // d = -2, -1, 1, 0 at x = 0, 1, 2, 3: between 1 and 2, 1 + 1 x (-1) / (-1 - 1) = 1.5;
        // and at 3, where d is 0.
        CHECK(zero_crossings({0, 1, 2, 3}, {-2, -1, 1, 0}) == std::vector<double>{1.5, 3});
        CHECK(zero_crossings({0, 1}, {1, 2}).empty());
        // A figure the key does not move: the lines coincide everywhere and cross nowhere; where
        // they coincide over a stretch only, the sign change beside it still counts.
        CHECK(zero_crossings({1, 2, 3}, {0, 0, 0}).empty());
        CHECK(zero_crossings({1, 2, 3, 4}, {0, 0, 1, -1}) == std::vector<double>{3.5});
        // 0.02 -> -3000, 0.05 -> 1500: 0.02 + 0.03 x 3000 / 4500 = 0.04.
        const auto c = zero_crossings({0.02, 0.05}, {-3000, 1500});
        REQUIRE(c.size() == 1);
        CHECK(c[0] == doctest::Approx(0.04).epsilon(1e-12));
    }

    TEST_CASE("the analysis travels as JSON by key name") {
        const std::vector<std::string> keys = {"policy.name", "policy.params", "price"};
        Analysis a;
        a.baseline[0] = "fifo";
        a.baseline_follows = {1};
        a.designs.push_back({Design::Kind::one_at_a_time, 2, {2}, {"0.05"}});
        const auto j = analysis_to_json(a, keys);
        CHECK(j["baseline"]["policy.name"] == "fifo");
        CHECK(j["designs"][0]["method"] == "one_at_a_time");
        const Analysis back = analysis_from_json(j, keys);
        CHECK(back.baseline == a.baseline);
        CHECK(back.baseline_follows == a.baseline_follows);
        CHECK(back.designs[0].keys == std::vector<std::size_t>{2});
        CHECK(back.designs[0].base == std::vector<std::string>{"0.05"});
        CHECK_THROWS(analysis_from_json(j, {"policy.name"}));
    }
}
