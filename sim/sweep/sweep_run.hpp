#pragma once
// `fleetsim sweep` and `fleetsim sweep merge` (docs/sweeps.md): runs the points of a sweep on
// local cores, or over MPI ranks when launched by mpirun/srun, into one sweep folder.

#include "sim/sweep/sweep_spec.hpp"

#include <functional>
#include <string>
#include <vector>

namespace fleetsim::sweep {

struct SweepOptions {
    std::string sweep_file;
    std::string out;    ///< sweep folder; empty: results/<sweep name>
    int jobs = 0;       ///< points at once per process; 0: every core (1 per rank under MPI)
    std::string shard;  ///< "I/N": only the points whose id % N == I; empty: all
    bool retry_failed = false;
    bool quiet = false;
    bool list = false;         ///< print the points and run nothing
    std::string mpi = "auto";  ///< auto (when launched by mpirun or srun), on, off
    /** Checks each setting's scenario before anything runs (fleetsim: the policy registry). */
    ScenarioCheck check;
    /** Off a terminal, a progress line every this many seconds (0: none but the first and
     * the last). */
    double progress_every_s = 30;
    /** Writes the sweep folder's report.html at the end (fleetsim: write_report); empty: none
     * (`--no-report`). */
    std::function<void(const std::string& dir)> write_report;
};

struct MergeOptions {
    std::string out;
    std::vector<std::string> sources;
    bool quiet = false;
    std::function<void(const std::string& dir)> write_report;  ///< as SweepOptions'
};

/** Exit code of a sweep (or merge) that finished every point, some of them failed. */
inline constexpr int kExitFailedPoints = 3;

/**
 * Runs a sweep; returns the exit code: 0 every point done, kExitFailedPoints (3) every point
 * finished but some failed, 1 points left unfinished, 128 + signal when interrupted.
 */
int run_sweep(const SweepOptions& options);

/** Joins the databases of one sweep's shards into `out`; returns the exit code (as run_sweep's,
 * 1 when points are finished in none of the folders). */
int merge_sweeps(const MergeOptions& options);

struct Shard {
    int index = 0;
    int count = 1;
    bool owns(long long point_id) const { return point_id % count == index; }
};

/** Parses "I/N" (0 <= I < N); an InputError otherwise. Empty text: the whole sweep. */
Shard parse_shard(const std::string& text);

}  // namespace fleetsim::sweep
