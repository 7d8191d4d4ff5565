// Standard Workload Format, version 2.2 (Feitelson et al., "Experience with using the Parallel
// Workloads Archive", JPDC 2014; cs.huji.ac.il/labs/parallel/workload/swf.html). Header lines
// start with ';' ("; MaxProcs: 100", "; UnixStartTime: 843480031", "; TimeZone: 3600"); then
// one job per line, 18 whitespace-separated numbers, -1 for unknown. Read a line at a time.

#include "sim/traces/job_readers.hpp"
#include "sim/traces/line_reader.hpp"
#include "sim/traces/time_text.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>

namespace fleetsim {
namespace {

constexpr std::size_t kFields = 18;
// Field numbers (1-based in the SWF definition) as 0-based indices.
constexpr std::size_t kJob = 0, kSubmit = 1, kWait = 2, kRun = 3, kProcs = 4, kReqProcs = 7,
                      kReqTime = 8, kStatus = 10;

const std::vector<std::string>& swf_columns() {
    static const std::vector<std::string> names = {"job",           "submit_s",
                                                   "wait_s",        "run_s",
                                                   "processors",    "cpu_s",
                                                   "memory_kb",     "requested_processors",
                                                   "requested_s",   "requested_memory_kb",
                                                   "status",        "user",
                                                   "group",         "executable",
                                                   "queue",         "partition",
                                                   "preceding_job", "think_s"};
    return names;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

class SwfReader final : public JobTraceReader {
public:
    explicit SwfReader(const std::string& path) : lines_(path) {
        columns_ = swf_columns();
        read_header();
    }

    const std::string& file() const override { return lines_.path(); }
    std::string_view cell(std::size_t i) const override { return fields_.at(i); }

    bool next(TraceJob& job) override {
        std::string_view line;
        if (pending_) {
            line = pending_line_;
            pending_ = false;
        } else if (!next_data_line(line)) {
            return false;
        }
        split(line);
        job.line = line_;
        job.id.assign(fields_[kJob]);
        job.submit_s = number(kSubmit);
        check_submit(job, kSubmit);
        job.wait_s = unknown_or_non_negative(kWait);
        job.run_s = unknown_or_non_negative(kRun);
        job.size = size();
        job.requested_s = unknown_or_non_negative(kReqTime);
        job.status.assign(fields_[kStatus]);
        job.hour = -1;
        if (header_.clock_known) {
            // Only the time of day is wanted: a submit time reduced modulo a day first
            // converts and adds without overflow however late it is.
            const auto submit_of_day = static_cast<std::int64_t>(std::fmod(job.submit_s, 86400.0));
            job.hour = hour_of_day(unix_start_s_ % 86400 + submit_of_day, time_zone_s_);
        }
        return true;
    }

private:
    /** Skips comments and blank lines; `line` is the next job's line. */
    bool next_data_line(std::string_view& line) {
        while (lines_.next(line)) {
            line_ = lines_.line_number();
            const std::string_view t = trim(line);
            if (t.empty() || t.front() == ';')
                continue;
            line = t;
            return true;
        }
        return false;
    }

    /** The header comments before the first job: MaxProcs, UnixStartTime, TimeZone. */
    void read_header() {
        std::string_view line;
        bool have_start = false;
        long long max_nodes = -1;
        bool any_line = false;
        while (lines_.next(line)) {
            any_line = true;
            line_ = lines_.line_number();
            const std::string_view t = trim(line);
            if (t.empty())
                continue;
            if (t.front() != ';') {
                pending_line_.assign(t);
                pending_ = true;
                break;
            }
            std::string_view body = trim(t.substr(1));
            const auto colon = body.find(':');
            if (colon == std::string_view::npos)
                continue;
            const std::string_view key = trim(body.substr(0, colon));
            const std::string_view value = trim(body.substr(colon + 1));
            auto integer = [&](long long& out) {
                long long v = 0;
                auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
                if (ec == std::errc() && ptr == value.data() + value.size())
                    out = v;
                return ec == std::errc();
            };
            if (key == "MaxProcs") {
                integer(header_.max_procs);
            } else if (key == "MaxNodes") {
                integer(max_nodes);
            } else if (key == "UnixStartTime") {
                long long v = 0;
                if (integer(v)) {
                    unix_start_s_ = v;
                    have_start = true;
                }
            } else if (key == "TimeZone") {
                long long v = 0;
                if (integer(v))
                    time_zone_s_ = v;
            } else if (key == "TimeZoneString") {
                header_.time_zone.assign(value);
            }
        }
        if (!any_line)
            throw TraceError(lines_.path(), 1, 0, "", "expected an SWF log, found an empty file");
        if (header_.max_procs < 0)
            header_.max_procs = max_nodes;
        header_.clock_known = have_start;
    }

    void split(std::string_view line) {
        std::size_t n = 0;
        std::size_t pos = 0;
        while (pos < line.size()) {
            while (pos < line.size() && is_space(line[pos]))
                ++pos;
            if (pos >= line.size())
                break;
            std::size_t end = pos;
            while (end < line.size() && !is_space(line[end]))
                ++end;
            if (n == kFields) {
                fail(kFields, fmt::format("expected {} fields, found more: '{}'", kFields,
                                          std::string(line)));
            }
            fields_[n++] = line.substr(pos, end - pos);
            pos = end;
        }
        if (n < kFields) {
            fail(kFields, fmt::format("expected {} fields, found {}{}", kFields, n,
                                      n > 0 ? " (a line cut short?)" : ""));
        }
    }

    double number(std::size_t i) const { return number_at(i, fields_[i]); }

    /** -1 is SWF's "unknown"; any other negative number is a mistake. */
    double unknown_or_non_negative(std::size_t i) const {
        const double v = number(i);
        if (v < 0 && v != -1)
            fail(i, fmt::format("expected a number >= 0, or -1 for unknown, found {}", v));
        return v < 0 ? -1 : v;
    }

    /** Allocated processors (field 5), or the requested ones (field 8) when unknown. */
    double size() const {
        for (std::size_t i : {kProcs, kReqProcs}) {
            const double v = number(i);
            if (v == -1)
                continue;
            if (v <= 0)
                fail(i, fmt::format("expected a number of processors > 0, or -1 for unknown, "
                                    "found {}",
                                    v));
            if (const std::string problem = job_size_problem(v); !problem.empty())
                fail(i, problem);
            return v;
        }
        return -1;
    }

    LineReader lines_;
    std::array<std::string_view, kFields> fields_{};
    std::string pending_line_;  ///< the first job's line, read while reading the header
    bool pending_ = false;
    std::int64_t unix_start_s_ = 0;
    std::int64_t time_zone_s_ = 0;
};

}  // namespace

std::unique_ptr<JobTraceReader> make_swf_reader(const std::string& path) {
    return std::make_unique<SwfReader>(path);
}

}  // namespace fleetsim
