// The trace formats (docs/traces.md): each input is read as a replay reads it (rows in time
// order, every cell of every row) and as `fleetsim trace stats` does (rows out of order
// counted, every figure computed and printed).

#include "fuzz/harness.hpp"
#include "sim/traces/job_trace.hpp"
#include "sim/traces/request_trace.hpp"
#include "sim/traces/trace_stats.hpp"

namespace fleetsim::fuzz {
namespace {

/** The column map of the `csv` target: what its seeds (fuzz/make-seeds.sh) are written in. */
CsvColumnMap csv_columns() {
    CsvColumnMap m;
    m.submit_s.column = "submit";
    m.run_s.column = "end";
    m.run_s.minus = "start";
    m.gpus.column = "gpus";
    m.gpus.times = "instances";
    m.requested_s.column = "limit_min";
    m.requested_s.scale = 60;
    m.wait_s.column = "wait";
    m.id = "id";
    m.status = "state";
    return m;
}

void read_jobs(const std::string& format,
               JobTraceFormat f,
               const std::uint8_t* data,
               std::size_t size) {
    const std::string path = put("traces/input." + format, as_text(data, size));
    JobTraceOptions options;
    options.format = f;
    options.path = path;
    options.columns = csv_columns();
    options.flops_per_s = 1e9;
    guarded([&] {
        auto reader = open_job_trace(options);
        TraceJob job;
        std::size_t cells = 0;
        while (reader->next(job)) {
            for (std::size_t i = 0; i < reader->columns().size(); ++i)
                cells += reader->cell(i).size();
        }
        (void)cells;
    });
    guarded([&] {
        TraceStatsOptions stats{.format = format,
                                .path = path,
                                .columns = csv_columns(),
                                .flops_per_s = 1e9,
                                .capacity = -1};
        (void)format_trace_stats(trace_stats(stats));
    });
    guarded([&] { (void)guess_trace_format(path); });
}

void read_requests(const std::string& format,
                   RequestTraceFormat f,
                   const std::uint8_t* data,
                   std::size_t size) {
    const std::string path = put("traces/input." + format, as_text(data, size));
    guarded([&] {
        auto reader = open_request_trace(f, path);
        TraceRequest request;
        while (reader->next(request)) {
        }
    });
    guarded([&] {
        TraceStatsOptions stats;
        stats.format = format;
        stats.path = path;
        (void)format_trace_stats(trace_stats(stats));
    });
}

}  // namespace

int trace_swf(const std::uint8_t* data, std::size_t size) {
    read_jobs("swf", JobTraceFormat::swf, data, size);
    return 0;
}

int trace_itp(const std::uint8_t* data, std::size_t size) {
    read_jobs("itp", JobTraceFormat::itp, data, size);
    return 0;
}

int trace_batsim(const std::uint8_t* data, std::size_t size) {
    read_jobs("batsim", JobTraceFormat::batsim, data, size);
    return 0;
}

int trace_csv(const std::uint8_t* data, std::size_t size) {
    read_jobs("csv", JobTraceFormat::csv, data, size);
    return 0;
}

int trace_azure(const std::uint8_t* data, std::size_t size) {
    read_requests("azure", RequestTraceFormat::azure, data, size);
    return 0;
}

int trace_mooncake(const std::uint8_t* data, std::size_t size) {
    read_requests("mooncake", RequestTraceFormat::mooncake, data, size);
    return 0;
}

}  // namespace fleetsim::fuzz
