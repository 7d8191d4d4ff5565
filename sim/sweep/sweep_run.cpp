#include "sim/sweep/sweep_run.hpp"

#include "sim/config/input_error.hpp"
#include "sim/config/output_folder.hpp"
#include "sim/io/csv.hpp"
#include "sim/sweep/mpi_transport.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/progress.hpp"
#include "sim/sweep/sweep_db.hpp"
#include "sim/sweep/sweep_spec.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sched.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace fleetsim::sweep {
namespace fs = std::filesystem;

namespace {

// MPI tags of the coordinator protocol (docs/sweeps.md, "MPI").
constexpr int kTagHello = 1;    // worker -> 0: "ok <fingerprint>" or "error <message>"
constexpr int kTagRequest = 2;  // worker -> 0: a slot is free
constexpr int kTagAssign = 3;   // 0 -> worker: a point id (int64), or -1: no more points
constexpr int kTagResult = 4;   // worker -> 0: a PointOutcome as JSON

// Rank 0 serves requests between its own points: a short wait keeps workers from idling.
constexpr auto kCoordinatorPoll = std::chrono::milliseconds(2);
constexpr auto kLocalPoll = std::chrono::milliseconds(250);

int default_jobs() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return std::max(1, CPU_COUNT(&set));
    return std::max(1U, std::thread::hardware_concurrency());
}

std::string process_tag() {
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    return fmt::format("{}.{}", host, ::getpid());
}

/**
 * An exclusive lock on the sweep folder (two sweeps on one database would run points twice),
 * taken with flock() on sweep.db itself. On Linux flock() locks are apart from the fcntl() locks
 * SQLite takes; the descriptor must outlive the database connection, because closing any
 * descriptor of a file drops the process's fcntl() locks on it.
 */
class FolderLock {
public:
    explicit FolderLock(const std::string& dir) {
        const std::string path = (fs::path(dir) / "sweep.db").string();
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0)  // a folder without write permission, a directory named sweep.db
            throw InputError(
                SourceSpan{path, 0, 0}, "",
                std::string("cannot open the sweep database: ") + std::strerror(errno));
        if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd_);
            throw InputError(SourceSpan{dir, 0, 0}, "",
                             "another fleetsim sweep is running on this folder; wait for it, or "
                             "choose another folder with --out");
        }
    }
    ~FolderLock() {
        if (fd_ >= 0)
            ::close(fd_);  // the lock goes with the descriptor (and with the process on kill -9)
    }
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;

private:
    int fd_ = -1;
};

// What every finished invocation writes into the sweep folder.
constexpr const char* kFolderFiles =
    "sweep.db, points.csv, results.csv, stats.csv, paired.csv, effects.csv, sweep.json";

/** Writes the folder's report; false (and says why) when it could not. */
bool write_folder_report(const std::function<void(const std::string&)>& write,
                         const std::string& dir) {
    try {
        write(dir);
        return true;
    } catch (const std::exception& e) {
        spdlog::error("the sweep's results are written, its report.html is not: {}", e.what());
        return false;
    }
}

/**
 * The exit code of a sweep folder at the end of an invocation (docs/sweeps.md, "Running"):
 * 128 + the signal that stopped it, 1 when points of this run are left unfinished,
 * kExitFailedPoints when the folder holds failed points, 0 when every point is done.
 */
int exit_code(const PointCounts& all, int signal, long long left, const std::string& out) {
    if (all.failed > 0) {
        spdlog::warn(
            "{} point{} of the sweep failed; their errors: sqlite3 {}/sweep.db \"SELECT "
            "point_id, error FROM points WHERE status = 'failed'\" (--retry-failed runs them "
            "again)",
            all.failed, all.failed == 1 ? "" : "s", out);
    }
    if (signal || left > 0) {
        spdlog::warn(
            "{}: {} point{} of this run still to run: run the same command again to resume",
            signal ? fmt::format("interrupted by signal {}", signal) : "incomplete", left,
            left == 1 ? "" : "s");
        return signal ? 128 + signal : 1;
    }
    return all.failed > 0 ? kExitFailedPoints : 0;
}

/** output_folder::open_in_place() for a sweep folder, the leftovers it removed in the log. */
std::string open_sweep_folder(const std::string& dir) {
    const output_folder::Prepared p = output_folder::open_in_place(dir, "sweep");
    for (const auto& c : p.cleaned)
        spdlog::info("removed {}, left by a killed fleetsim", c);
    return p.dir;
}

/** What one process that owns the sweep folder holds while it runs. */
struct Session {
    const SweepPlan& plan;
    std::string out;
    std::unique_ptr<FolderLock> lock;
    std::optional<SweepDb> db;
    std::vector<long long> todo;
    long long run_id = 0;
    long long unfinished = 0;  ///< points whose child was interrupted: still pending
    std::optional<Progress> progress;

    std::function<void(const std::string&)> write_report;

    Session(const SweepPlan& p, const SweepOptions& o, const RunInfo& info)
        : plan(p), write_report(o.write_report) {
        // A sweep folder is resumed in place: it must be absent, empty or a sweep folder
        // fleetsim marked (sim/config/output_folder.hpp); anything else is refused, untouched.
        out = open_sweep_folder(o.out.empty() ? "results/" + plan.name : o.out);
        lock = std::make_unique<FolderLock>(out);
        Growth growth;
        db = SweepDb::open_for(plan, out, &growth);
        if (growth.after > 0 && !o.quiet) {
            std::string seeds;
            for (long long s : growth.new_seeds)
                seeds += (seeds.empty() ? "" : ", ") + std::to_string(s);
            std::cout << fmt::format(
                "sweep {}: the sweep file grew from {} to {} points ({} new setting{}, {} new "
                "seed{}{}); the folder's {} finished point{} are kept, {} to run\n",
                plan.name, growth.before, growth.after, growth.new_settings,
                growth.new_settings == 1 ? "" : "s", growth.new_seeds.size(),
                growth.new_seeds.size() == 1 ? "" : "s", seeds.empty() ? "" : ": " + seeds,
                growth.kept, growth.kept == 1 ? "" : "s", growth.after - growth.kept);
        }
        // Anything under work/ belongs to points that never finished: they run again. After a
        // kill -9 the killed sweep's point processes may still be writing there, so a removal
        // can fail (ENOTEMPTY): their folders carry the old process's tag, which this run never
        // reuses, so what is left behind is harmless and finish() removes it again. A work/
        // without fleetsim's marker is not ours: refused, never removed.
        const std::string work = (fs::path(out) / "work").string();
        if (!output_folder::remove_marked(work, "work") &&
            output_folder::marker_kind(work) != "work")
            throw InputError(SourceSpan{work, 0, 0}, "output.dir",
                             std::string("is not a work folder fleetsim made (no ") +
                                 output_folder::kMarker +
                                 " marker in it): fleetsim never removes it; move it away, or "
                                 "choose another folder with --out");
        const Shard shard = parse_shard(o.shard);
        for (long long id : db->unfinished(o.retry_failed)) {
            if (shard.owns(id))
                todo.push_back(id);
        }
        run_id = db->begin_run(info);
        progress.emplace(static_cast<long long>(todo.size()),
                         o.quiet                ? Progress::Mode::none
                         : stderr_is_terminal() ? Progress::Mode::bar
                                                : Progress::Mode::lines,
                         plan.name, o.progress_every_s);
        progress->draw(true);
    }

    RunnerConfig runner_config() const {
        return RunnerConfig{self_exe(), out, (fs::path(out) / "work").string(), process_tag(), 0};
    }

    void handle(const PointOutcome& o) {
        if (o.status == PointOutcome::Status::interrupted) {
            ++unfinished;
            return;
        }
        db->record(o);
        progress->point_finished(o.status == PointOutcome::Status::failed);
    }

    /** Closes the run: the runs table, points.csv, results.csv and sweep.json; prints; returns
     * the exit code. */
    int finish(int signal, const std::string& how, bool quiet) {
        progress->finish();
        const long long ran = progress->done();
        const long long left = static_cast<long long>(todo.size()) - ran;
        db->end_run(run_id,
                    signal     ? "interrupted"
                    : left > 0 ? "incomplete"
                               : "complete",
                    PointCounts{0, ran - progress->failed(), progress->failed()});
        db->export_files(out);
        output_folder::remove_marked((fs::path(out) / "work").string(), "work");
        // The report is for a sweep that ran to its end, not for one stopped by a signal.
        const bool report = !signal && write_report && write_folder_report(write_report, out);
        const PointCounts all = db->counts();
        const double wall = progress->elapsed_s();
        if (!quiet) {
            std::cout << fmt::format(
                "sweep {}: {} of {} points finished ({} done, {} failed); this run: {} points in "
                "{:.1f} s ({:.2f} points/s, {})\nwrote {}/ ({}{})\n",
                plan.name, all.done + all.failed, all.total, all.done, all.failed, ran, wall,
                wall > 0 ? static_cast<double>(ran) / wall : 0.0, how, out, kFolderFiles,
                report ? ", report.html" : "");
        }
        const int code = exit_code(all, signal, left, out);
        return code == 0 && write_report && !signal && !report ? 1 : code;
    }
};

void print_points(const SweepPlan& plan) {
    CsvWriter csv(std::cout);
    csv.field("point_id");
    for (const auto& k : plan.keys)
        csv.field(k);
    csv.field("seed").field("replication").field("point_key").end_row();
    for (const auto& p : plan.points) {
        csv.field(p.id);
        for (const auto& v : p.values)
            csv.field(v.override_text);
        csv.field(p.seed).field(p.replication).field(p.point_key).end_row();
    }
    csv.finish();
}

int run_local(const SweepPlan& plan, const SweepOptions& o) {
    const int jobs = o.jobs > 0 ? o.jobs : default_jobs();
    Session s(plan, o, RunInfo{jobs, 1, o.shard, ""});
    PointRunner runner(plan, s.runner_config(), jobs);
    std::deque<long long> queue(s.todo.begin(), s.todo.end());
    while (!runner.interrupted()) {
        while (runner.free_slots() > 0 && !queue.empty()) {
            runner.start(queue.front());
            queue.pop_front();
        }
        if (runner.running() == 0)
            break;
        for (const auto& outcome : runner.collect(kLocalPoll))
            s.handle(outcome);
        s.progress->draw();
    }
    if (runner.interrupted())
        runner.stop_all();
    return s.finish(runner.interrupted(), fmt::format("-j {}", jobs), o.quiet);
}

// ---- MPI -------------------------------------------------------------------------------------

void send_text(const fleetsim_mpi_api& mpi, const std::string& text, int dest, int tag) {
    mpi.send(text.data(), static_cast<int>(text.size()), dest, tag);
}

std::string recv_text(const fleetsim_mpi_api& mpi, int source, int tag, int len) {
    std::string buf(static_cast<std::size_t>(len), '\0');
    mpi.recv(buf.data(), len, source, tag);
    return buf;
}

/** Rank 0 tells every rank whether to go on, and where the sweep folder is (empty: stop). */
std::string broadcast_go(const fleetsim_mpi_api& mpi, std::string folder) {
    int len = static_cast<int>(folder.size());
    mpi.bcast(&len, sizeof len, 0);
    folder.resize(static_cast<std::size_t>(len));
    if (len > 0)
        mpi.bcast(folder.data(), len, 0);
    return folder;
}

int mpi_worker(const SweepPlan& plan,
               const SweepOptions& o,
               const fleetsim_mpi_api& mpi,
               int rank,
               const std::string& out) {
    PointRunner runner(
        plan, RunnerConfig{self_exe(), out, (fs::path(out) / "work").string(), process_tag(), rank},
        o.jobs > 0 ? o.jobs : 1);
    bool more = true;
    while (true) {
        while (more && runner.free_slots() > 0) {
            mpi.send(nullptr, 0, 0, kTagRequest);
            int len = 0;
            mpi.probe(0, kTagAssign, &len);
            std::int64_t id = -1;
            mpi.recv(&id, sizeof id, 0, kTagAssign);
            if (id < 0)
                more = false;
            else
                runner.start(id);
        }
        if (!more && runner.running() == 0)
            return 0;
        for (const auto& outcome : runner.collect(kLocalPoll))
            send_text(mpi, outcome.to_json(), 0, kTagResult);
        if (runner.interrupted()) {
            runner.stop_all();
            mpi.abort(128 + runner.interrupted());
        }
    }
}

int mpi_coordinator(Session& s, const SweepOptions& o, const fleetsim_mpi_api& mpi, int size) {
    const int jobs = o.jobs > 0 ? o.jobs : 1;
    PointRunner runner(s.plan, s.runner_config(), jobs);
    std::deque<long long> queue(s.todo.begin(), s.todo.end());
    int stopped_workers = 0;
    long long outstanding = 0;  // assigned to workers, result not yet in
    while (!runner.interrupted()) {
        while (runner.free_slots() > 0 && !queue.empty()) {
            runner.start(queue.front());
            queue.pop_front();
        }
        int source = 0, tag = 0, len = 0;
        while (mpi.iprobe(&source, &tag, &len)) {
            const std::string msg = recv_text(mpi, source, tag, len);
            if (tag == kTagRequest) {
                std::int64_t id = -1;
                if (!queue.empty()) {
                    id = queue.front();
                    queue.pop_front();
                    ++outstanding;
                } else {
                    ++stopped_workers;
                }
                mpi.send(&id, sizeof id, source, kTagAssign);
            } else if (tag == kTagResult) {
                --outstanding;
                s.handle(PointOutcome::from_json(msg));
            }
        }
        if (queue.empty() && runner.running() == 0 && stopped_workers == size - 1 &&
            outstanding == 0)
            break;
        for (const auto& outcome : runner.collect(kCoordinatorPoll))
            s.handle(outcome);
        s.progress->draw();
    }
    if (runner.interrupted()) {
        runner.stop_all();
        const int code = s.finish(runner.interrupted(), "interrupted", o.quiet);
        s.db.reset();
        mpi.abort(code);  // ends the workers too: their points stay pending for the next run
    }
    return s.finish(0, fmt::format("{} ranks x -j {}", size, jobs), o.quiet);
}

int run_mpi(const SweepOptions& o, const fleetsim_mpi_api& mpi) {
    int rank = 0, size = 1;
    if (mpi.init(&rank, &size) != 0)
        throw std::runtime_error("MPI_Init failed");
    struct Finalize {
        const fleetsim_mpi_api& mpi;
        ~Finalize() { mpi.finalize(); }
    } finalize{mpi};

    // Every rank reads the sweep itself; rank 0 checks that they all read the same one.
    std::optional<SweepPlan> plan;
    std::exception_ptr failure;
    try {
        plan = load_sweep(o.sweep_file, o.check);
    } catch (...) {
        failure = std::current_exception();
    }
    if (rank != 0) {
        std::string hello = plan ? "ok " + plan->fingerprint : "error";
        if (failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                hello = std::string("error ") + e.what();
            }
        }
        send_text(mpi, hello, 0, kTagHello);
        const std::string out = broadcast_go(mpi, "");
        if (out.empty())
            return 2;  // rank 0 says why
        return mpi_worker(*plan, o, mpi, rank, out);
    }

    std::optional<Session> session;
    if (!failure) {
        try {
            session.emplace(*plan, o,
                            RunInfo{o.jobs > 0 ? o.jobs : 1, size, o.shard, mpi.library_version()});
        } catch (...) {
            failure = std::current_exception();
        }
    }
    std::string problems;
    for (int w = 1; w < size; ++w) {
        int len = 0;
        mpi.probe(w, kTagHello, &len);
        const std::string hello = recv_text(mpi, w, kTagHello, len);
        if (plan && hello != "ok " + plan->fingerprint) {
            problems +=
                fmt::format("\n  rank {}: {}", w,
                            hello.rfind("error ", 0) == 0
                                ? hello.substr(6)
                                : "read a different sweep (fingerprint " + hello.substr(3) + ")");
        }
    }
    const bool go = !failure && problems.empty();
    broadcast_go(mpi, go ? fs::absolute(session->out).string() : "");
    if (failure)
        std::rethrow_exception(failure);
    if (!problems.empty()) {
        session.reset();
        throw std::runtime_error("not every MPI rank can run this sweep:" + problems);
    }
    return mpi_coordinator(*session, o, mpi, size);
}

}  // namespace

Shard parse_shard(const std::string& text) {
    Shard s;
    if (text.empty())
        return s;
    const auto slash = text.find('/');
    bool ok = slash != std::string::npos;
    if (ok) {
        auto [p1, e1] = std::from_chars(text.data(), text.data() + slash, s.index);
        auto [p2, e2] =
            std::from_chars(text.data() + slash + 1, text.data() + text.size(), s.count);
        ok = e1 == std::errc() && p1 == text.data() + slash && e2 == std::errc() &&
             p2 == text.data() + text.size() && s.count > 0 && s.index >= 0 && s.index < s.count;
    }
    if (!ok)
        throw InputError(SourceSpan{"<command line: --shard " + text + ">", 0, 0}, "",
                         "expected I/N with 0 <= I < N (e.g. 0/4), found '" + text + "'");
    return s;
}

int run_sweep(const SweepOptions& o) {
    parse_shard(o.shard);
    const int launched = launched_world_size();
    const bool use_mpi = o.mpi == "on" || (o.mpi == "auto" && launched > 1) ||
                         (o.mpi == "auto" && launched == 1 && std::getenv("PMIX_RANK"));
    if (use_mpi && !o.list) {
        // Before MPI_Init starts its threads, so that they inherit the mask (point_runner.hpp).
        SignalGuard signals;
        return run_mpi(o, load_mpi());
    }
    // Read with SIGINT and SIGTERM as they are: reading writes nothing, so a signal may end
    // it at once (the sweep file, its base scenario and every setting's check can take a
    // while) instead of waiting, blocked, for the guard below.
    const SweepPlan plan = load_sweep(o.sweep_file, o.check);
    if (o.list) {
        print_points(plan);
        return 0;
    }
    SignalGuard signals;
    return run_local(plan, o);
}

int merge_sweeps(const MergeOptions& o) {
    if (o.sources.empty())
        throw InputError(SourceSpan{"<command line>", 0, 0}, "",
                         "expected at least one sweep folder to merge");
    for (const auto& src : o.sources) {
        if (fs::exists(src) && fs::exists(o.out) && fs::equivalent(src, o.out))
            throw InputError(SourceSpan{src, 0, 0}, "",
                             "is the merge's output folder: name the shards' folders only");
    }
    // OUT is checked first (a folder of the user's is refused whatever the shards are), then
    // every shard is read before OUT is made, so a bad shard (not a sweep folder, a damaged
    // database, another sweep's) leaves no empty folder behind.
    for (const auto& c : output_folder::prepare(o.out, "sweep").cleaned)
        spdlog::info("removed {}, left by a killed fleetsim", c);
    std::string fingerprint;
    for (const auto& src : o.sources) {
        const std::string theirs = SweepDb::fingerprint_of(src);
        if (fingerprint.empty())
            fingerprint = theirs;
        else if (theirs != fingerprint)
            throw InputError(SourceSpan{src, 0, 0}, "",
                             fmt::format("holds another sweep (fingerprint {}, expected {} as "
                                         "in {}): only shards of one sweep can be merged",
                                         theirs, fingerprint, o.sources.front()));
    }
    const std::string out = open_sweep_folder(o.out);
    FolderLock lock(out);
    SweepDb db = SweepDb::create_like(o.sources.front(), out);
    long long taken = 0;
    for (const auto& src : o.sources)
        taken += db.merge_from(src);
    db.export_files(out);
    const bool report = o.write_report && write_folder_report(o.write_report, out);
    const PointCounts c = db.counts();
    if (!o.quiet) {
        std::cout << fmt::format(
            "merged {} sweep folder{} into {}/: {} points taken; {} of {} points finished ({} "
            "done, {} failed)\n",
            o.sources.size(), o.sources.size() == 1 ? "" : "s", out, taken, c.done + c.failed,
            c.total, c.done, c.failed);
    }
    if (c.pending() > 0) {
        spdlog::warn(
            "{} point{} of the sweep finished in none of the folders: run their shards "
            "again and merge once more",
            c.pending(), c.pending() == 1 ? "" : "s");
        return 1;
    }
    const int code = exit_code(c, 0, 0, out);
    return code == 0 && o.write_report && !report ? 1 : code;
}

}  // namespace fleetsim::sweep
