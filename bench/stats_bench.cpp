// The cost of a sweep's statistics (docs/performance.md, "Sweeps"): every invocation and merge
// ends by reading its points.csv and results.csv, computing per setting the mean and interval
// of every figure and the paired differences with the baseline (sim/stats), and writing
// stats.csv and paired.csv. This measures those steps on synthetic exports of the shape a real
// sweep writes (the schema's run figures and class columns, 5 classes), far larger than the
// tests' sweeps, without running a simulation. Prints figures; asserts nothing.
//
//   build/bench/stats_bench [PRICES] [SEEDS]     (defaults 250 and 10: 250 prices x 4 policies
//                                                 x 10 seeds = 10,000 points)

#include "sim/io/csv.hpp"
#include "sim/schema/fields.hpp"
#include "sim/schema/schema.hpp"
#include "sim/stats/statistics.hpp"
#include "sim/sweep/sweep_db.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/** points.csv and results.csv of PRICES x 4 policies x SEEDS done points, random figures. */
void write_exports(const fs::path& dir, int prices, int seeds) {
    const std::vector<std::string> policies = {"static-partition", "revenue-greedy",
                                               "opportunity-cost", "fifo"};
    const std::vector<std::string> classes = {"chat", "coding", "llm-training", "video-gen",
                                              "video-training"};
    std::vector<std::string> class_columns;
    for (const auto& f : fleetsim::fields_info<fleetsim::ClassFigures>()) {
        if (f.in_csv() &&
            (f.kind == fleetsim::ValueKind::number || f.kind == fleetsim::ValueKind::count))
            class_columns.emplace_back(f.name);
    }
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> u(0, 1e6);
    std::ofstream p(dir / "points.csv"), r(dir / "results.csv");
    fleetsim::CsvWriter points(p), results(r);
    points.field("point_id").field("status").field("price").field("policy.name");
    points.field("seed").field("replication").field("exit_code").field("error");
    for (const auto& f : fleetsim::point_figures())
        points.field(f.column);
    points.end_row();
    results.field("point_id").field("status").field("price").field("policy.name");
    results.field("seed").field("replication").field("class");
    for (const auto& c : class_columns)
        results.field(c);
    results.end_row();
    long long id = 0;
    for (int price = 0; price < prices; ++price) {
        for (const auto& policy : policies) {
            for (int seed = 0; seed < seeds; ++seed, ++id) {
                points.field(id).field("done").field(0.01 * (price + 1)).field(policy);
                points.field(seed + 1).field(seed).field(0).field("");
                for (std::size_t f = 0; f < fleetsim::point_figures().size(); ++f)
                    points.field(u(rng));
                points.end_row();
                for (const auto& c : classes) {
                    results.field(id).field("done").field(0.01 * (price + 1)).field(policy);
                    results.field(seed + 1).field(seed).field(c);
                    for (std::size_t k = 0; k < class_columns.size(); ++k)
                        results.field(u(rng));
                    results.end_row();
                }
            }
        }
    }
    points.finish();
    results.finish();
}

}  // namespace

int main(int argc, char** argv) {
    const int prices = argc > 1 ? std::atoi(argv[1]) : 250;
    const int seeds = argc > 2 ? std::atoi(argv[2]) : 10;
    if (prices < 1 || seeds < 1) {
        fmt::print(stderr, "usage: stats_bench [PRICES >= 1] [SEEDS >= 1]\n");
        return 2;
    }
    const fs::path dir =
        fs::temp_directory_path() / fmt::format("fleetsim-stats-bench-{}", ::getpid());
    fs::create_directories(dir);
    write_exports(dir, prices, seeds);
    const std::vector<std::string> keys = {"price", "policy.name"};

    auto start = Clock::now();
    const auto runs = fleetsim::sweep::read_sweep_runs((dir / "points.csv").string(),
                                                       (dir / "results.csv").string(), keys);
    const double read_s = seconds_since(start);
    fleetsim::sweep::Analysis analysis;
    analysis.baseline[1] = "static-partition";
    start = Clock::now();
    const auto stats = fleetsim::sweep::compute_statistics(runs, analysis);
    const double compute_s = seconds_since(start);
    start = Clock::now();
    fleetsim::sweep::write_statistics(dir.string(), runs, analysis, stats);
    const double write_s = seconds_since(start);

    fmt::print("statistics of {} points ({} settings x {} seeds), {} figures per point\n",
               runs.runs.size(), stats.settings.size(), seeds, runs.figures.size());
    fmt::print("  read points.csv + results.csv ({:.1f} MB)   {:.2f} s\n",
               static_cast<double>(fs::file_size(dir / "points.csv") +
                                   fs::file_size(dir / "results.csv")) /
                   1e6,
               read_s);
    fmt::print("  means, intervals, paired ({} + {} rows)  {:.2f} s\n", stats.stats.size(),
               stats.paired.size(), compute_s);
    fmt::print("  write stats.csv, paired.csv, effects.csv  {:.2f} s\n", write_s);
    fmt::print("  per point: {:.3f} ms\n",
               1e3 * (read_s + compute_s + write_s) / static_cast<double>(runs.runs.size()));
    fs::remove_all(dir);
    return 0;
}
