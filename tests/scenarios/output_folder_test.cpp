// Output folders (docs/reliability.md, "Output folders and kills"): fleetsim never destroys
// what it did not write. Every verb that writes refuses, before any work and with exit 2 naming
// output.dir, a path that holds something else; a previous result of the same kind is replaced
// atomically; a run killed at any moment leaves the complete old or the complete new result.
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace fleetsim::test;
namespace fs = std::filesystem;

namespace {

// A run of a few seconds' simulated work: small enough for 50 kills in well under a minute.
const std::string kSmall = "tests/scenarios/data/mixed.yaml";

/** `fleetsim run` of the small scenario into `out` (report included when the build has it). */
std::vector<std::string> small_run(const std::string& out, const std::string& seed = "1") {
    return {"run", source_path(kSmall), "--out", out, "-q", "--seed", seed};
}

/** fleetsim started in the folder `cwd` (for `--out .`). */
Spawned run_in(const std::string& cwd, const std::vector<std::string>& args) {
    std::string command = "cd '" + cwd + "' && exec '" + std::string(FLEETSIM_BINARY) + "'";
    for (const auto& a : args)
        command += " '" + a + "'";
    return spawn("/bin/sh", {"-c", command});
}

/** Every file under `dir` (relative path -> content), so that nothing can change unseen. */
std::map<std::string, std::string> snapshot(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file())
            out[fs::relative(e.path(), dir).string()] = read_file(e.path().string());
        else if (e.is_directory())
            out[fs::relative(e.path(), dir).string() + "/"] = "";
    }
    return out;
}

/** A folder of the user's: two files and a subfolder with one more. */
void make_user_folder(const std::string& dir) {
    fs::create_directories(dir + "/work");
    write_file(dir + "/notes.txt", "my notes\n");
    write_file(dir + "/data.csv", "a,b\n1,2\n");
    write_file(dir + "/work/draft.md", "# draft\n");
}

/** Exit 2, output.dir named, and what the refusal says in its message. */
void check_refused(const Spawned& r, const std::string& says) {
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("(key 'output.dir')") != std::string::npos);
    CHECK(r.err.find(says) != std::string::npos);
    CHECK(r.err.find("internal error") == std::string::npos);
}

/** A PID that is surely dead: a process that ran and was reaped. */
long long dead_pid() {
    const pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    int status = 0;
    waitpid(pid, &status, 0);
    return pid;
}

/** The names in `dir` (not recursive). */
std::set<std::string> names_in(const std::string& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
        out.insert(e.path().filename().string());
    return out;
}

/** `dir`'s files with every wall time taken out (the only thing that differs run to run). */
std::map<std::string, std::string> result_of(const std::string& dir) {
    static const std::regex wall("\"wall_s\": ?[0-9.eE+-]+");
    std::map<std::string, std::string> out = snapshot(dir);
    for (auto& [name, text] : out)
        text = std::regex_replace(text, wall, "");
    return out;
}

}  // namespace

TEST_SUITE("output-folders") {
    TEST_CASE("run --out . is refused and the current folder is untouched") {
        TempDir tmp("out-dot");
        make_user_folder(tmp / "cwd");
        const auto before = snapshot(tmp / "cwd");
        check_refused(run_in(tmp / "cwd", {"run", "--out", ".", "-q"}), "is the current folder");
        CHECK(snapshot(tmp / "cwd") == before);
        // A parent of the current folder, and the root, the same.
        check_refused(run_in(tmp / "cwd/work", {"run", "--out", "..", "-q"}),
                      "is a parent of the current folder");
        check_refused(run_in(tmp / "cwd", {"run", "--out", "/", "-q"}),
                      "is a parent of the current folder");
        CHECK(snapshot(tmp / "cwd") == before);
        // Even a folder fleetsim wrote, when it is the one the user works in.
        REQUIRE(run_fleetsim(small_run(tmp / "done")).exit_code == 0);
        const auto done = snapshot(tmp / "done");
        check_refused(run_in(tmp / "done", small_run(".")), "is the current folder");
        CHECK(snapshot(tmp / "done") == done);
    }

    TEST_CASE("run --out naming a file or a folder of the user's is refused before the run") {
        TempDir tmp("out-user");
        write_file(tmp / "file", "mine\n");
        auto r = run_fleetsim(small_run(tmp / "file"));
        check_refused(r, "is a file, not a folder");
        CHECK(read_file(tmp / "file") == "mine\n");

        make_user_folder(tmp / "mine");
        const auto before = snapshot(tmp / "mine");
        // --bound would take the LP's time first: refused before it too.
        auto args = small_run(tmp / "mine");
        args.push_back("--bound");
        r = run_fleetsim(args);
        check_refused(r, "holds files fleetsim did not write");
        CHECK(r.err.find("'notes.txt'") != std::string::npos);
        CHECK(snapshot(tmp / "mine") == before);
        // Nothing beside them either: no partial folder of the refused run.
        CHECK(names_in(tmp.path()) == std::set<std::string>{"file", "mine"});

        // A symbolic link to a folder is not replaced (nor what it points to).
        fs::create_directory_symlink(tmp / "mine", tmp / "link");
        check_refused(run_fleetsim(small_run(tmp / "link")), "is a symbolic link");
        CHECK(snapshot(tmp / "mine") == before);
    }

    TEST_CASE("run --out DIR/ with a trailing slash writes DIR and replaces it the next time") {
        TempDir tmp("out-slash");
        auto r = run_fleetsim(small_run(tmp / "out/"));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(fs::exists(tmp / "out/summary.json"));
        CHECK(read_file(tmp / "out/.fleetsim-output").rfind("fleetsim run\n", 0) == 0);
        r = run_fleetsim(small_run(tmp / "out//", "2"));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(nlohmann::json::parse(read_file(tmp / "out/summary.json"))["seed"] == 2);
        CHECK(names_in(tmp.path()) == std::set<std::string>{"out"});
    }

    TEST_CASE("a previous run is replaced and a result of another kind is refused") {
        TempDir tmp("out-kinds");
        // An empty folder holds nothing of the user's: it is written.
        fs::create_directories(tmp / "empty");
        REQUIRE(run_fleetsim(small_run(tmp / "empty")).exit_code == 0);
        CHECK(fs::exists(tmp / "empty/summary.json"));
        REQUIRE(run_fleetsim(small_run(tmp / "empty", "3")).exit_code == 0);
        CHECK(nlohmann::json::parse(read_file(tmp / "empty/summary.json"))["seed"] == 3);
        // A bound folder is fleetsim's, but not a run's: refused, kept.
        auto b = run_fleetsim({"bound", source_path(kSmall), "--out", tmp / "bound", "-q"});
        INFO(b.err);
        REQUIRE(b.exit_code == 0);
        const auto before = snapshot(tmp / "bound");
        check_refused(run_fleetsim(small_run(tmp / "bound")),
                      "holds a fleetsim bound result, not a run result");
        CHECK(snapshot(tmp / "bound") == before);
        // A run folder of an older fleetsim (no marker) is the user's to remove.
        fs::remove(tmp / "empty/.fleetsim-output");
        check_refused(run_fleetsim(small_run(tmp / "empty")), "holds files fleetsim did not write");
    }

    TEST_CASE("leftovers of killed runs are removed and an old result is put back") {
        TempDir tmp("out-leftovers");
        REQUIRE(run_fleetsim(small_run(tmp / "out")).exit_code == 0);
        const std::string dead = std::to_string(dead_pid());
        // A dead run's staging folder (marked), one killed before its marker (empty), the old
        // result a dead run was removing, and a folder of the user's that only looks like one.
        fs::copy(tmp / "out", tmp / ("out.partial-" + dead));
        fs::create_directory(tmp / "out.partial-1");  // PID 1 lives: never touched
        fs::create_directory(tmp / ("out.old-" + dead));
        write_file(tmp / ("out.old-" + dead + "/.fleetsim-output"), "fleetsim run\n");
        fs::create_directory(tmp / ("out.partial-" + dead + "0"));
        write_file(tmp / ("out.partial-" + dead + "0/mine.txt"), "mine\n");
        // A dead process's `fleetsim report` temporary file inside another run folder.
        REQUIRE(run_fleetsim(small_run(tmp / "other")).exit_code == 0);
        write_file(tmp / ("other/report.html.partial-" + dead), "half a page");
        REQUIRE(run_fleetsim(small_run(tmp / "out", "2")).exit_code == 0);
        CHECK(names_in(tmp.path()) ==
              std::set<std::string>{"out", "out.partial-1", "out.partial-" + dead + "0", "other"});
        CHECK(read_file(tmp / ("out.partial-" + dead + "0/mine.txt")) == "mine\n");

        // Without RENAME_EXCHANGE the old result steps aside as out.old-PID before the new one
        // is renamed in: a kill between the two leaves no `out`, and the next write puts the
        // old one back before anything else. A run refused for another reason shows it: the
        // folder is back, complete, and the refusal is about it.
        fs::remove_all(tmp / "out.partial-1");
        fs::rename(tmp / "out", tmp / ("out.old-" + dead));
        const auto old = snapshot(tmp / ("out.old-" + dead));
        auto r = run_fleetsim({"bound", source_path(kSmall), "--out", tmp / "out", "-q"});
        check_refused(r, "holds a fleetsim run result, not a bound result");
        CHECK(snapshot(tmp / "out") == old);
        CHECK_FALSE(fs::exists(tmp / ("out.old-" + dead)));
        if (fs::exists(tmp / "other/report.html")) {
            REQUIRE(run_fleetsim({"report", tmp / "other", "-q"}).exit_code == 0);
            CHECK_FALSE(fs::exists(tmp / ("other/report.html.partial-" + dead)));
        }
    }

    TEST_CASE("bound compare and breakeven refuse a folder of the user's and replace their own") {
        TempDir tmp("out-verbs");
        make_user_folder(tmp / "mine");
        const auto before = snapshot(tmp / "mine");
        write_file(tmp / "file", "mine\n");
        const std::vector<std::string> bound = {"bound", source_path(kSmall), "-q", "--out"};
        for (const std::string target : {"mine", "file"}) {
            CAPTURE(target);
            auto args = bound;
            args.push_back(tmp / target);
            check_refused(run_fleetsim(args), target == "mine" ? "did not write" : "is a file");
        }
        auto args = bound;
        args.push_back(tmp / "b");
        REQUIRE(run_fleetsim(args).exit_code == 0);
        REQUIRE(run_fleetsim(args).exit_code == 0);  // its own result: replaced
        CHECK(names_in(tmp / "b") == std::set<std::string>{".fleetsim-output", "bound.json"});

        REQUIRE(run_fleetsim(small_run(tmp / "r1")).exit_code == 0);
        REQUIRE(run_fleetsim(small_run(tmp / "r2", "2")).exit_code == 0);
        check_refused(run_fleetsim({"compare", tmp / "r1", tmp / "r2", "--out", tmp / "mine"}),
                      "did not write");
        REQUIRE(
            run_fleetsim({"compare", tmp / "r1", tmp / "r2", "--out", tmp / "c", "-q"}).exit_code ==
            0);
        const auto c = run_fleetsim({"compare", tmp / "r2", tmp / "r1", "--out", tmp / "c", "-q"});
        INFO(c.err);
        REQUIRE(c.exit_code == 0);
        CHECK(names_in(tmp / "c").count("compare.csv") == 1);
        // A run folder is not a compare folder.
        check_refused(run_fleetsim({"compare", tmp / "r1", tmp / "r2", "--out", tmp / "r1"}),
                      "holds a fleetsim run result, not a compare result");

        // breakeven: refused before its first run (no "run 1" line, nothing written).
        auto be = run_fleetsim({"breakeven", source_path(kSmall), "--key",
                                "workload.classes.video-gen.price_usd_per_unit", "--low", "0.01",
                                "--high", "1", "--target", "0", "--out", tmp / "mine"});
        check_refused(be, "did not write");
        CHECK(be.out.find("run  1") == std::string::npos);
        CHECK(snapshot(tmp / "mine") == before);
        CHECK(read_file(tmp / "file") == "mine\n");
    }

    TEST_CASE("sweep and sweep merge refuse a folder of the user's and keep its work folder") {
        TempDir tmp("out-sweep");
        make_user_folder(tmp / "cwd");
        const auto before = snapshot(tmp / "cwd");
        const std::string sweep = source_path("tests/fixtures/report-sweep.yaml");
        // `sweep --out .` used to delete ./work.
        check_refused(run_in(tmp / "cwd", {"sweep", sweep, "--out", ".", "-q"}),
                      "is the current folder");
        check_refused(run_fleetsim({"sweep", sweep, "--out", tmp / "cwd", "-q"}), "did not write");
        check_refused(run_fleetsim({"sweep", "merge", tmp / "cwd", tmp / "shard0", "-q"}),
                      "did not write");
        CHECK(snapshot(tmp / "cwd") == before);
        // A sweep folder fleetsim marked, holding a work/ folder it did not make: refused, kept.
        fs::create_directories(tmp / "s/work");
        write_file(tmp / "s/.fleetsim-output", "fleetsim sweep\n");
        write_file(tmp / "s/work/mine.txt", "mine\n");
        check_refused(run_fleetsim({"sweep", sweep, "--out", tmp / "s", "-q"}),
                      "is not a work folder fleetsim made");
        CHECK(read_file(tmp / "s/work/mine.txt") == "mine\n");
        // A run folder is not a sweep folder.
        REQUIRE(run_fleetsim(small_run(tmp / "run")).exit_code == 0);
        check_refused(run_fleetsim({"sweep", sweep, "--out", tmp / "run", "-q"}),
                      "holds a fleetsim run result, not a sweep result");
    }

    TEST_CASE("report and trace refuse to replace a file fleetsim did not write") {
        TempDir tmp("out-files");
        REQUIRE(run_fleetsim(small_run(tmp / "run")).exit_code == 0);
        // A run folder of an older fleetsim (no marker) with a report.html of the user's.
        fs::copy(tmp / "run", tmp / "old");
        fs::remove(tmp / "old/.fleetsim-output");
        write_file(tmp / "old/report.html", "my page\n");
        auto r = run_fleetsim({"report", tmp / "old", "-q"});
        if (r.exit_code != 2 && r.err.find("FLEETSIM_REPORT") != std::string::npos)
            return;  // a build without the report: `report` writes nothing at all
        check_refused(r, "does not replace a report.html");
        CHECK(read_file(tmp / "old/report.html") == "my page\n");
        // Without a report.html it adds one, destroying nothing.
        fs::remove(tmp / "old/report.html");
        REQUIRE(run_fleetsim({"report", tmp / "old", "-q"}).exit_code == 0);
        CHECK(fs::exists(tmp / "old/report.html"));
        // In its own folder it replaces its own page.
        REQUIRE(run_fleetsim({"report", tmp / "run", "-q"}).exit_code == 0);

        write_file(tmp / "jobs.swf", "mine\n");
        auto t = run_fleetsim(
            {"trace", "generate", source_path(kSmall), tmp / "jobs.swf", "--to", "swf"});
        CHECK(t.exit_code == 2);
        CHECK(t.err.find("exists already") != std::string::npos);
        CHECK(read_file(tmp / "jobs.swf") == "mine\n");
        CHECK(names_in(tmp.path()) == std::set<std::string>{"jobs.swf", "old", "run"});
    }

    TEST_CASE("a run killed at 50 moments leaves the complete old or the complete new result") {
        // Two references written at the very path the kills hit (scenario.resolved.yaml records
        // it): seed 1 and seed 2. Each kill interrupts a run replacing one by the other; after
        // it the folder must equal, file for file (wall times aside), the old or the new one.
        TempDir tmp("out-kill");
        const std::string out = tmp / "work/out";
        std::map<std::string, std::map<std::string, std::string>> ref;
        double wall_s = 0;
        for (const std::string seed : {"1", "2"}) {
            const auto t0 = std::chrono::steady_clock::now();
            auto r = run_fleetsim(small_run(out, seed));
            wall_s = std::max(
                wall_s,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            INFO(r.err);
            REQUIRE(r.exit_code == 0);
            ref[seed] = result_of(out);
            fs::rename(out, tmp / ("ref-" + seed));
        }
        REQUIRE(ref["1"] != ref["2"]);
        REQUIRE(ref["1"].count(".fleetsim-output") == 1);
        REQUIRE(run_fleetsim(small_run(out, "1")).exit_code == 0);
        std::string current = "1";
        const int kills = 50;
        int old_seen = 0, new_seen = 0;
        for (int i = 0; i < kills; ++i) {
            CAPTURE(i);
            const std::string next = current == "1" ? "2" : "1";
            // Spread from the start to a little past the end of a run, so that some kills land
            // in the swap itself and some runs finish.
            const auto delay = std::chrono::duration<double>(wall_s * 1.1 * i / (kills - 1));
            const pid_t pid = fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                const auto args = small_run(out, next);
                std::vector<char*> argv = {const_cast<char*>(FLEETSIM_BINARY)};
                for (const auto& a : args)
                    argv.push_back(const_cast<char*>(a.c_str()));
                argv.push_back(nullptr);
                const int null = ::open("/dev/null", O_WRONLY);
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
                execv(FLEETSIM_BINARY, argv.data());
                _exit(127);
            }
            std::this_thread::sleep_for(delay);
            kill(pid, SIGKILL);
            int status = 0;
            waitpid(pid, &status, 0);
            // A run still going past the time the references took: the machine is busier now
            // (other tests), so the later kills are spread over the longer run.
            if (WIFSIGNALED(status) && delay.count() > wall_s)
                wall_s = delay.count() * 1.25;
            REQUIRE(fs::is_directory(out));
            const auto now = result_of(out);
            const bool old = now == ref[current], fresh = now == ref[next];
            if (!old && !fresh) {
                // Which files differ from the old result, to see what a kill broke.
                std::string differ;
                for (const auto& [name, text] : now) {
                    if (!ref[current].count(name) || ref[current].at(name) != text)
                        differ += " " + name;
                }
                for (const auto& [name, text] : ref[current]) {
                    if (!now.count(name))
                        differ += " missing:" + name;
                }
                INFO("after a kill at " << delay.count()
                                        << " s, differing from the old:" << differ);
                CHECK((old || fresh));
            }
            if (fresh) {
                current = next;
                ++new_seen;
            } else {
                ++old_seen;
            }
        }
        MESSAGE("kills that left the old result: " << old_seen << ", the new one: " << new_seen);
        // Both outcomes happened: the kills did reach the runs' middles and their ends.
        CHECK(old_seen > 0);
        CHECK(new_seen > 0);
        // The next complete run removes every leftover of the killed ones.
        REQUIRE(run_fleetsim(small_run(out, "1")).exit_code == 0);
        CHECK(result_of(out) == ref["1"]);
        const auto left = names_in(tmp / "work");
        std::string names;
        for (const auto& n : left)
            names += " " + n +
                     (fs::is_directory(tmp / ("work/" + n))
                          ? "/ (holding " + std::to_string(snapshot(tmp / ("work/" + n)).size()) +
                                " entries)"
                          : "");
        INFO("left in the folder:" << names);
        CHECK(left == std::set<std::string>{"out"});
    }
}
