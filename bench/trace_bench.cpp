// Trace benchmark (issue: real workloads in, Performance). Prints, with no assertions
// (docs/performance.md, "Traces", records what it prints):
//   read     a generated SWF log of N rows (default 10,000,000) read through the streaming
//            reader: rows per second, and the process's peak memory after 1/10 of the rows and
//            after all of them (a streaming reader keeps them equal);
//   replay   bench/scale-b.yaml's 1,000,000 batch jobs drawn by the generators, against the
//            same jobs written by `fleetsim trace generate` and replayed from the SWF file:
//            wall time and peak memory of `fleetsim run` for each;
//   peers    the jobs of ../shared/data/peer-traces/ replayed on a cluster of the shape the
//            Python simulators used, with fleetsim's wall time beside theirs (that folder's
//            README) as a ratio.
//
// usage: trace_bench [--only read|replay|peers] [--rows N] [--tmp DIR]

#include "sim/traces/job_trace.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Measured {
    double wall_s = 0;
    double cpu_s = 0;  ///< user + system: less sensitive than wall time to a loaded machine
    long peak_rss_kb = 0;
    int exit_code = -1;
};

/** Runs a program to its end, quietly; wall time and the child's peak memory. */
Measured run_child(const std::vector<std::string>& args) {
    std::fflush(stdout);  // or the child would print the parent's buffered lines again
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        if (std::freopen("/dev/null", "w", stdout) == nullptr)
            _exit(126);
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
    m.cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
              static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    m.peak_rss_kb = usage.ru_maxrss;
    m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return m;
}

long peak_rss_kb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

/** An SWF log of `rows` jobs: sizes 1 to 64, run times 1 to 100,000 s, requested times. */
void write_swf(const std::string& path, long long rows) {
    std::ofstream out(path);
    out << "; MaxProcs: 1024\n; UnixStartTime: 0\n";
    unsigned long long x = 88172645463325252ull;  // xorshift64: cheap, fixed
    auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    long long submit = 0;
    char line[160];
    for (long long i = 1; i <= rows; ++i) {
        submit += static_cast<long long>(next() % 120);
        const long long run = 1 + static_cast<long long>(next() % 100000);
        const long long size = 1ll << (next() % 7);
        const int n = std::snprintf(line, sizeof line,
                                    "%lld %lld %lld %lld %lld -1 -1 %lld %lld -1 1 %lld 1 -1 1 -1 "
                                    "-1 -1\n",
                                    i, submit, static_cast<long long>(next() % 3600), run, size,
                                    size, run + run / 2, static_cast<long long>(next() % 500));
        out.write(line, n);
    }
}

void bench_read(const std::string& tmp, long long rows) {
    const std::string path = tmp + "/trace-bench.swf";
    write_swf(path, rows);
    const double mb = static_cast<double>(fs::file_size(path)) / 1e6;
    fleetsim::JobTraceOptions o;
    o.path = path;
    const long before_kb = peak_rss_kb();
    const auto t0 = std::chrono::steady_clock::now();
    auto reader = fleetsim::open_job_trace(o);
    fleetsim::TraceJob job;
    long long n = 0;
    double work = 0;
    long tenth_kb = 0;
    while (reader->next(job)) {
        work += job.size * job.run_s;
        if (++n == rows / 10)
            tenth_kb = peak_rss_kb();
    }
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf(
        "read     %lld SWF rows (%.0f MB) in %.2f s: %.2f M rows/s, %.0f MB/s; peak memory "
        "%.1f MiB before, %.1f MiB after 1/10 of the rows, %.1f MiB after all (work %.3g)\n",
        n, mb, wall, static_cast<double>(n) / wall / 1e6, mb / wall, before_kb / 1024.0,
        tenth_kb / 1024.0, peak_rss_kb() / 1024.0, work);
    fs::remove(path);
}

void bench_replay(const std::string& tmp) {
    const std::string bin = FLEETSIM_BINARY;
    const std::string src = FLEETSIM_SOURCE_DIR;
    const std::string scenario = src + "/bench/scale-b.yaml";
    const std::string log = tmp + "/scale-b.swf";
    fs::remove(log);
    const Measured g = run_child({bin, "trace", "generate", scenario, log, "--to", "swf"});
    if (g.exit_code != 0) {
        std::fprintf(stderr, "trace generate failed (exit %d)\n", g.exit_code);
        return;
    }
    const Measured gen =
        run_child({bin, "run", scenario, "--out", tmp + "/scale-b-gen", "-q", "--no-report"});
    // The same class, its generators replaced by the log (start_s 0: the first job keeps its
    // time).
    const Measured rep = run_child(
        {bin, "run", scenario, "--out", tmp + "/scale-b-trace", "-q", "--no-report", "--set",
         "workload.classes.batch={family: llm, kind: batch, value_usd_per_gpu_h: 2.0, trace: "
         "{format: swf, path: \"" +
             log + "\", start_s: 0}}"});
    std::printf(
        "replay   scale-b (100,000 GPUs, 1 M jobs): generated %.1f s wall %.1f s CPU %.0f MiB; "
        "from its SWF log (%.0f MB, written in %.1f s) %.1f s wall %.1f s CPU %.0f MiB: "
        "wall %+.1f%%, CPU %+.1f%% (exit %d, %d)\n",
        gen.wall_s, gen.cpu_s, gen.peak_rss_kb / 1024.0,
        static_cast<double>(fs::file_size(log)) / 1e6, g.wall_s, rep.wall_s, rep.cpu_s,
        rep.peak_rss_kb / 1024.0, 100.0 * (rep.wall_s / gen.wall_s - 1.0),
        100.0 * (rep.cpu_s / gen.cpu_s - 1.0), gen.exit_code, rep.exit_code);
    fs::remove(log);
    fs::remove_all(tmp + "/scale-b-gen");
    fs::remove_all(tmp + "/scale-b-trace");
}

/** A scenario replaying a peer trace on `nodes` x `gpus_per_node` reference GPUs. */
std::string peer_scenario(const std::string& log,
                          int nodes,
                          int gpus_per_node,
                          long long jobs,
                          const std::string& policy) {
    return "name: peer\n"
           "platform:\n"
           "  name: peer\n"
           "  gpu_types:\n"
           "    v100: {dense_bf16_tflops: 125, memory_gb: 32, power_idle_w: 50, power_busy_w: 300, "
           "capex_usd: 10000, amortization_years: 4}\n"
           "  sites:\n"
           "    s: {energy_usd_per_kwh: 0.08, pue: 1.2, overhead_usd_per_gpu_h: 0.2}\n"
           "  pools:\n"
           "    p: {site: s, gpu_type: v100, nodes: " +
           std::to_string(nodes) + ", gpus_per_node: " + std::to_string(gpus_per_node) +
           "}\n"
           "workload:\n"
           "  name: peer\n"
           "  classes:\n"
           "    jobs: {family: llm, kind: batch, value_usd_per_gpu_h: 2, max_jobs: " +
           std::to_string(jobs) + ", trace: {format: csv, path: \"" + log +
           "\"}}\n"
           "policy: " +
           policy +
           "\n"
           "horizon_s: 100000000\n"
           "seed: 1\n"
           "tick_s: 3600\n"
           "output: {timeseries_interval_s: 86400, jobs_csv: true}\n";
}

void bench_peers(const std::string& tmp) {
    const std::string data = std::string(FLEETSIM_SOURCE_DIR) + "/../shared/data/peer-traces/";
    struct Peer {
        const char* name;
        const char* file;
        int nodes, gpus_per_node;
        long long jobs;
        const char* policy;
        double their_wall_s;  ///< from ../shared/data/peer-traces/README.md
    };
    const Peer peers[] = {
        {"Gavel fifo", "gavel-philly-4000.csv", 16, 4, 4000, "fifo", 147.2},
        {"Gavel fifo", "gavel-philly-4000.csv", 16, 4, 1000, "fifo", 37.6},
        {"Helios fifo", "gavel-philly-4000.csv", 8, 8, 2000, "fifo", 78.8},
        {"Blox LAS", "blox-las-4855.csv", 32, 4, 4855, "las", 184.6},
    };
    for (const auto& p : peers) {
        const std::string yaml = tmp + "/peer.yaml";
        std::ofstream(yaml) << peer_scenario(data + p.file, p.nodes, p.gpus_per_node, p.jobs,
                                             p.policy);
        fs::remove_all(tmp + "/peer-out");
        const Measured m = run_child(
            {FLEETSIM_BINARY, "run", yaml, "--out", tmp + "/peer-out", "-q", "--no-report"});
        long long completed = 0;
        std::ifstream jobs(tmp + "/peer-out/jobs.csv");
        for (std::string line; std::getline(jobs, line);)
            completed += line.find(",completed,") != std::string::npos;
        std::printf(
            "peers    %-11s %-22s %5lld jobs on %2d x %d GPUs (%lld completed): fleetsim "
            "%.2f s, theirs %.1f s: %.0fx faster (exit %d)\n",
            p.name, p.file, p.jobs, p.nodes, p.gpus_per_node, completed, m.wall_s, p.their_wall_s,
            p.their_wall_s / m.wall_s, m.exit_code);
    }
    fs::remove_all(tmp + "/peer-out");
    fs::remove(tmp + "/peer.yaml");
}

}  // namespace

int main(int argc, char** argv) {
    std::string only, tmp = fs::temp_directory_path().string();
    long long rows = 10000000;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (std::strcmp(argv[i], "--rows") == 0 && i + 1 < argc)
            rows = std::atoll(argv[++i]);
        else if (std::strcmp(argv[i], "--tmp") == 0 && i + 1 < argc)
            tmp = argv[++i];
    }
    if (only.empty() || only == "read")
        bench_read(tmp, rows);
    if (only.empty() || only == "peers")
        bench_peers(tmp);
    if (only.empty() || only == "replay")
        bench_replay(tmp);
    return 0;
}
