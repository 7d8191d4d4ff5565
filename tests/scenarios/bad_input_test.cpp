// Bad input (design.md section 5, helper brief): every problem is reported with the file, the
// line and the dotted key, exit code 2, no crash, and no output folder that could pass for a
// finished run. tests/bad_inputs/NN-<what>.yaml are one-file cases: line 1 is
// "# expect: <message fragment>", line 2 "# key: <dotted key>" ("-" when the YAML cannot be
// parsed at all), and the offending line ends with "# error here".
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

using namespace fleetsim::test;
namespace fs = std::filesystem;

namespace {

struct BadCase {
    std::string path;
    std::string name;
    std::string expect;
    std::string key;
    int line = 0;
};

BadCase read_case(const fs::path& path) {
    BadCase c;
    c.path = path.string();
    c.name = path.filename().string();
    std::istringstream in(read_file(c.path));
    std::string text;
    for (int n = 1; std::getline(in, text); ++n) {
        if (n == 1 && text.rfind("# expect: ", 0) == 0)
            c.expect = text.substr(10);
        if (n == 2 && text.rfind("# key: ", 0) == 0)
            c.key = text.substr(7, text.find(' ', 7) - 7);
        if (text.find("# error here") != std::string::npos)
            c.line = n;
    }
    return c;
}

/** The message names the file and the line ("name:line:"), the key, and the problem. */
void check_message(const std::string& err, const BadCase& c) {
    INFO(err);
    CHECK(err.find(c.name + ":" + std::to_string(c.line) + ":") != std::string::npos);
    CHECK(err.find(c.expect) != std::string::npos);
    if (c.key != "-")
        CHECK(err.find("(key '" + c.key + "')") != std::string::npos);
    CHECK(err.find("internal error") == std::string::npos);
}

bool empty_folder(const std::string& dir) {
    return fs::is_empty(dir);
}

}  // namespace

TEST_SUITE("bad-input") {
    TEST_CASE("every file of tests/bad_inputs is refused with file, line and key, exit 2") {
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(source_path("tests/bad_inputs"))) {
            if (e.path().extension() == ".yaml")
                files.push_back(e.path());
        }
        std::sort(files.begin(), files.end());
        REQUIRE(files.size() >= 12);
        for (const auto& f : files) {
            const BadCase c = read_case(f);
            CAPTURE(c.name);
            REQUIRE_FALSE(c.expect.empty());
            REQUIRE_FALSE(c.key.empty());
            REQUIRE(c.line > 0);

            auto v = run_fleetsim({"validate", c.path});
            CHECK(v.exit_code == 2);
            check_message(v.err, c);

            TempDir tmp("bad-input");
            auto r = run_fleetsim({"run", c.path, "--out", tmp / "out"});
            CHECK(r.exit_code == 2);
            check_message(r.err, c);
            CHECK(r.out.empty());
            // Neither the folder nor a partial one beside it.
            CHECK(empty_folder(tmp.path()));
        }
    }

    TEST_CASE("a scenario file that does not exist") {
        TempDir tmp("bad-input");
        for (const char* verb : {"validate", "run"}) {
            CAPTURE(verb);
            auto r =
                run_fleetsim({verb, tmp / "nowhere.yaml", "--set", "output.dir=" + (tmp / "out")});
            CHECK(r.exit_code == 2);
            CHECK(r.err.find("nowhere.yaml") != std::string::npos);
            CHECK(r.err.find("cannot open") != std::string::npos);
        }
        CHECK(empty_folder(tmp.path()));
    }

    TEST_CASE("--set errors name the --set and the key") {
        // A scenario whose policy is a mapping: `policy: fifo` (the short form) has no policy.name
        // for --set to reach.
        const std::string scenario = source_path("tests/scenarios/data/hand-revenue-greedy.yaml");
        struct SetCase {
            std::string set;
            std::string expect;
            std::string key;
        };
        const std::vector<SetCase> cases = {
            // unknown key path (at every level), with the nearest key
            {"platform.pools.slo.nodes=3", "no key 'slo' under 'pools', did you mean 'slow'?",
             "platform.pools.slo.nodes"},
            {"horizon_z=3600", "unknown key 'horizon_z', did you mean 'horizon_s'?", "horizon_z"},
            {"workload.classes.lo.gpus.mean=3", "is a single value, not a mapping",
             "workload.classes.lo.gpus.mean"},
            // bad values: wrong type, out of range, malformed YAML
            {"horizon_s=abc", "expected a positive number, found 'abc'", "horizon_s"},
            {"platform.pools.slow.nodes=-1", "expected a positive integer, found '-1'",
             "platform.pools.slow.nodes"},
            {"seed=[1", "malformed YAML", "seed"},
            {"policy.name=fifoo", "unknown policy 'fifoo', did you mean 'fifo'?", "policy.name"},
            // a tick so short for the horizon that the run would never end in practice
            {"tick_s=1e-9", "expected at most 10000000 ticks (horizon_s / tick_s)", "tick_s"},
            // not KEY=VALUE at all
            {"horizon_s", "expected KEY=VALUE, found no '='", ""},
            {"horizon_s=", "expected KEY=VALUE, found no value after '='", "horizon_s"},
        };
        for (const auto& c : cases) {
            CAPTURE(c.set);
            for (const char* verb : {"validate", "run"}) {
                CAPTURE(verb);
                TempDir tmp("bad-set");
                std::vector<std::string> args = {verb, scenario, "--set", c.set};
                if (std::string(verb) == "run") {
                    args.push_back("--out");
                    args.push_back(tmp / "out");
                }
                auto r = run_fleetsim(args);
                INFO(r.err);
                CHECK(r.exit_code == 2);
                CHECK(r.err.find("<command line: --set " + c.set) != std::string::npos);
                CHECK(r.err.find(c.expect) != std::string::npos);
                if (!c.key.empty())
                    CHECK(r.err.find("(key '" + c.key + "')") != std::string::npos);
                CHECK(empty_folder(tmp.path()));
            }
        }
    }

    TEST_CASE("a folder given as the scenario and an output folder that cannot be made") {
        TempDir tmp("bad-paths");
        auto dir = run_fleetsim({"run", tmp.path(), "--out", tmp / "out"});
        CHECK(dir.exit_code == 2);
        CHECK(dir.err.find(": expected a YAML file, found a directory") != std::string::npos);
        // A regular file where the output folder's parent should be: refused before the
        // simulation runs, with the key to change.
        write_file(tmp / "file", "x");
        const std::string out = tmp / "file/out";
        auto unwritable = run_fleetsim({"run", "--out", out});
        INFO(unwritable.err);
        CHECK(unwritable.exit_code == 2);
        CHECK(unwritable.err.find(out + ": cannot create the output folder") != std::string::npos);
        CHECK(unwritable.err.find("(key 'output.dir')") != std::string::npos);
        CHECK(unwritable.err.find("internal error") == std::string::npos);
        CHECK(read_file(tmp / "file") == "x");
    }

    TEST_CASE("validate lists every problem at once, each with its line and key") {
        TempDir tmp("bad-many");
        const std::string path = tmp / "many.yaml";
        write_file(path,
                   "name: many\n"    // 1
                   "platform:\n"     // 2
                   "  name: p\n"     // 3
                   "  gpu_types:\n"  // 4
                   "    ref: {dense_bf16_tflops: 0, memory_gb: 80, power_idle_w: 100, "
                   "power_busy_w: 700, capex_usd: 1, amortization_years: 4}\n"      // 5
                   "  sites:\n"                                                     // 6
                   "    s: {energy_usd_per_kwh: 0.1, pue: 0.5}\n"                   // 7
                   "  pools:\n"                                                     // 8
                   "    p: {site: s, gpu_type: ref, nodes: 2, gpus_per_node: 8}\n"  // 9
                   "workload:\n"                                                    // 10
                   "  name: w\n"                                                    // 11
                   "  classes:\n"                                                   // 12
                   "    t: {family: llm, kind: batch, arrival_rate_per_h: -1, gpus: 8, "
                   "duration_s: 60, value_usd_per_gpu_h: 2, colour: red}\n"  // 13
                   "policy: fifo\n"                                          // 14
                   "horizon_s: 3600\n"                                       // 15
                   "seed: x\n");                                             // 16
        auto r = run_fleetsim({"validate", path});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        const std::vector<std::pair<std::string, std::string>> expected = {
            {"many.yaml:5:", "(key 'platform.gpu_types.ref.dense_bf16_tflops')"},
            {"many.yaml:7:", "(key 'platform.sites.s.pue')"},
            {"many.yaml:13:", "(key 'workload.classes.t.colour')"},
            {"many.yaml:13:", "(key 'workload.classes.t.arrival_rate_per_h')"},
            {"many.yaml:16:", "(key 'seed')"},
        };
        std::istringstream lines(r.err);
        std::string line;
        std::vector<std::string> all;
        while (std::getline(lines, line))
            all.push_back(line);
        for (const auto& expect : expected) {
            // Named references, not a structured binding: clang 14 cannot capture one.
            const auto& where = expect.first;
            const auto& key = expect.second;
            CAPTURE(key);
            CHECK(std::any_of(all.begin(), all.end(), [&](const std::string& l) {
                return l.find(where) != std::string::npos && l.find(key) != std::string::npos;
            }));
        }
        CHECK(r.err.find("5 problems") != std::string::npos);
    }
}
