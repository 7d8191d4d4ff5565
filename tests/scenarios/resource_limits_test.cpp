// Resources (docs/config.md, "Limits"; docs/reliability.md, "Bad input and resources"): what
// would hang, or exhaust memory, is refused before it starts, with exit 2, and every verb
// stops promptly on SIGINT and SIGTERM. Each case spawns the fleetsim binary.
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace fleetsim::test;
namespace fs = std::filesystem;

namespace {

/** A valid scenario with `pool` and `train` as the pool's and the class's flow mappings. */
std::string scenario_text(const std::string& pool, const std::string& train) {
    return "name: limits\n"
           "platform:\n"
           "  name: p\n"
           "  gpu_types:\n"
           "    ref: {dense_bf16_tflops: 1000, memory_gb: 80, power_idle_w: 100, "
           "power_busy_w: 700, capex_usd: 30000, amortization_years: 4}\n"
           "  sites:\n"
           "    s: {energy_usd_per_kwh: 0.1, pue: 1.2}\n"
           "  pools:\n"
           "    p: " +
           pool +
           "\n"
           "workload:\n"
           "  name: w\n"
           "  classes:\n"
           "    train: " +
           train +
           "\n"
           "policy: fifo\n"
           "horizon_s: 3600\n"
           "tick_s: 3600\n"
           "seed: 1\n";
}

const std::string kPool = "{site: s, gpu_type: ref, nodes: 2, gpus_per_node: 8}";
const std::string kTrain =
    "{family: llm, kind: batch, arrival_rate_per_h: 1, gpus: 8, duration_s: 60, "
    "value_usd_per_gpu_h: 2}";

double physical_memory() {
    return static_cast<double>(sysconf(_SC_PHYS_PAGES)) *
           static_cast<double>(sysconf(_SC_PAGESIZE));
}

/** fleetsim started in the background, its output to /dev/null. */
pid_t start(const std::vector<std::string>& args) {
    const pid_t pid = fork();
    if (pid == 0) {
        const int null = open("/dev/null", O_RDWR);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        std::vector<char*> argv = {const_cast<char*>(FLEETSIM_BINARY)};
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(FLEETSIM_BINARY, argv.data());
        _exit(127);
    }
    return pid;
}

/**
 * Sends `sig` to a fleetsim started `after` ago and returns how long it took to end (or 10 s,
 * having killed it, when it did not); `status` is its wait status.
 */
double seconds_to_stop(pid_t pid, int sig, std::chrono::milliseconds after, int& status) {
    std::this_thread::sleep_for(after);
    const auto t0 = std::chrono::steady_clock::now();
    kill(pid, sig);
    while (true) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(10)) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return 10;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace

TEST_SUITE("bad-input") {
    TEST_CASE("an alias bomb in a scenario is refused within a second by validate and run") {
        TempDir tmp("limits");
        std::string bomb = "x-bomb:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
        for (int i = 1; i < 10; ++i) {
            bomb += "  a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
            for (int k = 0; k < 10; ++k)
                bomb += (k ? ", *a" : "*a") + std::to_string(i - 1);
            bomb += "]\n";
        }
        write_file(tmp / "bomb.yaml", bomb + scenario_text(kPool, kTrain));
        for (const char* verb : {"validate", "run"}) {
            CAPTURE(verb);
            const auto t0 = std::chrono::steady_clock::now();
            auto r =
                run_fleetsim({verb, tmp / "bomb.yaml", "--set", "output.dir=" + (tmp / "out")});
            const double s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            INFO(r.err);
            CHECK(r.exit_code == 2);
            CHECK(s < 1.0);
            CHECK(r.err.find("bomb.yaml:") != std::string::npos);
            CHECK(r.err.find("expected at most 1000000 YAML nodes") != std::string::npos);
            CHECK_FALSE(fs::exists(tmp / "out"));
        }
    }

    TEST_CASE("a device, a pipe or a file over 1 MiB as the scenario is refused before reading") {
        TempDir tmp("limits");
        REQUIRE(mkfifo((tmp / "fifo").c_str(), 0600) == 0);
        write_file(tmp / "big.yaml", std::string(2 * 1024 * 1024, '#'));
        const std::vector<std::pair<std::string, std::string>> cases = {
            {"/dev/zero", "/dev/zero: expected a YAML file, found a character device"},
            {tmp / "fifo", "fifo: expected a YAML file, found a pipe (FIFO)"},
            {tmp / "big.yaml",
             "big.yaml: expected a YAML file of at most 1048576 bytes (1 MiB), found 2097152"},
        };
        for (const auto& one_case : cases) {
            const auto& [path, expected] = one_case;
            for (const char* verb : {"validate", "run"}) {
                CAPTURE(one_case.first);
                CAPTURE(verb);
                const auto t0 = std::chrono::steady_clock::now();
                auto r = run_fleetsim({verb, path, "--set", "output.dir=" + (tmp / "out")});
                INFO(r.err);
                CHECK(r.exit_code == 2);
                CHECK(r.err.find(expected) != std::string::npos);
                CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
            }
        }
    }

    TEST_CASE("a platform or workload file that is a device is refused with the key naming it") {
        TempDir tmp("limits");
        write_file(tmp / "s.yaml",
                   "name: s\nplatform: /dev/zero\nworkload: w.yaml\npolicy: fifo\n"
                   "horizon_s: 3600\nseed: 1\n");
        auto r = run_fleetsim({"validate", tmp / "s.yaml"});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("s.yaml:2:") != std::string::npos);
        CHECK(r.err.find("expected a YAML file, found a character device (key 'platform')") !=
              std::string::npos);
    }

    TEST_CASE("a run whose jobs clearly exceed memory is refused up front with the estimate") {
        // 9 x 10^8 jobs expected: 460 GB at 512 B a job, more than any test machine has.
        TempDir tmp("limits");
        const std::string train =
            "{family: llm, kind: batch, arrival_rate_per_h: 9e8, gpus: 8, duration_s: 60, "
            "value_usd_per_gpu_h: 2}";
        write_file(tmp / "s.yaml", scenario_text(kPool, train));
        REQUIRE(physical_memory() < 9e8 * 512);
        for (const char* verb : {"validate", "run"}) {
            CAPTURE(verb);
            const auto t0 = std::chrono::steady_clock::now();
            auto r = run_fleetsim({verb, tmp / "s.yaml", "--set", "output.dir=" + (tmp / "out")});
            INFO(r.err);
            CHECK(r.exit_code == 2);
            CHECK(r.err.find("expected a run that fits in this machine's memory") !=
                  std::string::npos);
            CHECK(r.err.find("found an estimated 429.2 GiB") != std::string::npos);
            CHECK(r.err.find("(key 'workload.classes.train.arrival_rate_per_h')") !=
                  std::string::npos);
            CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
            CHECK_FALSE(fs::exists(tmp / "out"));
        }
    }

    TEST_CASE("a fleet that clearly exceeds memory is refused up front, naming the pools") {
        // 2,000,000 nodes of 1,024 GPUs (the documented maxima short of an int's worth of
        // GPUs): 3,072 B a node and 16 B a GPU make 36.2 GiB.
        TempDir tmp("limits");
        write_file(
            tmp / "s.yaml",
            scenario_text("{site: s, gpu_type: ref, nodes: 2000000, gpus_per_node: 1024}", kTrain));
        const double estimate = 2e6 * 3072 + 2e6 * 1024 * 16.0;
        auto r = run_fleetsim({"validate", tmp / "s.yaml"});
        INFO(r.err);
        if (physical_memory() < estimate) {
            CHECK(r.exit_code == 2);
            CHECK(r.err.find("found an estimated 36.2 GiB: 2000000 nodes x 3072 B + 2048000000 "
                             "GPUs x 16 B") != std::string::npos);
            CHECK(r.err.find("(key 'platform.pools')") != std::string::npos);
        } else {
            CHECK(r.exit_code == 0);
        }
    }

    TEST_CASE("bound refuses an LP interval longer than the horizon, and nan, 0 and -5") {
        TempDir tmp("limits");
        const std::string s = source_path("tests/scenarios/data/hand-fifo.yaml");
        for (const std::string v : {"3e18", "0", "nan", "-5", "inf", "1h"}) {
            CAPTURE(v);
            auto r = run_fleetsim({"bound", s, "--interval-s", v, "--out", tmp / "b"});
            INFO(r.err);
            CHECK(r.exit_code == 2);
            CHECK(r.err.find("(key '--interval-s')") != std::string::npos);
            CHECK_FALSE(fs::exists(tmp / "b"));
            auto run = run_fleetsim({"run", s, "--bound", "--bound-interval-s", v, "--out",
                                     tmp / "r", "-q", "--no-report"});
            CHECK(run.exit_code == 2);
            CHECK_FALSE(fs::exists(tmp / "r"));
        }
        auto ok = run_fleetsim({"bound", s, "--interval-s", "3600", "--out", tmp / "b", "-q"});
        CHECK(ok.exit_code == 0);
    }

    TEST_CASE("every command-line number is checked like a YAML value, with exit 2") {
        TempDir tmp("limits");
        const std::string s = source_path("tests/scenarios/data/hand-fifo.yaml");
        const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
            {{"sweep", "x.yaml", "-j", "0"}, "<command line: --jobs 0>"},
            {{"sweep", "x.yaml", "-j", "1e9"}, "<command line: --jobs 1e9>"},
            {{"sweep", "x.yaml", "--progress-every", "nan"},
             "<command line: --progress-every nan>"},
            {{"breakeven", s, "--key", "horizon_s", "--low", "1", "--high", "nan", "--target", "0"},
             "<command line: --high nan>"},
            {{"breakeven", s, "--key", "horizon_s", "--low", "1", "--high", "2", "--target", "0",
              "--tolerance", "0"},
             "<command line: --tolerance 0>"},
            {{"breakeven", s, "--key", "horizon_s", "--low", "1", "--high", "2", "--target", "0",
              "--max-runs", "2.5"},
             "<command line: --max-runs 2.5>"},
            {{"trace", "stats", s, "--capacity", "0"}, "<command line: --capacity 0>"},
            {{"trace", "stats", s, "--flops-per-s", "-1"}, "<command line: --flops-per-s -1>"},
        };
        for (const auto& one_case : cases) {
            const auto& [args, expected] = one_case;
            CAPTURE(one_case.first[0]);
            CAPTURE(one_case.second);
            auto r = run_fleetsim(args);
            INFO(r.err);
            CHECK(r.exit_code == 2);
            CHECK(r.err.find(expected) != std::string::npos);
            CHECK(r.err.find("internal error") == std::string::npos);
        }
    }

    TEST_CASE("--out of bound that is a file, or under a file, is exit 2 naming the folder") {
        TempDir tmp("limits");
        write_file(tmp / "file", "x");
        const std::string s = source_path("tests/scenarios/data/hand-fifo.yaml");
        const std::pair<std::string, std::string> cases[] = {
            {tmp / "file", ": is a file, not a folder"},
            {tmp / "file/sub", ": cannot create the output folder"}};
        for (const auto& [out, what] : cases) {
            const std::string& folder = out;
            CAPTURE(folder);
            auto r = run_fleetsim({"bound", s, "--out", out});
            INFO(r.err);
            CHECK(r.exit_code == 2);
            CHECK(r.err.find(folder + what) != std::string::npos);
            CHECK(r.err.find("(key 'output.dir')") != std::string::npos);
        }
        CHECK(read_file(tmp / "file") == "x");
    }

    TEST_CASE("SIGTERM and SIGINT stop a run within a second, leaving no output folder") {
        // 10^6 jobs of a second: a run of a few seconds, stopped while it simulates.
        TempDir tmp("limits");
        write_file(tmp / "s.yaml",
                   scenario_text(kPool,
                                 "{family: llm, kind: batch, arrival_rate_per_h: 1000000, gpus: "
                                 "8, duration_s: 1, value_usd_per_gpu_h: 2}"));
        for (int sig : {SIGTERM, SIGINT}) {
            CAPTURE(sig);
            const std::string out = tmp / ("out" + std::to_string(sig));
            const pid_t pid = start({"run", tmp / "s.yaml", "--out", out, "-q", "--no-report"});
            int status = 0;
            const double s = seconds_to_stop(pid, sig, std::chrono::milliseconds(500), status);
            CHECK(s < 1.0);
            CHECK(WIFSIGNALED(status));
            CHECK_FALSE(fs::exists(out));
        }
        // Nothing but the scenario is left in the folder (no partial output beside --out).
        std::size_t entries = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path()))
            ++entries;
        CHECK(entries == 1);
    }
}
