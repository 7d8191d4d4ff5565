#pragma once
// Runs sweep points as child processes of the fleetsim binary itself: SimGrid's engine is one
// per process, so every point is `fleetsim run BASE --set ... --out WORK -q` in its own process.
// Children are started with posix_spawn (vfork-style: no copy of the parent, and safe after
// MPI_Init, where OpenMPI warns about fork), each in its own process group so that Ctrl-C
// reaches only the sweep, which then ends them itself.

#include "sim/sweep/sweep_spec.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <signal.h>
#include <string>
#include <sys/types.h>
#include <vector>

namespace fleetsim::sweep {

/** What became of one point. */
struct PointOutcome {
    /** done and failed are recorded; interrupted (the child got SIGINT, SIGTERM or SIGHUP)
     * leaves the point unfinished, to be run again. */
    enum class Status { done, failed, interrupted };
    long long point_id = 0;
    Status status = Status::failed;
    std::optional<int> exit_code;
    std::string error;
    double wall_s = 0;
    int rank = 0;                                ///< which MPI rank ran it
    std::map<std::string, double> totals;        ///< point_figures() columns, from summary.json
    std::vector<std::vector<std::string>> rows;  ///< classes.csv's cells, as written

    std::string to_json() const;
    static PointOutcome from_json(const std::string& text);
};

const char* status_name(PointOutcome::Status s);

/**
 * Blocks SIGCHLD, SIGINT, SIGTERM and SIGHUP while alive, so that the sweep waits for children
 * and for an interruption in one place (sigtimedwait) instead of in asynchronous handlers.
 * Create it before any thread starts (MPI_Init) so that every thread inherits the mask.
 */
class SignalGuard {
public:
    SignalGuard();
    ~SignalGuard();
    SignalGuard(const SignalGuard&) = delete;
    SignalGuard& operator=(const SignalGuard&) = delete;

private:
    sigset_t old_;
};

struct RunnerConfig {
    std::string exe;       ///< the fleetsim binary's path (argv[0] of the points)
    std::string out_dir;   ///< the sweep's folder
    std::string work_dir;  ///< where running points write
    std::string tag;       ///< makes work folder names unique across hosts and processes
    int rank = 0;          ///< the MPI rank running the points (0 without MPI)
};

class PointRunner {
public:
    PointRunner(const SweepPlan& plan, RunnerConfig config, int slots);
    ~PointRunner();
    PointRunner(const PointRunner&) = delete;
    PointRunner& operator=(const PointRunner&) = delete;

    int slots() const { return slots_; }
    int running() const { return static_cast<int>(children_.size()); }
    int free_slots() const { return slots_ - running(); }

    void start(long long point_id);
    /**
     * Returns the points that ended, waiting up to `timeout` for the first when none has.
     * Returns early, possibly empty, when SIGINT, SIGTERM or SIGHUP arrives (interrupted()).
     */
    std::vector<PointOutcome> collect(std::chrono::milliseconds timeout);
    /** The signal that interrupted the sweep, or 0. */
    int interrupted() const { return interrupted_; }
    /** Ends every running child (SIGTERM, then SIGKILL after a grace period) and cleans up. */
    void stop_all();

private:
    struct Child {
        long long point_id;
        std::string out;
        std::string stderr_path;
        std::chrono::steady_clock::time_point started;
    };
    PointOutcome finish(const Child& child, int wait_status);

    const SweepPlan& plan_;
    RunnerConfig config_;
    int slots_;
    long long started_count_ = 0;
    std::map<pid_t, Child> children_;
    int interrupted_ = 0;
};

/** The path of the running binary (/proc/self/exe resolved). */
std::string self_exe();

/** The environment variable by which a sweep tells its point processes its pid. */
inline constexpr const char* kSweepPidVariable = "FLEETSIM_SWEEP_PID";

/**
 * In a point process started by a sweep (kSweepPidVariable set): asks the kernel to kill this
 * process when the sweep dies, kill -9 included, so no orphaned point keeps a core busy for a
 * result nobody will read. Exits at once if the sweep is already gone. Does nothing otherwise.
 */
void die_with_sweep();

}  // namespace fleetsim::sweep
