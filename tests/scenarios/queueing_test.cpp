// Queueing theory (design.md section 6): fifo on c identical GPUs with single-GPU jobs, Poisson
// arrivals and exponential durations is an M/M/c queue, whose mean wait is known exactly
// (Erlang C), and Little's law L = lambda W must hold on the same run.
#include "tests/support/results.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using namespace fleetsim::test;

namespace {

/** Erlang C: probability that an arrival waits in M/M/c with offered load a = lambda / mu. */
double erlang_c(int c, double a) {
    double term = 1, sum = 1;  // sum_{k<c} a^k / k!
    for (int k = 1; k < c; ++k) {
        term *= a / k;
        sum += term;
    }
    const double last = term * a / c * c / (c - a);  // a^c / c! x c / (c - a)
    return last / (sum + last);
}

}  // namespace

TEST_SUITE("queueing") {
    // Choice of c, load and horizon (tests/scenarios/data/mmc.yaml): c = 4, rho = 0.5,
    // 1/mu = 100 s, lambda = 0.02/s, horizon 4e7 s (about 800,000 jobs, ~20 s of run time).
    // Erlang C gives P(wait) = 0.1739 and Wq = C / (c mu - lambda) = 8.696 s.
    // The mean wait of a run is autocorrelated, so its standard error is not sd/sqrt(n). An
    // independent M/M/c simulation (FCFS recursion on the earliest free server, 1,000
    // replications of 100,000 jobs) measured rel. SE x sqrt(jobs) = 10.6 for c = 4, rho = 0.5
    // (7.1 for c = 2, rho = 0.4; 10.6 for c = 8, rho = 0.8 would need 4x the jobs). With 800,000
    // jobs that is a relative SE of 1.2%: the 5% tolerance is about 4 standard errors, and the
    // bias of starting empty was below 0.1%. The seed was not tuned: the test also estimates
    // the SE of this very run by batch means and fails if 5% were fewer than 3 of them.
    TEST_CASE("fifo on c GPUs matches the Erlang C mean wait, and Little's law holds") {
        TempDir tmp("mmc");
        auto r = run_fleetsim(
            {"run", source_path("tests/scenarios/data/mmc.yaml"), "--out", tmp / "out", "-q"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto summary = read_summary(tmp / "out");
        const auto& cls = summary["classes"]["jobs"];
        const double horizon = summary["horizon_s"].get<double>();
        const int c = 4;
        const double mean_service = 100, lambda = 72.0 / 3600;
        const double wq = erlang_c(c, lambda * mean_service) / (c / mean_service - lambda);
        CHECK(wq == doctest::Approx(8.6957).epsilon(1e-4));  // the formula itself, by hand

        const auto jobs = read_jobs(tmp / "out");
        REQUIRE(jobs.size() == cls["jobs_submitted"].get<std::size_t>());
        REQUIRE(jobs.size() > 700000);

        // Batch means over consecutive jobs (each batch ~40,000 jobs, far beyond the
        // correlation time of a few hundred jobs).
        std::vector<double> waits;
        for (const auto& j : jobs) {
            if (j.start_s)
                waits.push_back(*j.start_s - j.submit_s);
        }
        const std::size_t batches = 20, per = waits.size() / batches;
        double grand = 0;
        std::vector<double> means;
        for (std::size_t b = 0; b < batches; ++b) {
            double s = 0;
            for (std::size_t i = b * per; i < (b + 1) * per; ++i)
                s += waits[i];
            means.push_back(s / per);
            grand += s / per;
        }
        grand /= batches;
        double var = 0;
        for (double m : means)
            var += (m - grand) * (m - grand);
        const double se = std::sqrt(var / (batches - 1) / batches);
        const double w = cls["wait_s_mean"].get<double>();
        MESSAGE("Erlang C Wq = " << wq << " s, simulated " << w << " s, batch-means SE " << se
                                 << " s (" << 100 * se / wq << "%)");
        CHECK(0.05 * wq >= 3 * se);
        CHECK(std::fabs(w - wq) <= 0.05 * wq);

        // Little's law, exactly on the sample path: the time-average number waiting times the
        // horizon is the sum of every job's waiting time inside the horizon.
        double waiting_area = 0, in_system_area = 0, service_sum = 0;
        long long completed = 0;
        for (const auto& j : jobs) {
            const double start = j.start_s ? std::min(*j.start_s, horizon) : horizon;
            const double end = j.end_s ? *j.end_s : horizon;
            waiting_area += start - j.submit_s;
            in_system_area += end - j.submit_s;
            if (j.status == "completed") {
                service_sum += *j.end_s - *j.start_s;
                ++completed;
            }
        }
        const double lq = cls["queue_len_mean"].get<double>();
        const double l = cls["jobs_in_system_mean"].get<double>();
        CHECK(lq * horizon == doctest::Approx(waiting_area).epsilon(1e-9));
        CHECK(l * horizon == doctest::Approx(in_system_area).epsilon(1e-9));
        // ... and as the statistical law L = lambda W with the run's own arrival rate (edge
        // effects: a handful of jobs in the system at the horizon out of 800,000).
        const double lambda_hat = static_cast<double>(jobs.size()) / horizon;
        const double mean_s = service_sum / static_cast<double>(completed);
        CHECK(lq == doctest::Approx(lambda_hat * w).epsilon(1e-3));
        CHECK(l == doctest::Approx(lambda_hat * (w + mean_s)).epsilon(1e-3));
        // And against theory: Lq = lambda Wq, L = Lq + lambda / mu (same 5% as the wait).
        CHECK(std::fabs(lq - lambda * wq) <= 0.05 * lambda * wq);
        CHECK(l == doctest::Approx(lambda * wq + lambda * mean_service).epsilon(0.01));
    }
}
