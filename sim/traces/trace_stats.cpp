#include "sim/traces/trace_stats.hpp"

#include "sim/traces/job_trace.hpp"
#include "sim/traces/request_trace.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace fleetsim {
namespace {

using Json = nlohmann::ordered_json;

/** Arrivals by hour of the day: the log's local hour when it has a clock, else hours from
    its time 0 (modulo a day). */
struct HourCounts {
    std::array<long long, 24> counts{};
    bool local = true;

    void add(int hour, double t_s) {
        if (hour < 0) {
            local = false;
            hour = static_cast<int>(std::fmod(t_s, 86400.0) / 3600.0);
        }
        counts[static_cast<std::size_t>(hour)] += 1;
    }
    void write(Json& s) const {
        s["hour_clock"] = local ? "local" : "relative";
        Json a = Json::array();
        for (long long h : counts)
            a.push_back(h);
        s["arrivals_by_hour"] = a;
    }
};

Json stats_head(const TraceStatsOptions& o, const char* kind) {
    Json s;
    s["file"] = o.path;
    s["format"] = o.format;
    s["kind"] = kind;
    return s;
}

Json job_stats(const TraceStatsOptions& o) {
    JobTraceOptions jo;
    jo.path = o.path;
    jo.columns = o.columns;
    jo.flops_per_s = o.flops_per_s;
    if (o.format == "swf")
        jo.format = JobTraceFormat::swf;
    else if (o.format == "itp")
        jo.format = JobTraceFormat::itp;
    else if (o.format == "batsim")
        jo.format = JobTraceFormat::batsim;
    else
        jo.format = JobTraceFormat::csv;
    auto reader = open_job_trace(jo, /*allow_unsorted=*/true);
    ValueCounts size, run, wait, interarrival, requested;
    std::map<std::string, long long> statuses;
    HourCounts hours;
    long long jobs = 0, unknown_size = 0, unknown_run = 0, zero_run = 0, ran_longer = 0;
    double size_x_run_s = 0;
    double first = 0, last = 0, previous = 0;
    TraceJob job;
    while (reader->next(job)) {
        // Gaps between consecutive rows; a row out of order (counted apart) gives none, since
        // sorting would hold the whole file.
        if (jobs == 0)
            first = job.submit_s;
        else if (job.submit_s >= previous)
            interarrival.add(job.submit_s - previous);
        previous = job.submit_s;
        first = std::min(first, job.submit_s);
        last = std::max(last, job.submit_s);
        ++jobs;
        if (job.size >= 0)
            size.add(job.size);
        else
            ++unknown_size;
        if (job.run_s >= 0) {
            run.add(job.run_s);
            if (job.run_s == 0)
                ++zero_run;
        } else {
            ++unknown_run;
        }
        if (job.size >= 0 && job.run_s >= 0)
            size_x_run_s += job.size * job.run_s;
        if (job.wait_s >= 0)
            wait.add(job.wait_s);
        if (job.requested_s > 0) {
            requested.add(job.requested_s);
            if (job.run_s > job.requested_s)
                ++ran_longer;
        }
        if (!job.status.empty())
            statuses[job.status] += 1;
        hours.add(job.hour, job.submit_s);
    }
    if (jobs == 0)
        throw TraceError(o.path, 0, 0, "", "expected jobs in the trace, found none");
    Json s = stats_head(o, "jobs");
    s["jobs"] = jobs;
    s["jobs_unknown_size"] = unknown_size;
    s["jobs_unknown_run"] = unknown_run;
    s["jobs_zero_run"] = zero_run;
    s["size_x_run_s"] = size_x_run_s;
    s["gpu_h"] = size_x_run_s / 3600.0;
    s["first_submit_s"] = first;
    s["last_submit_s"] = last;
    s["submit_span_s"] = last - first;
    s["sorted"] = reader->out_of_order() == 0;
    s["rows_out_of_order"] = reader->out_of_order();
    s["size"] = size.to_json();
    s["run_s"] = run.to_json();
    s["interarrival_s"] = interarrival.to_json();
    s["wait_s"] = wait.to_json();
    s["requested_s"] = requested.to_json();
    s["jobs_ran_longer_than_requested"] = ran_longer;
    Json st = Json::object();
    for (const auto& [k, v] : statuses)
        st[k] = v;
    s["status"] = st;
    hours.write(s);
    const long long capacity = o.capacity > 0 ? o.capacity : reader->header().max_procs;
    s["capacity"] = capacity > 0 ? Json(capacity) : Json(nullptr);
    if (capacity > 0 && last > first)
        s["offered_utilization"] = size_x_run_s / (static_cast<double>(capacity) * (last - first));
    else
        s["offered_utilization"] = nullptr;
    return s;
}

Json request_stats(const TraceStatsOptions& o) {
    const RequestTraceFormat f =
        o.format == "azure" ? RequestTraceFormat::azure : RequestTraceFormat::mooncake;
    auto reader = open_request_trace(f, o.path, /*allow_unsorted=*/true);
    ValueCounts input, output, interarrival;
    HourCounts hours;
    long long n = 0;
    double first = 0, last = 0, previous = 0;
    std::string first_text, last_text;
    TraceRequest r;
    while (reader->next(r)) {
        if (n == 0) {
            first = r.t_s;
            first_text = r.time_text;
        } else if (r.t_s >= previous) {
            interarrival.add(r.t_s - previous);  // a row out of order gives no gap (as above)
        }
        previous = r.t_s;
        if (r.t_s >= last || n == 0) {
            last = r.t_s;
            last_text = r.time_text;
        }
        ++n;
        input.add(r.input_tokens);
        output.add(r.output_tokens);
        hours.add(r.hour, r.t_s);
    }
    if (n == 0)
        throw TraceError(o.path, 0, 0, "", "expected requests in the trace, found none");
    Json s = stats_head(o, "requests");
    s["requests"] = n;
    s["first"] = first_text;
    s["last"] = last_text;
    s["span_s"] = last - first;
    s["rate_per_s"] = last > first ? Json(static_cast<double>(n) / (last - first)) : Json(nullptr);
    s["sorted"] = reader->out_of_order() == 0;
    s["input_tokens"] = input.to_json(true);
    s["output_tokens"] = output.to_json(true);
    s["interarrival_s"] = interarrival.to_json();
    hours.write(s);
    return s;
}

std::string num(const Json& v, const char* spec = "{:.6g}") {
    if (v.is_null())
        return "-";
    if (v.is_number_integer())
        return fmt::format("{}", v.get<long long>());
    return fmt::format(fmt::runtime(spec), v.get<double>());
}

std::string dist_line(const char* label, const Json& d) {
    if (d["count"].get<long long>() == 0)
        return fmt::format("  {:<16} none\n", label);
    return fmt::format("  {:<16} mean {}  p50 {}  p90 {}  p99 {}  max {}  ({} values)\n", label,
                       num(d["mean"]), num(d["p50"]), num(d["p90"]), num(d["p99"]), num(d["max"]),
                       num(d["count"]));
}

std::string hours_line(const Json& s) {
    std::string out =
        fmt::format("  arrivals by hour ({}):", s["hour_clock"].get<std::string>() == "local"
                                                    ? "the log's local time"
                                                    : "hours from the log's time 0");
    for (std::size_t h = 0; h < 24; ++h)
        out += fmt::format("{}{}", h % 6 == 0 ? "\n    " : " ",
                           s["arrivals_by_hour"][h].get<long long>());
    return out + "\n";
}

}  // namespace

double ValueCounts::quantile(double q) const {
    const auto rank =
        static_cast<long long>(std::max(1.0, std::ceil(q * static_cast<double>(n_) - 1e-9)));
    long long seen = 0;
    for (const auto& [v, c] : counts_) {
        seen += c;
        if (seen >= rank)
            return v;
    }
    return counts_.rbegin()->first;
}

nlohmann::ordered_json ValueCounts::to_json(bool with_sum) const {
    Json j;
    j["count"] = n_;
    const bool any = n_ > 0;
    j["mean"] = any ? Json(mean()) : Json(nullptr);
    j["min"] = any ? Json(min()) : Json(nullptr);
    j["p50"] = any ? Json(quantile(0.50)) : Json(nullptr);
    j["p90"] = any ? Json(quantile(0.90)) : Json(nullptr);
    j["p99"] = any ? Json(quantile(0.99)) : Json(nullptr);
    j["max"] = any ? Json(max()) : Json(nullptr);
    if (with_sum)
        j["total"] = sum_;
    return j;
}

nlohmann::ordered_json trace_stats(const TraceStatsOptions& options) {
    if (options.format == "azure" || options.format == "mooncake")
        return request_stats(options);
    return job_stats(options);
}

std::string format_trace_stats(const nlohmann::ordered_json& s) {
    std::string out =
        fmt::format("{} ({})\n", s["file"].get<std::string>(), s["format"].get<std::string>());
    if (s["kind"] == "requests") {
        out += fmt::format("  requests         {}\n", num(s["requests"]));
        out += fmt::format("  first, last      {}, {}\n", s["first"].get<std::string>(),
                           s["last"].get<std::string>());
        out += fmt::format("  span             {} s, rate {} requests/s\n", num(s["span_s"]),
                           num(s["rate_per_s"], "{:.4g}"));
        out += dist_line("input tokens", s["input_tokens"]);
        out += fmt::format("  {:<16} total {}\n", "", num(s["input_tokens"]["total"], "{:.0f}"));
        out += dist_line("output tokens", s["output_tokens"]);
        out += fmt::format("  {:<16} total {}\n", "", num(s["output_tokens"]["total"], "{:.0f}"));
        out += dist_line("inter-arrival s", s["interarrival_s"]);
        return out + hours_line(s);
    }
    out += fmt::format(
        "  jobs             {} ({} without a size, {} without a run time, {} with "
        "a run time of 0)\n",
        num(s["jobs"]), num(s["jobs_unknown_size"]), num(s["jobs_unknown_run"]),
        num(s["jobs_zero_run"]));
    out += fmt::format("  GPU-hours        {} (size x run time: {} s)\n", num(s["gpu_h"], "{:.1f}"),
                       num(s["size_x_run_s"], "{:.0f}"));
    out +=
        fmt::format("  submit times     {} to {} s (span {} s){}\n", num(s["first_submit_s"]),
                    num(s["last_submit_s"]), num(s["submit_span_s"]),
                    s["sorted"].get<bool>() ? ", sorted"
                                            : fmt::format(", NOT sorted ({} rows out of order)",
                                                          s["rows_out_of_order"].get<long long>()));
    out += dist_line("size", s["size"]);
    out += dist_line("run time s", s["run_s"]);
    out += dist_line("inter-arrival s", s["interarrival_s"]);
    out += dist_line("recorded wait s", s["wait_s"]);
    out += dist_line("requested s", s["requested_s"]);
    out += fmt::format("  {:<16} {} jobs ran longer than requested\n", "",
                       num(s["jobs_ran_longer_than_requested"]));
    if (!s["status"].empty()) {
        out += "  status          ";
        for (const auto& [k, v] : s["status"].items())
            out += fmt::format(" {}: {}", k, v.get<long long>());
        out += "\n";
    }
    out += fmt::format("  utilization      {} offered on a capacity of {}\n",
                       num(s["offered_utilization"], "{:.3f}"), num(s["capacity"]));
    return out + hours_line(s);
}

}  // namespace fleetsim
