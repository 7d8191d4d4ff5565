#pragma once
// Writing job logs (`fleetsim trace convert`, `fleetsim trace generate`): SWF, Batsim JSON
// or fleetsim's neutral CSV (job_id, submit_s, gpus, duration_s, requested_s, wait_s,
// status), so that fleetsim's workloads can feed Batsim or a Slurm simulator and theirs can
// feed fleetsim. Numbers are written as the shortest text that reads back as the same double,
// so a log written and read back replays the same jobs.

#include "sim/traces/job_trace.hpp"

#include <iosfwd>
#include <memory>
#include <string>

namespace fleetsim {

enum class TraceOutputFormat { swf, batsim, csv };

struct TraceWriterInfo {
    std::string source;        ///< what the log was made from (a header comment)
    long long max_procs = -1;  ///< SWF MaxProcs, Batsim nb_res
};

class JobTraceWriter {
public:
    virtual ~JobTraceWriter() = default;
    /** Writes one job; false when the format cannot hold it (Batsim: unknown size or run). */
    virtual bool write(const TraceJob& job) = 0;
    /** Ends the file (Batsim writes its profiles here) and checks the stream. */
    virtual void finish() = 0;
};

std::unique_ptr<JobTraceWriter> make_trace_writer(TraceOutputFormat format,
                                                  std::ostream& out,
                                                  const TraceWriterInfo& info);

/** SWF's status code of a status text: 1 completed, 0 failed, 5 cancelled; -1 unknown. */
int swf_status(const std::string& status);

}  // namespace fleetsim
