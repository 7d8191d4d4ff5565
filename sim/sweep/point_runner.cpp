#include "sim/sweep/point_runner.hpp"

#include "sim/config/output_folder.hpp"
#include "sim/io/csv.hpp"
#include "sim/schema/schema.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace fleetsim::sweep {
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// Long enough for a child to finish writing its files, short enough for an impatient Ctrl-C.
constexpr auto kStopGrace = std::chrono::seconds(3);
constexpr std::size_t kMaxErrorChars = 4000;

sigset_t sweep_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGCHLD, SIGINT, SIGTERM, SIGHUP})
        sigaddset(&set, s);
    return set;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
        s.pop_back();
    if (s.size() > kMaxErrorChars)
        s = "..." + s.substr(s.size() - kMaxErrorChars);
    return s;
}

/** The figures of summary.json that the points table keeps (point_figures()). */
std::map<std::string, double> read_totals(const fs::path& summary_path) {
    const RunSummary summary = Json::parse(read_text(summary_path)).get<RunSummary>();
    std::map<std::string, double> out;
    for (const auto& f : point_figures()) {
        if (const auto v = f.value(summary))
            out[f.column] = *v;
    }
    return out;
}

/** The cells of classes.csv's rows, checked against this fleetsim's columns. */
std::vector<std::vector<std::string>> read_class_rows(const fs::path& path) {
    CsvReader reader(path.string());
    if (reader.header() != csv_columns<ClassFigures>())
        throw std::runtime_error("classes.csv does not have the expected columns");
    std::vector<std::vector<std::string>> rows;
    reader.for_each_row([&](const CsvRow& row) { rows.push_back(row.fields()); });
    return rows;
}

/**
 * The test suite's way to make chosen points fail: every value of a sweep is checked before
 * any point runs, so no sweep file can make a point fail on purpose. With
 * FLEETSIM_TEST_FAIL_POINTS=4,5 (point ids) those points run with one more override the
 * scenario rejects (horizon_s=-1), and fail as a point whose process exits 2 does
 * (docs/testing.md). Unset, as everywhere but in tests, it changes nothing.
 */
bool fails_for_tests(long long point_id) {
    const char* list = std::getenv("FLEETSIM_TEST_FAIL_POINTS");
    if (list == nullptr)
        return false;
    std::istringstream in(list);
    std::string id;
    while (std::getline(in, id, ',')) {
        if (id == std::to_string(point_id))
            return true;
    }
    return false;
}

}  // namespace

const char* status_name(PointOutcome::Status s) {
    switch (s) {
        case PointOutcome::Status::done:
            return "done";
        case PointOutcome::Status::failed:
            return "failed";
        case PointOutcome::Status::interrupted:
            return "interrupted";
    }
    return "failed";
}

std::string PointOutcome::to_json() const {
    Json j;
    j["point_id"] = point_id;
    j["status"] = status_name(status);
    j["exit_code"] = exit_code ? Json(*exit_code) : Json(nullptr);
    j["error"] = error;
    j["wall_s"] = wall_s;
    j["rank"] = rank;
    j["totals"] = totals;
    j["rows"] = rows;
    return j.dump();
}

PointOutcome PointOutcome::from_json(const std::string& text) {
    const Json j = Json::parse(text);
    PointOutcome o;
    o.point_id = j.at("point_id").get<long long>();
    const std::string s = j.at("status").get<std::string>();
    o.status = s == "done" ? Status::done : s == "failed" ? Status::failed : Status::interrupted;
    if (!j.at("exit_code").is_null())
        o.exit_code = j.at("exit_code").get<int>();
    o.error = j.at("error").get<std::string>();
    o.wall_s = j.at("wall_s").get<double>();
    o.rank = j.at("rank").get<int>();
    o.totals = j.at("totals").get<std::map<std::string, double>>();
    o.rows = j.at("rows").get<std::vector<std::vector<std::string>>>();
    return o;
}

SignalGuard::SignalGuard() {
    sigset_t set = sweep_signals();
    pthread_sigmask(SIG_BLOCK, &set, &old_);
}

SignalGuard::~SignalGuard() {
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

std::string self_exe() {
    std::error_code ec;
    auto p = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        throw std::runtime_error("cannot find the fleetsim binary: /proc/self/exe: " +
                                 ec.message());
    return p.string();
}

void die_with_sweep() {
    const char* sweep_pid = std::getenv(kSweepPidVariable);
    if (sweep_pid == nullptr)
        return;
    // PR_SET_PDEATHSIG follows the thread that spawned us; the sweep spawns from its main
    // thread, which lives as long as the sweep. The getppid() check closes the race in which
    // the sweep died before the prctl() call.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (std::to_string(getppid()) != sweep_pid)
        _exit(128 + SIGKILL);
}

PointRunner::PointRunner(const SweepPlan& plan, RunnerConfig config, int slots)
    : plan_(plan), config_(std::move(config)), slots_(slots < 1 ? 1 : slots) {
    // Marked, so that the sweep removes it (and only it) when the points are done.
    fs::create_directories(config_.work_dir);
    if (output_folder::marker_kind(config_.work_dir) != "work")
        output_folder::mark(config_.work_dir, "work");
}

PointRunner::~PointRunner() {
    if (!children_.empty())
        stop_all();
}

void PointRunner::start(long long point_id) {
    const SweepPoint& point = plan_.points.at(static_cast<std::size_t>(point_id));
    Child child;
    child.point_id = point_id;
    const std::string stem =
        fmt::format("{}/{}.{}.{}", config_.work_dir, point_id, config_.tag, started_count_++);
    child.out = stem;
    child.stderr_path = stem + ".stderr";

    std::vector<std::string> args = {config_.exe, "run", plan_.base};
    for (const auto& o : plan_.overrides(point)) {
        args.push_back("--set");
        args.push_back(o.key + "=" + o.value);
    }
    if (fails_for_tests(point_id)) {
        args.push_back("--set");
        args.push_back("horizon_s=-1");
    }
    // A point's folder is read into sweep.db and dropped: no report.html for it (the sweep has
    // its own report).
    for (const char* a : {"--out", child.out.c_str(), "-q", "--no-report"})
        args.emplace_back(a);
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    // The parent's environment, plus the sweep's pid for die_with_sweep().
    const std::string sweep_pid = fmt::format("{}={}", kSweepPidVariable, getpid());
    const std::string prefix = std::string(kSweepPidVariable) + "=";
    std::vector<char*> envp;
    for (char** e = environ; *e != nullptr; ++e) {
        if (std::string_view(*e).rfind(prefix, 0) != 0)
            envp.push_back(*e);
    }
    envp.push_back(const_cast<char*>(sweep_pid.c_str()));
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, child.stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults = sweep_signals();
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    pid_t pid = 0;
    child.started = std::chrono::steady_clock::now();
    // /proc/self/exe, not the path: if the binary is rebuilt during a sweep, every point still
    // runs the sweep's own binary (the one its fingerprint was computed by).
    const int rc = posix_spawn(&pid, "/proc/self/exe", &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        throw std::runtime_error(
            fmt::format("cannot start {}: {}", config_.exe, std::strerror(rc)));
    children_.emplace(pid, std::move(child));
}

PointOutcome PointRunner::finish(const Child& child, int wait_status) {
    PointOutcome o;
    o.point_id = child.point_id;
    o.rank = config_.rank;
    o.wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - child.started).count();
    std::string stderr_text;
    try {
        stderr_text = read_text(child.stderr_path);
    } catch (const std::exception&) {
    }
    if (WIFSIGNALED(wait_status)) {
        const int sig = WTERMSIG(wait_status);
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
            o.status = PointOutcome::Status::interrupted;
        } else {
            o.status = PointOutcome::Status::failed;
            o.error =
                trim(fmt::format("killed by signal {} ({})\n{}", sig, strsignal(sig), stderr_text));
        }
    } else if (WEXITSTATUS(wait_status) != 0) {
        o.status = PointOutcome::Status::failed;
        o.exit_code = WEXITSTATUS(wait_status);
        o.error = trim(stderr_text);
    } else {
        o.exit_code = 0;
        try {
            o.rows = read_class_rows(fs::path(child.out) / "classes.csv");
            o.totals = read_totals(fs::path(child.out) / "summary.json");
            o.status = PointOutcome::Status::done;
        } catch (const std::exception& e) {
            o.status = PointOutcome::Status::failed;
            o.error = std::string("internal error: reading the point's output: ") + e.what();
        }
    }
    std::error_code ec;
    if (o.status == PointOutcome::Status::done && plan_.keep_point_outputs) {
        const fs::path kept = fs::path(config_.out_dir) / "points" / std::to_string(o.point_id);
        fs::create_directories(kept.parent_path(), ec);
        fs::remove_all(kept, ec);
        fs::rename(child.out, kept, ec);
    }
    fs::remove_all(child.out, ec);
    fs::remove(child.stderr_path, ec);
    return o;
}

std::vector<PointOutcome> PointRunner::collect(std::chrono::milliseconds timeout) {
    std::vector<PointOutcome> out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const sigset_t set = sweep_signals();
    while (true) {
        int status = 0;
        pid_t pid;
        while (!children_.empty() && (pid = waitpid(-1, &status, WNOHANG)) > 0) {
            auto it = children_.find(pid);
            if (it == children_.end())
                continue;
            out.push_back(finish(it->second, status));
            children_.erase(it);
        }
        if (!out.empty() || interrupted_)
            return out;
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::nanoseconds(0))
            return out;
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
        timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
        const int sig = sigtimedwait(&set, nullptr, &ts);
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
            interrupted_ = sig;
        // SIGCHLD, a timeout or EINTR: reap again (a SIGCHLD taken by another thread, e.g. one of
        // MPI's, is caught by the next waitpid all the same).
    }
}

void PointRunner::stop_all() {
    for (const auto& [pid, child] : children_)
        kill(pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + kStopGrace;
    while (!children_.empty()) {
        int status = 0;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            auto it = children_.find(pid);
            if (it != children_.end()) {
                std::error_code ec;
                fs::remove_all(it->second.out, ec);
                fs::remove(it->second.stderr_path, ec);
                children_.erase(it);
            }
            continue;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            for (const auto& [p, child] : children_)
                kill(p, SIGKILL);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

}  // namespace fleetsim::sweep
