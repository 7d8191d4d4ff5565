#pragma once
// The sweep's database (docs/sweeps.md, "Database"): one SQLite file per sweep folder with a
// row per point (parameters as columns, status, wall time, fleet totals), a row per point and
// class (the columns of classes.csv), the sweep's identity, and a log of the invocations.
// Each finished point is committed in its own transaction (WAL, synchronous=FULL): a sweep
// killed at any moment keeps every committed point and none of a half-written one.

#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/sweep_spec.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <memory>
#include <string>
#include <vector>

namespace fleetsim::sweep {

struct PointCounts {
    long long total = 0;
    long long done = 0;
    long long failed = 0;
    long long pending() const { return total - done - failed; }
};

/** What became of a finished sweep whose file grew (SweepDb::open_for). */
struct Growth {
    long long before = 0;        ///< points the folder's sweep had
    long long after = 0;         ///< points the sweep file makes now
    long long kept = 0;          ///< finished points kept (done or failed), under their new ids
    long long new_settings = 0;  ///< settings the folder did not have
    std::vector<long long> new_seeds;  ///< seeds the folder did not have, ascending
};

/** How one invocation ran (the runs table). */
struct RunInfo {
    int jobs = 1;
    int ranks = 1;
    std::string shard;  ///< "I/N", or empty
    std::string mpi_library;
};

class SweepDb {
public:
    /**
     * Opens `dir`/sweep.db, creating it (all points pending) for `plan`, or checking that the
     * existing one was made for the same plan (same fingerprint). A plan that only adds points
     * to the folder's (same base fingerprint: more seeds, replications or values) renumbers the
     * folder's points into it and says so in `growth`; anything else is an InputError.
     */
    static SweepDb open_for(const SweepPlan& plan,
                            const std::string& dir,
                            Growth* growth = nullptr);
    /**
     * The fingerprint of the sweep in an existing sweep.db (a folder or the file), read-only
     * (a file that is not a sweep database is refused and left as it was): `sweep merge`
     * checks every shard this way before it makes its output folder.
     */
    static std::string fingerprint_of(const std::string& path);
    /** Creates `dir`/sweep.db with the schema, identity and points of `source`, all pending. */
    static SweepDb create_like(const std::string& source, const std::string& dir);

    SweepDb(SweepDb&&) noexcept;
    SweepDb& operator=(SweepDb&&) noexcept;
    ~SweepDb();

    std::string meta(const std::string& key) const;
    /** Points still to run, by id; failed ones too when `retry_failed`. */
    std::vector<long long> unfinished(bool retry_failed) const;
    PointCounts counts() const;

    /** Commits one done or failed point (its row and its classes) in one transaction. */
    void record(const PointOutcome& outcome);

    long long begin_run(const RunInfo& info);
    void end_run(long long run_id, const std::string& outcome, const PointCounts& counts);

    /** Merges the finished points of another sweep.db of the same sweep; returns how many. */
    long long merge_from(const std::string& other_db);

    /**
     * Writes points.csv and results.csv, computes the statistics from them (settings, stats,
     * paired and effects tables, rewritten), writes stats.csv, paired.csv and effects.csv, then
     * sweep.json, beside the database (each file atomically).
     */
    void export_files(const std::string& dir) const;

private:
    void store_statistics(const SweepRuns& runs, const SweepStatistics& stats) const;

    explicit SweepDb(std::unique_ptr<SQLite::Database> db);
    std::unique_ptr<SQLite::Database> db_;
};

/** stats.csv, paired.csv and effects.csv of a sweep folder (docs/sweeps.md, "Statistics"). */
void write_statistics(const std::string& dir,
                      const SweepRuns& runs,
                      const Analysis& analysis,
                      const SweepStatistics& stats);

/** The database file of a sweep folder (or `path` itself when it names a file). */
std::string db_path(const std::string& path);

}  // namespace fleetsim::sweep
