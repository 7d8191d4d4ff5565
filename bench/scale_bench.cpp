// Scale benchmark for the engine (issue: fleetsim core, Performance). Prints, for each scale
// scenario, the wall time, peak memory and simulated jobs per second of `fleetsim run`, and
// the same jobs pushed through a bare event loop (a priority queue of completions, FCFS on a
// GPU count, no SimGrid): the ceiling. No assertions: figures go to docs/performance.md.
//
// usage: scale_bench [--only a|b] [--repeat N]

#include "sim/config/scenario_loader.hpp"
#include "sim/generators/job_source.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <queue>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

struct Measured {
    double wall_s = 0;
    long peak_rss_kb = 0;
    int exit_code = -1;
};

Measured run_child(const std::vector<std::string>& args) {
    const auto t0 = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
        std::vector<char*> argv;
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    Measured m;
    m.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    m.peak_rss_kb = usage.ru_maxrss;
    m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return m;
}

/** The same job stream, FCFS with head-of-line blocking on a GPU count: the ceiling. */
struct BareResult {
    double wall_s = 0;
    long long jobs = 0;
    long long completed = 0;
};

BareResult bare_loop(const fleetsim::ScenarioSpec& scenario) {
    const auto t0 = std::chrono::steady_clock::now();
    fleetsim::JobSource source(scenario);
    long long free_gpus = 0;
    for (const auto& p : scenario.platform.pools)
        free_gpus += static_cast<long long>(p.nodes) * p.gpus_per_node;
    // Services take their mean demand off the top, as in the simulated scenario on average.
    for (const auto& c : scenario.workload.classes) {
        if (c.kind == fleetsim::Kind::service) {
            free_gpus -=
                static_cast<long long>(c.service.demand_units_per_s * c.service.gpu_s_per_unit /
                                       c.service.max_utilization);
        }
    }
    using Completion = std::pair<double, int>;  // time, gpus
    std::priority_queue<Completion, std::vector<Completion>, std::greater<>> running;
    std::deque<std::pair<double, int>> queue;  // duration_s, gpus
    BareResult r;
    auto start_waiting = [&](double now) {
        while (!queue.empty() && queue.front().second <= free_gpus) {
            free_gpus -= queue.front().second;
            running.emplace(now + queue.front().first, queue.front().second);
            queue.pop_front();
        }
    };
    while (true) {
        const double next_arrival = source.next_time();
        const double next_done = running.empty() ? 1e300 : running.top().first;
        const double now = std::min(next_arrival, next_done);
        if (now >= scenario.horizon_s)
            break;
        if (next_done <= next_arrival) {
            free_gpus += running.top().second;
            running.pop();
            ++r.completed;
        } else {
            const fleetsim::JobArrival j = source.pop();
            queue.emplace_back(j.work_ref_gpu_s / j.gpus, j.gpus);
            ++r.jobs;
        }
        start_waiting(now);
    }
    r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    std::string only;
    int repeat = 1;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
            repeat = std::atoi(argv[++i]);
    }
    const std::string source_dir = FLEETSIM_SOURCE_DIR;
    const std::string binary = FLEETSIM_BINARY;
    const auto tmp =
        std::filesystem::temp_directory_path() / ("fleetsim-bench-" + std::to_string(getpid()));
    std::printf("%-8s %8s %10s %10s %10s %12s %12s %10s %10s\n", "scenario", "gpus", "jobs",
                "wall_s", "peak_mb", "jobs_per_s", "bare_jobs/s", "bare_s", "ratio");
    for (const char* name : {"a", "b"}) {
        if (!only.empty() && only != name)
            continue;
        const std::string yaml = source_dir + "/bench/scale-" + name + ".yaml";
        fleetsim::Diagnostics diagnostics;
        fleetsim::ScenarioSpec scenario = fleetsim::load_scenario(yaml, {}, diagnostics);
        long long gpus = 0;
        for (const auto& p : scenario.platform.pools)
            gpus += static_cast<long long>(p.nodes) * p.gpus_per_node;
        for (int k = 0; k < repeat; ++k) {
            const std::string out = (tmp / name).string();
            Measured m = run_child({binary, "run", yaml, "--out", out, "-q"});
            if (m.exit_code != 0) {
                std::fprintf(stderr, "fleetsim run %s failed (exit %d)\n", yaml.c_str(),
                             m.exit_code);
                return 1;
            }
            std::ifstream in(out + "/summary.json");
            auto summary = nlohmann::json::parse(in);
            long long jobs = 0;
            for (const auto& [cls, c] : summary["classes"].items())
                jobs += c["jobs_submitted"].get<long long>();
            BareResult bare = bare_loop(scenario);
            std::printf("%-8s %8lld %10lld %10.2f %10.0f %12.0f %12.0f %10.3f %10.0f\n", name, gpus,
                        jobs, m.wall_s, static_cast<double>(m.peak_rss_kb) / 1024.0,
                        static_cast<double>(jobs) / m.wall_s,
                        static_cast<double>(bare.jobs) / bare.wall_s, bare.wall_s,
                        m.wall_s / bare.wall_s);
            std::filesystem::remove_all(out);
        }
    }
    std::filesystem::remove_all(tmp);
    return 0;
}
