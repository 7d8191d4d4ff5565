#pragma once
// What a scenario says about a trace (docs/traces.md, docs/config.md): which file, in which
// format, and how its rows become jobs (a batch class) or demand (a service). Plain structs,
// std only: the config layer fills them (sim/config/workload_loader.cpp) and spec.hpp holds
// them; the readers and the replay in sim/traces read them.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace fleetsim {

/** Where a value was written, for messages about the trace that point back at the YAML. */
struct TraceSource {
    std::string file;  ///< the YAML file (or "<command line>")
    int line = 0;
    int column = 0;
    std::string key;  ///< dotted key of the `trace` mapping
};

/**
 * One number read from a CSV row: `column`, minus `minus` (another column: end - start), times
 * `times` (another column: GPUs per instance x instances), times `scale`. Columns hold numbers
 * or date-times (`2023-03-01 00:18:22+08:00`, read as seconds since 1970 UTC).
 */
struct CsvValueMap {
    std::string column;  ///< empty: not mapped
    std::string minus;
    std::string times;
    double scale = 1;
    bool mapped() const { return !column.empty(); }
};

/** How the columns of a `csv` trace map onto a job (docs/traces.md has maps for known logs). */
struct CsvColumnMap {
    CsvValueMap submit_s;             ///< required
    CsvValueMap run_s;                ///< required
    CsvValueMap gpus;                 ///< required
    CsvValueMap requested_s;          ///< optional: what easy-backfill reserves with
    CsvValueMap wait_s;               ///< optional: the wait the log recorded
    std::string id;                   ///< optional: the job's name in the log
    std::string status;               ///< optional: the job's final state as the log writes it
    std::vector<std::string> header;  ///< names of the columns of a file without a header line
};

/** A condition on one column of a trace's rows; a row is kept when all conditions hold. */
struct TraceCondition {
    std::string column;
    std::vector<std::string> in;      ///< the cell is one of these (numbers compare as numbers)
    std::vector<std::string> not_in;  ///< the cell is none of these
    double from = -std::numeric_limits<double>::infinity();  ///< cell >= from
    double below = std::numeric_limits<double>::infinity();  ///< cell < below
    TraceSource where;
};

enum class JobTraceFormat { swf, itp, batsim, csv };
enum class RequestTraceFormat { azure, mooncake };
enum class Oversize { cap, drop };

/** Settings shared by job and request logs: the file, its time window and how time maps. */
struct TraceWindow {
    double start_s = std::numeric_limits<double>::quiet_NaN();  ///< trace time; NaN: the first
    double end_s = std::numeric_limits<double>::quiet_NaN();    ///< trace time; NaN: no end
    double time_scale = 1;  ///< simulated gap = recorded gap x time_scale (< 1 raises the load)
    double shift_s = 0;     ///< simulated time of the window's start
    bool has_start() const { return start_s == start_s; }
    bool has_end() const { return end_s == end_s; }
};

/** A batch class's job log (`trace:` in a batch class); the window is its base. */
struct JobTraceOptions : TraceWindow {
    JobTraceFormat format = JobTraceFormat::swf;
    std::string path;          ///< as resolved against the YAML file that names it
    double gpus_per_unit = 1;  ///< GPUs per processor (or per GPU) the log records; rounded up
    Oversize oversize = Oversize::cap;
    std::vector<TraceCondition> where;
    CsvColumnMap columns;    ///< csv only
    double flops_per_s = 0;  ///< batsim: host speed that turns a parallel task's flops into s
    bool requested = true;   ///< give jobs the log's requested run time (easy-backfill)
    TraceSource source;
};

/** A service's request log (`trace:` in a service class); the window is its base. */
struct RequestTraceOptions : TraceWindow {
    RequestTraceFormat format = RequestTraceFormat::azure;
    std::string path;
    bool repeat = false;  ///< repeat the window to fill the horizon
    double scale = 1;     ///< multiplies the demand (when demand_units_per_s is not given)
    double bin_s = 0;     ///< 0: the scenario's tick_s
    double gpu_s_per_input_token = 0;
    double gpu_s_per_output_token = 0;
    TraceSource source;
};

/** What the loader learnt by reading a job log once before the run (summary.json `job_trace`). */
struct JobTraceScan {
    long long rows = 0;              ///< jobs in the file
    long long matched = 0;           ///< in the window and through `where`
    long long capped = 0;            ///< matched, larger than cap_gpus, replayed at cap_gpus
    long long dropped_unknown = 0;   ///< matched, without a size or a run time (SWF -1)
    long long dropped_zero_run = 0;  ///< matched, with a run time of 0
    long long dropped_oversize = 0;  ///< matched, larger than cap_gpus, with oversize: drop
    double origin_s = 0;             ///< trace time that becomes simulated time shift_s
    int cap_gpus = 0;                ///< the largest gang the class's pools can hold
    long long replayable() const {
        return matched - dropped_unknown - dropped_zero_run - dropped_oversize;
    }
};

/** What the loader learnt from a request log (its binned demand goes into the profile). */
struct RequestTraceScan {
    long long requests = 0;  ///< in the window
    double period_s = 0;     ///< simulated length of the window
    double units = 0;        ///< demand of the window, in the service's unit, before scaling
    double input_tokens = 0;
    double output_tokens = 0;
};

const char* to_string(JobTraceFormat f);
const char* to_string(RequestTraceFormat f);

}  // namespace fleetsim
