#pragma once
// Request logs of LLM services, read a row at a time (docs/traces.md):
//   azure     Azure LLM inference trace 2023 (Splitwise, ISCA '24): CSV TIMESTAMP,
//             ContextTokens, GeneratedTokens; time = seconds since the first request
//   mooncake  Mooncake (FAST '25) JSONL: timestamp (ms), input_length, output_length
// Checks as for job logs: a non-number, a negative count or time, times out of order, a row
// cut short, a JSON syntax error are TraceErrors naming the file, line and column.

#include "sim/traces/time_text.hpp"
#include "sim/traces/trace_error.hpp"
#include "sim/traces/trace_options.hpp"

#include <memory>
#include <optional>
#include <string>

namespace fleetsim {

struct TraceRequest {
    long long line = 0;
    double t_s = 0;  ///< trace time: s since the first request (azure), the log's own (mooncake)
    double input_tokens = 0;
    double output_tokens = 0;
    std::string time_text;  ///< the time as the file writes it
    int hour = -1;          ///< hour of the day, when the log has a clock (azure)
};

class RequestTraceReader {
public:
    virtual ~RequestTraceReader() = default;
    virtual bool next(TraceRequest& request) = 0;
    virtual const std::string& file() const = 0;
    void allow_unsorted(bool allow) { allow_unsorted_ = allow; }
    long long out_of_order() const { return out_of_order_; }

protected:
    /** Refuses (or counts) a time earlier than the previous one. */
    void check_order(const TraceRequest& r, int column);

    bool allow_unsorted_ = false;
    bool any_ = false;
    double last_t_s_ = 0;
    long long last_line_ = 0;
    long long out_of_order_ = 0;
};

std::unique_ptr<RequestTraceReader> open_request_trace(RequestTraceFormat format,
                                                       const std::string& path,
                                                       bool allow_unsorted = false);

}  // namespace fleetsim
