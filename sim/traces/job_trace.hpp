#pragma once
// Job logs, read a row at a time (docs/traces.md has one section per format):
//   swf     Standard Workload Format (Parallel Workloads Archive): 18 fields per line
//   itp     Microsoft ITP / ElasticFlow CSVs: one file, or a folder of cluster*.csv merged
//   batsim  Batsim JSON: jobs and profiles
//   csv     any CSV with a column map (Philly, Helios, Alibaba PAI 2020, Acme, peer-traces)
// Every reader hands out the same TraceJob, checks what it reads (a non-number, a negative
// time, a size of 0, a row cut short, times out of order) and throws a TraceError naming the
// file, line and column. Rows keep their text for `where` conditions (cell()).

#include "sim/io/number_limits.hpp"
#include "sim/traces/trace_error.hpp"
#include "sim/traces/trace_options.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsim {

/** One job as the log recorded it, in the log's own time and units. -1: not recorded. */
struct TraceJob {
    long long line = 0;  ///< the line of the file it starts on
    std::string id;      ///< the log's name for it (SWF job number, ITP UUID, Batsim id)
    double submit_s = 0;
    double run_s = -1;        ///< run time on the log's machine
    double size = -1;         ///< processors or GPUs (fractions for shares of a GPU)
    double requested_s = -1;  ///< requested (or estimated) run time: SWF field 9, Batsim walltime
    double wait_s = -1;       ///< the wait the log recorded (SWF field 3)
    std::string status;       ///< as the log writes it (SWF: 1 completed, 0 failed, 5 cancelled)
    int hour = -1;            ///< hour of the day of submission, when the log knows its clock
};

/** What a log says about itself (SWF header comments; a Batsim file's nb_res). */
struct JobTraceHeader {
    long long max_procs = -1;  ///< SWF MaxProcs (MaxNodes when absent), Batsim nb_res
    bool clock_known = false;  ///< TraceJob::hour is filled
    std::string time_zone;     ///< SWF TimeZoneString
};

class JobTraceReader {
public:
    virtual ~JobTraceReader() = default;
    /** The next job; false at the end. Throws TraceError on a bad row. */
    virtual bool next(TraceJob& job) = 0;

    /** The columns a `where` condition may name, in the format's order. */
    const std::vector<std::string>& columns() const { return columns_; }
    std::optional<std::size_t> column_index(std::string_view name) const;
    /** The text of column `i` of the row last read. */
    virtual std::string_view cell(std::size_t i) const = 0;
    /** The file and line of the row last read (a folder of ITP files: that cluster's file). */
    virtual const std::string& file() const = 0;
    long long line() const { return line_; }
    const JobTraceHeader& header() const { return header_; }
    /** A TraceError at the row last read, column `column` (0-based; npos: the whole row). */
    [[noreturn]] void fail(std::size_t column, const std::string& message) const;
    /** Number of `text` at column `column`, or a TraceError naming the cell. */
    double number_at(std::size_t column, std::string_view text) const;

    /** Count rows out of submit-time order instead of refusing them (trace stats). */
    void allow_unsorted(bool allow) { allow_unsorted_ = allow; }
    /** Rows out of submit-time order seen so far (when they are allowed: trace stats). */
    long long out_of_order() const { return out_of_order_; }
    long long first_out_of_order_line() const { return first_out_of_order_line_; }

protected:
    /** Refuses (or counts, when allowed) a submit time earlier than the previous one. */
    void check_order(const TraceJob& job, std::size_t submit_column);
    void check_submit(const TraceJob& job, std::size_t submit_column);

    std::vector<std::string> columns_;
    JobTraceHeader header_;
    long long line_ = 0;
    bool allow_unsorted_ = false;
    bool any_ = false;
    double last_submit_s_ = 0;
    long long last_line_ = 0;
    long long out_of_order_ = 0;
    long long first_out_of_order_line_ = 0;
};

/**
 * Opens a job log. `allow_unsorted`: count rows out of time order instead of refusing them
 * (trace stats; a replay reads in time order and refuses them).
 */
std::unique_ptr<JobTraceReader> open_job_trace(const JobTraceOptions& options,
                                               bool allow_unsorted = false);

/** The format a file's name and first line suggest (trace stats without --format). */
std::optional<std::string> guess_trace_format(const std::string& path);

/**
 * Parses a whole field as a number; nullopt if empty, if anything is left (locale-free), or
 * if trace_number_problem() finds one.
 */
std::optional<double> parse_trace_number(std::string_view text);

/** "" if `v` is finite and of magnitude at most kMaxMagnitude, the limit of YAML values too
    (no time or count read from a log then overflows the books or a conversion); else what is
    wrong with it. Every reader of a job or request log applies it to every number. */
std::string trace_number_problem(double v);

/** The most GPUs one job of a log may ask for (what a whole number of GPUs is held in). */
inline constexpr double kMaxTraceJobGpus = 1e9;

/** "" if a job's size is at most kMaxTraceJobGpus, else what is wrong with it. */
std::string job_size_problem(double size);

}  // namespace fleetsim
