#include "sim/traces/job_trace.hpp"

#include "sim/traces/job_readers.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace fleetsim {

const char* to_string(JobTraceFormat f) {
    switch (f) {
        case JobTraceFormat::swf:
            return "swf";
        case JobTraceFormat::itp:
            return "itp";
        case JobTraceFormat::batsim:
            return "batsim";
        case JobTraceFormat::csv:
            return "csv";
    }
    return "?";
}

const char* to_string(RequestTraceFormat f) {
    switch (f) {
        case RequestTraceFormat::azure:
            return "azure";
        case RequestTraceFormat::mooncake:
            return "mooncake";
    }
    return "?";
}

std::optional<double> parse_trace_number(std::string_view text) {
    // from_chars does not take a leading '+'; logs written by other tools sometimes have one.
    if (!text.empty() && text.front() == '+')
        text.remove_prefix(1);
    const auto v = parse_number(text);
    if (!v || !trace_number_problem(*v).empty())
        return std::nullopt;
    return v;
}

std::string trace_number_problem(double v) {
    if (std::isfinite(v) && std::fabs(v) <= kMaxMagnitude)
        return "";
    return fmt::format(
        "expected a finite number, found {} (numbers in a log are at most {:g} "
        "in magnitude)",
        v, kMaxMagnitude);
}

std::string job_size_problem(double size) {
    if (size <= kMaxTraceJobGpus)
        return "";
    return fmt::format("expected at most {:g} GPUs for one job, found {}", kMaxTraceJobGpus, size);
}

std::optional<std::size_t> JobTraceReader::column_index(std::string_view name) const {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (columns_[i] == name)
            return i;
    }
    return std::nullopt;
}

void JobTraceReader::fail(std::size_t column, const std::string& message) const {
    const bool whole_row = column >= columns_.size();
    throw TraceError(file(), static_cast<int>(line_), whole_row ? 0 : static_cast<int>(column) + 1,
                     whole_row ? "" : columns_[column], message);
}

double JobTraceReader::number_at(std::size_t column, std::string_view text) const {
    if (auto v = parse_trace_number(text))
        return *v;
    if (text.empty())
        fail(column, "expected a number, found an empty field");
    const auto v = parse_number(text.front() == '+' ? text.substr(1) : text);
    fail(column,
         v ? trace_number_problem(*v) : "expected a number, found '" + std::string(text) + "'");
}

void JobTraceReader::check_submit(const TraceJob& job, std::size_t submit_column) {
    if (job.submit_s < 0)
        fail(submit_column, fmt::format("expected a submit time >= 0, found {}", job.submit_s));
    check_order(job, submit_column);
}

void JobTraceReader::check_order(const TraceJob& job, std::size_t submit_column) {
    if (any_ && job.submit_s < last_submit_s_) {
        if (!allow_unsorted_) {
            fail(submit_column,
                 fmt::format("expected submit times in increasing order, found {} after {} on "
                             "line {}: sort the file by submit time",
                             job.submit_s, last_submit_s_, last_line_));
        }
        if (out_of_order_++ == 0)
            first_out_of_order_line_ = line_;
    }
    any_ = true;
    last_submit_s_ = job.submit_s;
    last_line_ = line_;
}

std::unique_ptr<JobTraceReader> open_job_trace(const JobTraceOptions& options,
                                               bool allow_unsorted) {
    std::unique_ptr<JobTraceReader> reader;
    switch (options.format) {
        case JobTraceFormat::swf:
            reader = make_swf_reader(options.path);
            break;
        case JobTraceFormat::itp:
            reader = make_itp_reader(options.path);
            break;
        case JobTraceFormat::batsim:
            reader = make_batsim_reader(options.path, options.flops_per_s);
            break;
        case JobTraceFormat::csv:
            reader = make_csv_job_reader(options.path, options.columns);
            break;
    }
    reader->allow_unsorted(allow_unsorted);
    return reader;
}

std::optional<std::string> guess_trace_format(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(path, ec))
        return "itp";
    const std::string ext = fs::path(path).extension().string();
    if (ext == ".swf")
        return "swf";
    if (ext == ".json")
        return "batsim";
    if (ext == ".jsonl")
        return "mooncake";
    if (ext == ".csv") {
        std::ifstream in(path, std::ios::binary);
        std::string first;
        std::getline(in, first);
        if (!first.empty() && first.back() == '\r')
            first.pop_back();
        if (first.rfind("TIMESTAMP,ContextTokens,GeneratedTokens", 0) == 0)
            return "azure";
        if (first.find("submission_time") != std::string::npos &&
            first.find("num_gpu") != std::string::npos)
            return "itp";
        return "csv";
    }
    return std::nullopt;
}

}  // namespace fleetsim
