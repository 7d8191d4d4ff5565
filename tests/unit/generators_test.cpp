// Seeded random streams and rate profiles (sim/generators).
#include "sim/generators/random.hpp"
#include "sim/generators/rate_profile.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

using namespace fleetsim;

namespace {

constexpr int kDraws = 1'000'000;

/** Mean of kDraws samples of `d` from a fresh stream. */
double sample_mean(const DistributionSpec& d, std::uint64_t seed = 1) {
    RandomStream r(seed, "test");
    double sum = 0;
    for (int i = 0; i < kDraws; ++i)
        sum += r.sample(d);
    return sum / kDraws;
}

/** Composite Simpson's rule: an independent check of the closed-form integrals. */
template <class F>
double simpson(F f, double a, double b, int n = 200'000) {
    const double h = (b - a) / n;
    double s = f(a) + f(b);
    for (int i = 1; i < n; ++i)
        s += f(a + i * h) * (i % 2 ? 4 : 2);
    return s * h / 3;
}

}  // namespace

TEST_SUITE("random") {
    TEST_CASE("the same seed and name give the same stream, another seed or name another") {
        RandomStream a(7, "arrivals:chat"), b(7, "arrivals:chat"), c(8, "arrivals:chat"),
            d(7, "arrivals:code");
        int differ_seed = 0, differ_name = 0;
        for (int i = 0; i < 1000; ++i) {
            const double x = a.uniform01();
            CHECK(x == b.uniform01());
            differ_seed += x != c.uniform01();
            differ_name += x != d.uniform01();
        }
        CHECK(differ_seed == 1000);
        CHECK(differ_name == 1000);
        CHECK(derive_seed(1, "x") == derive_seed(1, "x"));
        CHECK(derive_seed(1, "x") != derive_seed(2, "x"));
    }

    // Tolerances: with n = 1e6 independent draws the standard error of a mean is sd / 1000;
    // each tolerance is 5 standard errors or more (a false failure has odds below 1 in 10^6,
    // and the seed is fixed, so the test is deterministic).
    TEST_CASE("uniform01 is in (0, 1) with mean 1/2 (sd 0.2887: tolerance 0.0015)") {
        RandomStream r(3, "u");
        double sum = 0, lo = 1, hi = 0;
        for (int i = 0; i < kDraws; ++i) {
            const double x = r.uniform01();
            sum += x;
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
        CHECK(lo > 0);
        CHECK(hi < 1);
        CHECK(sum / kDraws == doctest::Approx(0.5).epsilon(0.003));
    }

    TEST_CASE("distribution means: exponential, lognormal, uniform, empirical, constant") {
        DistributionSpec e;
        e.shape = DistributionSpec::Shape::exponential;
        e.mean = 5;  // sd 5: SE 0.1%, tolerance 0.5%
        CHECK(sample_mean(e) == doctest::Approx(5).epsilon(0.005));

        DistributionSpec l;
        l.shape = DistributionSpec::Shape::lognormal;
        l.mean = 10;
        l.sigma = 1;  // sd = mean x sqrt(e^1 - 1) = 1.31 x mean: SE 0.13%, tolerance 0.7%
        CHECK(sample_mean(l) == doctest::Approx(10).epsilon(0.007));

        DistributionSpec u;
        u.shape = DistributionSpec::Shape::uniform;
        u.low = 2;
        u.high = 6;  // sd 1.155: SE 0.00116, tolerance 0.006 (0.15%)
        CHECK(sample_mean(u) == doctest::Approx(4).epsilon(0.0015));

        DistributionSpec c;
        c.shape = DistributionSpec::Shape::constant;
        c.value = 3.5;
        CHECK(sample_mean(c) == 3.5);
        CHECK(c.mean_value() == 3.5);
    }

    TEST_CASE("empirical draws follow the weights (SE of a frequency <= 0.0005: tol 0.0025)") {
        DistributionSpec d;
        d.shape = DistributionSpec::Shape::empirical;
        d.values = {1, 2, 3};
        d.weights = {1, 0, 3};
        RandomStream r(5, "e");
        int count[4] = {0, 0, 0, 0};
        for (int i = 0; i < kDraws; ++i)
            count[static_cast<int>(r.sample(d))] += 1;
        CHECK(count[2] == 0);  // weight 0: never
        CHECK(count[1] / double(kDraws) == doctest::Approx(0.25).epsilon(0.01));
        CHECK(count[3] / double(kDraws) == doctest::Approx(0.75).epsilon(0.0034));
        CHECK(d.mean_value() == doctest::Approx(2.5));
        d.weights.clear();  // equal weights
        CHECK(d.mean_value() == doctest::Approx(2));
        CHECK(sample_mean(d) == doctest::Approx(2).epsilon(0.0025));  // sd 0.816: SE 0.04%
    }

    TEST_CASE("normal draws have mean 0 and variance 1") {
        RandomStream r(9, "n");
        double sum = 0, sq = 0;
        for (int i = 0; i < kDraws; ++i) {
            const double x = r.normal();
            sum += x;
            sq += x * x;
        }
        CHECK(std::fabs(sum / kDraws) < 0.005);                   // SE 0.001
        CHECK(sq / kDraws == doctest::Approx(1).epsilon(0.007));  // SE 0.0014
    }
}

TEST_SUITE("rate-profile") {
    TEST_CASE("constant: factor 1, integral = length") {
        RateProfile p{RateProfileSpec{}};
        CHECK(p.factor(12345) == 1);
        CHECK(p.integral(10, 110) == 100);
        CHECK(p.integral(110, 10) == 0);
        CHECK(p.max_factor() == 1);
    }

    TEST_CASE("diurnal: exact integral, a whole day integrates to one day") {
        RateProfileSpec s;
        s.shape = RateProfileSpec::Shape::diurnal;
        s.amplitude = 0.4;
        s.peak_h = 15;
        RateProfile p(s);
        CHECK(p.factor(15 * 3600.0) == doctest::Approx(1.4));
        CHECK(p.factor(3 * 3600.0) == doctest::Approx(0.6));
        CHECK(p.max_factor() == doctest::Approx(1.4));
        CHECK(p.integral(0, 86400) == doctest::Approx(86400).epsilon(1e-12));
        CHECK(p.integral(5000, 5000 + 3 * 86400) == doctest::Approx(3 * 86400).epsilon(1e-12));
        // By hand, peak at 0: integral over [0, 6 h] = 21600 + A / omega (sin(pi / 2) - 0).
        RateProfileSpec z = s;
        z.peak_h = 0;
        CHECK(RateProfile(z).integral(0, 21600) ==
              doctest::Approx(21600 + 0.4 * 86400 / (2 * std::numbers::pi)).epsilon(1e-12));
        // Any interval, against Simpson's rule.
        for (const auto& ab : {std::pair{0.0, 300.0}, {1234.5, 40000.0}, {80000.0, 200000.0}}) {
            // Named copies, not a structured binding: clang 14 cannot capture a binding in
            // CAPTURE's lambda (the fuzz preset builds the tests with clang).
            const double a = ab.first, b = ab.second;
            CAPTURE(a);
            CHECK(p.integral(a, b) ==
                  doctest::Approx(simpson([&](double t) { return p.factor(t); }, a, b))
                      .epsilon(1e-9));
        }
    }

    TEST_CASE("trace: piecewise constant, exact, periodic or not") {
        RateProfileSpec s;
        s.shape = RateProfileSpec::Shape::trace;
        s.points_t_s = {100, 250, 400};
        s.points_factor = {3, 0.5, 2};
        RateProfile p(s);
        CHECK(p.factor(0) == 3);  // the first factor also holds before the first point
        CHECK(p.factor(100) == 3);
        CHECK(p.factor(260) == 0.5);
        CHECK(p.factor(1e9) == 2);  // the last holds for ever
        CHECK(p.max_factor() == 3);
        // [50, 450]: 50 x 3 + 150 x 3 + 150 x 0.5 + 50 x 2 = 775
        CHECK(p.integral(50, 450) == doctest::Approx(775).epsilon(1e-12));

        s.period_s = 500;  // [0,250) 3, [250,400) 0.5, [400,500) 2 = 750 + 75 + 200 = 1025
        RateProfile q(s);
        CHECK(q.factor(600) == 3);
        CHECK(q.factor(760) == 0.5);
        CHECK(q.integral(0, 500) == doctest::Approx(1025).epsilon(1e-12));
        CHECK(q.integral(0, 1500) == doctest::Approx(3 * 1025).epsilon(1e-12));
        // [450, 800]: 50 x 2 + 250 x 3 + 50 x 0.5 = 875
        CHECK(q.integral(450, 800) == doctest::Approx(875).epsilon(1e-12));
    }
}
