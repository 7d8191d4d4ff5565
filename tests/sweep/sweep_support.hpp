#pragma once
// Helpers for the sweep tests: sweep files on a tiny base, databases dumped for comparison, and
// a sweep started in the background so that a test can interrupt it.

#include "tests/support/spawn.hpp"

#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace fleetsim::test {

/**
 * A sweep file `name`.yaml in `dir` on the default scenario shortened to 6 simulated hours (so
 * a point costs a fraction of a second), with `body` (YAML: vary, replications, ...) appended.
 */
std::string write_sweep(const TempDir& dir, const std::string& name, const std::string& body);

/** A sweep body of 12 points: 3 prices x 2 policies x 2 replications from seed 3. */
extern const char* const kSmallSweep;

/** The points of kSmallSweep made to fail with FailPoints: those of its second price (0.1). */
extern const char* const kSmallSweepFailing;

/**
 * While alive, the points with these ids (comma-separated) of every sweep this process starts
 * fail as a point whose run rejects its scenario does (FLEETSIM_TEST_FAIL_POINTS,
 * sim/sweep/point_runner.cpp): a sweep checks every value before it runs, so no sweep file
 * can make a point fail.
 */
class FailPoints {
public:
    explicit FailPoints(const char* ids);
    ~FailPoints();
    FailPoints(const FailPoints&) = delete;
    FailPoints& operator=(const FailPoints&) = delete;
};

/** Every table of a sweep.db as text rows, in a fixed order; points without wall_s and rank
 * (the columns that say how a point ran) and without the runs table (the log of invocations). */
std::map<std::string, std::vector<std::string>> dump_sweep_db(const std::string& db_file);

/** Number of points of a sweep.db with this status. */
long long count_status(const std::string& db_file, const std::string& status);

/** Starts the fleetsim binary with `args` in the background (output discarded). */
pid_t start_fleetsim(const std::vector<std::string>& args);
/** Waits for a child started by start_fleetsim; returns its exit code (128 + signal). */
int wait_child(pid_t pid);

}  // namespace fleetsim::test
