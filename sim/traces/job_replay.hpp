#pragma once
// How a job log becomes a batch class's jobs (docs/traces.md, "Replaying a job log"):
//   1. the window: rows submitted in [start_s, end_s) of the trace's own time;
//   2. `where`: every condition on a column holds;
//   3. the size map: GPUs = ceil(size x gpus_per_unit), at least 1; a job larger than the
//      largest gang the class's pools can hold is capped to it (or dropped), and counted;
//   4. a job without a size or run time (SWF -1), or with a run time of 0, is dropped, and
//      counted;
//   5. time: simulated submit = (submit - origin) x time_scale + shift_s, where the origin is
//      start_s, or the first submit time of the file; the recorded run time is the job's
//      duration on the reference GPU; the requested time (SWF field 9, Batsim walltime), when
//      the log has one, is what easy-backfill reserves with.
// JobReplay streams the jobs of one class; scan_job_traces() reads a file once for all the
// classes that name it, counts what each keeps, caps and drops, and refuses a row that two
// classes' `where` both keep (their split would replay it twice).

#include "sim/traces/job_trace.hpp"

#include <memory>
#include <string>
#include <vector>

namespace fleetsim {

/** One job to submit: simulated time, GPUs, and what the log recorded. */
struct ReplayJob {
    double submit_s = 0;  ///< simulated
    int gpus = 1;
    double run_s = 0;             ///< duration on the reference GPU
    double requested_s = -1;      ///< requested run time; -1 when the log has none
    double recorded_wait_s = -1;  ///< the wait the log recorded; -1 when it has none
};

/** The window and the `where` conditions of one class, bound to a reader's columns. */
class JobSelector {
public:
    JobSelector(const JobTraceOptions& options, const JobTraceReader& reader);
    /** Whether the row last read (`job`) is in the window and passes every condition. */
    bool selects(const JobTraceReader& reader, const TraceJob& job) const;

private:
    struct Bound {
        const TraceCondition* condition;
        std::size_t column;
        std::vector<std::optional<double>> in_numbers, not_in_numbers;
    };
    const JobTraceOptions& options_;
    std::vector<Bound> conditions_;
};

enum class ReplayFate { replayed, capped, dropped_unknown, dropped_zero_run, dropped_oversize };

/** Steps 3 to 5 for one selected job; `out` is filled when the job is replayed (or capped). */
ReplayFate map_job(const TraceJob& job,
                   const JobTraceOptions& options,
                   int cap_gpus,
                   double origin_s,
                   ReplayJob& out);

/** The jobs one class replays, in time order, read as they are needed. */
class JobReplay {
public:
    JobReplay(const JobTraceOptions& options, int cap_gpus);
    ~JobReplay();
    /** The next replayed job; false when the log has no more for this class. */
    bool next(ReplayJob& out);

private:
    const JobTraceOptions& options_;
    int cap_gpus_;
    std::unique_ptr<JobTraceReader> reader_;
    std::unique_ptr<JobSelector> selector_;
    TraceJob row_;
    bool have_origin_ = false;
    double origin_s_ = 0;
};

/** A class that replays a file: its options, its cap and its name (for messages). */
struct ReplayClass {
    const JobTraceOptions* options = nullptr;
    int cap_gpus = 0;
    std::string name;
};

/**
 * Reads the file the classes share (same format and path) once and counts, per class, the
 * jobs it selects, caps and drops. Throws TraceError on a bad row, on a row two classes both
 * select, and on a file without jobs.
 */
std::vector<JobTraceScan> scan_job_traces(const std::vector<ReplayClass>& classes);

}  // namespace fleetsim
