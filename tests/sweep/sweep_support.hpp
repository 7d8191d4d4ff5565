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

/** A sweep body of 12 points: 3 prices (one invalid, so 4 points fail) x 2 policies x 2
 * replications from seed 3. */
extern const char* const kSmallSweep;

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
