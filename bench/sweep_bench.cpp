// Sweep throughput (docs/performance.md, "Sweeps"): points per second of `fleetsim sweep` with
// -j 1 and -j 2 on a small scenario, and the sweep's overhead per point against plain
// `fleetsim run` processes one after another. Prints figures; asserts nothing.
//
// Wall times move with whatever else runs on the machine; CPU times (user + system of the whole
// process tree, from getrusage) much less, so the overhead is given in both.
//
//   build/bench/sweep_bench [POINTS] [REPEATS]      (defaults 40 and 3; medians are printed)

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// 6 simulated hours of the default lab: a point of about a tenth of a second, so that the
// sweep's own costs (process start, database, files) are visible against the simulation.
constexpr const char* kHorizon = "21600";

struct Times {
    double wall_s = 0;
    double cpu_s = 0;  ///< user + system of the process and every descendant it waited for
    Times& operator+=(const Times& o) {
        wall_s += o.wall_s;
        cpu_s += o.cpu_s;
        return *this;
    }
};

double children_cpu_s() {
    rusage u{};
    getrusage(RUSAGE_CHILDREN, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

/** Runs `args` (args[0] the program) with output discarded; returns its wall and CPU time. */
Times timed_run(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<std::string> env_text;
    for (char** e = environ; *e; ++e)
        env_text.emplace_back(*e);
    env_text.insert(env_text.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (auto& e : env_text)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    const auto t0 = Clock::now();
    const double cpu0 = children_cpu_s();
    pid_t pid = 0;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0)
        throw std::runtime_error("cannot start " + args[0]);
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    waitpid(pid, &status, 0);
    const Times t{std::chrono::duration<double>(Clock::now() - t0).count(),
                  children_cpu_s() - cpu0};
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error(args[0] + " " + args[1] + " failed");
    return t;
}

/** The median of each of wall and CPU time, over repeats. */
Times median(const std::vector<Times>& v) {
    std::vector<double> wall, cpu;
    for (const auto& t : v) {
        wall.push_back(t.wall_s);
        cpu.push_back(t.cpu_s);
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    return Times{wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
    const int points = argc > 1 ? std::atoi(argv[1]) : 40;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
    const std::string fleetsim = FLEETSIM_BINARY;
    const std::string base = std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/default.yaml";
    const fs::path dir = fs::temp_directory_path() / fmt::format("sweep-bench-{}", ::getpid());
    fs::create_directories(dir);

    // `points` prices of video, one replication each: every point a full run of the scenario.
    const fs::path sweep = dir / "bench.yaml";
    std::ofstream(sweep) << fmt::format(
        "name: bench\nbase: {}\nset:\n  horizon_s: {}\n  output.jobs_csv: false\nvary:\n  - grid:\n"
        "      workload.classes.video-gen.price_usd_per_unit: {{from: 0.02, to: 0.5, count: {}}}\n",
        base, kHorizon, points);

    std::vector<Times> plain, j1, j2, startup;
    for (int r = 0; r < repeats; ++r) {
        // Reading the sweep and its base, once per sweep: the part that does not grow with points.
        startup.push_back(timed_run({fleetsim, "sweep", sweep.string(), "--list"}));
        Times total;
        for (int i = 0; i < points; ++i) {
            total +=
                timed_run({fleetsim, "run", base, "--set", std::string("horizon_s=") + kHorizon,
                           "--set", "output.jobs_csv=false", "--set",
                           fmt::format("workload.classes.video-gen.price_usd_per_unit={}",
                                       0.02 + 0.48 * i / std::max(1, points - 1)),
                           "--out", (dir / "plain").string(), "-q"});
        }
        plain.push_back(total);
        for (auto [jobs, out] : {std::pair{"1", &j1}, std::pair{"2", &j2}}) {
            fs::remove_all(dir / "out");
            out->push_back(timed_run({fleetsim, "sweep", sweep.string(), "-j", jobs, "--out",
                                      (dir / "out").string(), "-q"}));
        }
    }

    const Times p = median(plain), a1 = median(j1), a2 = median(j2), s0 = median(startup);
    fmt::print("sweep of {} points: default scenario, horizon_s={}, medians of {} repeats\n",
               points, kHorizon, repeats);
    fmt::print("                                      wall s   CPU s   points/s (wall)\n");
    fmt::print("  plain fleetsim run x {:<3}           {:7.2f} {:7.2f}   {:6.2f}\n", points,
               p.wall_s, p.cpu_s, points / p.wall_s);
    fmt::print("  fleetsim sweep -j 1                {:7.2f} {:7.2f}   {:6.2f}\n", a1.wall_s,
               a1.cpu_s, points / a1.wall_s);
    fmt::print("  fleetsim sweep -j 2                {:7.2f} {:7.2f}   {:6.2f}  ({:.2f}x -j 1)\n",
               a2.wall_s, a2.cpu_s, points / a2.wall_s, a1.wall_s / a2.wall_s);
    fmt::print("  sweep start-up (sweep --list)      {:7.2f} {:7.2f}   once per sweep\n", s0.wall_s,
               s0.cpu_s);
    fmt::print(
        "  overhead per point of -j 1 against plain runs, start-up apart: {:+.4f} s wall "
        "({:+.1f}%), {:+.4f} s CPU ({:+.1f}%)\n",
        (a1.wall_s - s0.wall_s - p.wall_s) / points,
        100 * (a1.wall_s - s0.wall_s - p.wall_s) / p.wall_s,
        (a1.cpu_s - s0.cpu_s - p.cpu_s) / points, 100 * (a1.cpu_s - s0.cpu_s - p.cpu_s) / p.cpu_s);

#ifdef FLEETSIM_LIBMPI
    // What linking libmpi into fleetsim would add to every point: the same process start with
    // libmpi loaded (LD_PRELOAD), as a linked library would be.
    std::vector<Times> with_mpi, without;
    for (int r = 0; r < repeats; ++r) {
        Times a, b;
        for (int i = 0; i < points; ++i) {
            a += timed_run({fleetsim, "policies"}, {std::string("LD_PRELOAD=") + FLEETSIM_LIBMPI});
            b += timed_run({fleetsim, "policies"});
        }
        with_mpi.push_back(a);
        without.push_back(b);
    }
    const Times m = median(with_mpi), n = median(without);
    fmt::print(
        "  process start (fleetsim policies): {:.4f} s wall, {:.4f} s CPU; with libmpi loaded: "
        "{:+.4f} s wall, {:+.4f} s CPU per process\n",
        n.wall_s / points, n.cpu_s / points, (m.wall_s - n.wall_s) / points,
        (m.cpu_s - n.cpu_s) / points);
#endif
    fs::remove_all(dir);
    return 0;
}
