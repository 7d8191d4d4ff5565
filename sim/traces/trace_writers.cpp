#include "sim/traces/trace_writers.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <ostream>
#include <set>
#include <stdexcept>

namespace fleetsim {
namespace {

std::string number(double v) {
    return fmt::format("{}", v);
}

/** An integer-valued size, rounded up (a share of a GPU takes a whole one). */
long long whole(double size) {
    return static_cast<long long>(std::ceil(size - 1e-9));
}

void check(std::ostream& out) {
    out.flush();
    if (!out)
        throw std::runtime_error("cannot write the trace file");
}

class SwfWriter final : public JobTraceWriter {
public:
    SwfWriter(std::ostream& out, const TraceWriterInfo& info) : out_(out) {
        out_ << "; Version: 2.2\n";
        out_ << "; Computer: unknown (written by fleetsim)\n";
        out_ << "; Note: " << info.source << "\n";
        if (info.max_procs > 0)
            out_ << "; MaxProcs: " << info.max_procs << "\n";
        out_ << ";\n";
    }

    bool write(const TraceJob& j) override {
        ++count_;
        // SWF numbers its jobs; a log whose ids are not whole numbers gets 1, 2, 3, ...
        long long id = count_;
        if (auto v = parse_trace_number(j.id); v && *v == std::floor(*v) && *v >= 0 && *v < 9e15)
            id = static_cast<long long>(*v);
        const std::string size = j.size > 0 ? fmt::format("{}", whole(j.size)) : "-1";
        out_ << fmt::format("{} {} {} {} {} -1 -1 {} {} -1 {} -1 -1 -1 -1 -1 -1 -1\n", id,
                            number(j.submit_s), j.wait_s >= 0 ? number(j.wait_s) : "-1",
                            j.run_s >= 0 ? number(j.run_s) : "-1", size, size,
                            j.requested_s > 0 ? number(j.requested_s) : "-1", swf_status(j.status));
        return true;
    }

    void finish() override { check(out_); }

private:
    std::ostream& out_;
    long long count_ = 0;
};

class BatsimWriter final : public JobTraceWriter {
public:
    BatsimWriter(std::ostream& out, const TraceWriterInfo& info) : out_(out) {
        out_ << "{\n  \"description\": " << nlohmann::json(info.source).dump() << ",\n";
        out_ << "  \"nb_res\": " << std::max<long long>(1, info.max_procs) << ",\n";
        out_ << "  \"jobs\": [";
    }

    bool write(const TraceJob& j) override {
        if (j.size <= 0 || j.run_s < 0)
            return false;  // a Batsim job needs resources and a profile
        // Batsim ids are strings; whole numbers stay numbers, as in Batsim's own files.
        nlohmann::json id = j.id;
        if (auto v = parse_trace_number(j.id); v && *v == std::floor(*v) && std::fabs(*v) < 9e15)
            id = static_cast<long long>(*v);
        out_ << (first_ ? "\n" : ",\n") << "    {\"id\": " << id.dump()
             << ", \"subtime\": " << number(j.submit_s) << ", \"res\": " << whole(j.size);
        if (j.requested_s > 0)
            out_ << ", \"walltime\": " << number(j.requested_s);
        out_ << ", \"profile\": \"" << profile_name(j.run_s) << "\"}";
        first_ = false;
        delays_.insert(j.run_s);
        return true;
    }

    void finish() override {
        out_ << "\n  ],\n  \"profiles\": {";
        bool first = true;
        for (double d : delays_) {
            out_ << (first ? "\n" : ",\n") << "    \"" << profile_name(d)
                 << "\": {\"type\": \"delay\", \"delay\": " << number(d) << "}";
            first = false;
        }
        out_ << "\n  }\n}\n";
        check(out_);
    }

private:
    static std::string profile_name(double delay_s) { return "delay_" + number(delay_s); }

    std::ostream& out_;
    bool first_ = true;
    std::set<double> delays_;  ///< one delay profile per distinct run time
};

class CsvTraceWriter final : public JobTraceWriter {
public:
    explicit CsvTraceWriter(std::ostream& out) : out_(out), csv_(out) {
        csv_.row({"job_id", "submit_s", "gpus", "duration_s", "requested_s", "wait_s", "status"});
    }

    bool write(const TraceJob& j) override {
        csv_.field(j.id).field(j.submit_s);
        j.size >= 0 ? csv_.field(j.size) : csv_.empty();
        j.run_s >= 0 ? csv_.field(j.run_s) : csv_.empty();
        j.requested_s > 0 ? csv_.field(j.requested_s) : csv_.empty();
        j.wait_s >= 0 ? csv_.field(j.wait_s) : csv_.empty();
        csv_.field(j.status);
        csv_.end_row();
        return true;
    }

    void finish() override {
        csv_.finish();
        check(out_);
    }

private:
    std::ostream& out_;
    CsvWriter csv_;
};

}  // namespace

int swf_status(const std::string& status) {
    if (auto v = parse_trace_number(status); v && std::fabs(*v) < 1e9)
        return static_cast<int>(*v);
    if (status == "COMPLETED" || status == "Pass" || status == "Terminated")
        return 1;
    if (status == "FAILED" || status == "Failed" || status == "NODE_FAIL" || status == "TIMEOUT")
        return 0;
    if (status == "CANCELLED" || status == "Killed")
        return 5;
    return -1;
}

std::unique_ptr<JobTraceWriter> make_trace_writer(TraceOutputFormat format,
                                                  std::ostream& out,
                                                  const TraceWriterInfo& info) {
    switch (format) {
        case TraceOutputFormat::swf:
            return std::make_unique<SwfWriter>(out, info);
        case TraceOutputFormat::batsim:
            return std::make_unique<BatsimWriter>(out, info);
        case TraceOutputFormat::csv:
            return std::make_unique<CsvTraceWriter>(out);
    }
    return nullptr;
}

}  // namespace fleetsim
