// Batsim JSON workloads (oar-team/batsim, docs/input-workload.rst): {"nb_res": N, "jobs":
// [{"id", "subtime", "res", "profile", "walltime"?}], "profiles": {name: {"type", ...}}}.
// A job's run time comes from its profile: `delay` (DelayProfile) gives it in seconds; a
// homogeneous parallel task (parallel_homogeneous, ParallelTaskHomogeneousProfile,
// ptask_homogeneous) gives flops per host, which `flops_per_s` turns into seconds; any other
// profile leaves the run time unknown (-1). `walltime` is the requested time.
// A Batsim workload is one JSON document whose profiles may follow its jobs and whose jobs
// need not be in time order (Batsim sorts them): it is read whole, and its jobs are handed
// out sorted by subtime (stable). Lines in messages come from a scan of the text for where
// each job's object starts.

#include "sim/traces/job_readers.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace fleetsim {
namespace {

using Json = nlohmann::json;

struct Position {
    long long line = 1;
    long long column = 1;
};

Position position_of(const std::string& text, std::size_t offset) {
    Position p;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else {
            ++p.column;
        }
    }
    return p;
}

/** Where each element of the top-level "jobs" array starts (its '{'). */
std::vector<Position> job_positions(const std::string& text) {
    std::vector<Position> out;
    int depth = 0;
    bool in_string = false;
    std::string last_key;
    std::string current;
    bool in_jobs = false;
    Position p;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
                ++p.column;
            } else if (c == '"') {
                in_string = false;
            } else {
                current.push_back(c);
            }
        } else if (c == '"') {
            in_string = true;
            current.clear();
        } else if (c == ':') {
            if (depth == 1)
                last_key = current;
        } else if (c == '{' || c == '[') {
            if (depth == 1 && c == '[' && last_key == "jobs")
                in_jobs = true;
            else if (in_jobs && depth == 2 && c == '{')
                out.push_back(p);
            ++depth;
        } else if (c == '}' || c == ']') {
            --depth;
            if (depth == 1)
                in_jobs = false;
        }
        if (c == '\n') {
            ++p.line;
            p.column = 1;
        } else {
            ++p.column;
        }
    }
    return out;
}

bool is_delay(const std::string& type) {
    return type == "delay" || type == "DelayProfile";
}

bool is_homogeneous(const std::string& type) {
    return type == "parallel_homogeneous" || type == "ParallelTaskHomogeneousProfile" ||
           type == "ptask_homogeneous";
}

struct BatsimJob {
    TraceJob job;
    std::size_t index = 0;  ///< in the file's "jobs"
    Position where;
    std::string profile;
    std::string profile_type;
    std::string walltime_text;
    std::string subtime_text;
    std::string res_text;
};

class BatsimReader final : public JobTraceReader {
public:
    BatsimReader(const std::string& path, double flops_per_s) : path_(path) {
        columns_ = {"id", "subtime", "walltime", "res", "profile", "profile_type"};
        std::ifstream in(path, std::ios::binary);
        if (!in)
            throw TraceError(path, 0, 0, "", "cannot open the file");
        std::stringstream buffer;
        buffer << in.rdbuf();
        const std::string text = buffer.str();
        if (text.find_first_not_of(" \t\r\n") == std::string::npos)
            throw TraceError(path, 1, 0, "",
                             "expected a Batsim JSON workload, found an empty file");
        Json doc;
        try {
            doc = Json::parse(text);
        } catch (const Json::parse_error& e) {
            const Position p = position_of(text, e.byte > 0 ? e.byte - 1 : 0);
            throw TraceError(path, static_cast<int>(p.line), static_cast<int>(p.column), "",
                             std::string("JSON syntax error: ") + e.what());
        } catch (const Json::out_of_range& e) {
            // A number no double holds (1e999): out_of_range.406 has no offset, but quotes the
            // number, which is found in the text (its first occurrence).
            const std::string what = e.what();
            const auto open = what.find('\''), close = what.rfind('\'');
            const auto at = open != std::string::npos && close > open
                                ? text.find(what.substr(open + 1, close - open - 1))
                                : std::string::npos;
            const Position p = position_of(text, at == std::string::npos ? 0 : at);
            throw TraceError(path, static_cast<int>(p.line), static_cast<int>(p.column), "",
                             "JSON number out of range: " + what);
        }
        if (!doc.is_object())
            throw TraceError(path, 1, 1, "",
                             "expected a JSON object with \"jobs\" and \"profiles\"");
        // A machine size no long long holds is no size (and converting it would be undefined).
        if (doc.contains("nb_res") && doc["nb_res"].is_number()) {
            const double nb_res = doc["nb_res"].get<double>();
            if (nb_res >= 0 && nb_res < 9e18)
                header_.max_procs = static_cast<long long>(nb_res);
        }
        if (!doc.contains("jobs") || !doc["jobs"].is_array())
            throw TraceError(path, 1, 1, "jobs", "expected an array \"jobs\"");
        const Json profiles = doc.contains("profiles") ? doc["profiles"] : Json::object();
        const auto positions = job_positions(text);
        const Json& jobs = doc["jobs"];
        jobs_.reserve(jobs.size());
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            BatsimJob b;
            b.index = i;
            if (i < positions.size())
                b.where = positions[i];
            read_job(jobs[i], profiles, flops_per_s, b);
            jobs_.push_back(std::move(b));
        }
        // Batsim does not require time order; fleetsim replays in it (stable: ties keep the
        // file's order).
        std::stable_sort(jobs_.begin(), jobs_.end(), [](const BatsimJob& a, const BatsimJob& b) {
            return a.job.submit_s < b.job.submit_s;
        });
    }

    const std::string& file() const override { return path_; }

    std::string_view cell(std::size_t i) const override {
        const BatsimJob& b = jobs_.at(next_ - 1);
        switch (i) {
            case 0:
                return b.job.id;
            case 1:
                return b.subtime_text;
            case 2:
                return b.walltime_text;
            case 3:
                return b.res_text;
            case 4:
                return b.profile;
            default:
                return b.profile_type;
        }
    }

    bool next(TraceJob& job) override {
        if (next_ >= jobs_.size())
            return false;
        const BatsimJob& b = jobs_[next_++];
        line_ = b.where.line;
        job = b.job;
        check_order(job, 1);
        return true;
    }

private:
    [[noreturn]] void fail_job(const BatsimJob& b,
                               const std::string& key,
                               const std::string& message) const {
        throw TraceError(path_, static_cast<int>(b.where.line), static_cast<int>(b.where.column),
                         key, fmt::format("job {} (jobs[{}]): {}", b.job.id, b.index, message));
    }

    static std::string text_of(const Json& v) {
        if (v.is_string())
            return v.get<std::string>();
        return v.dump();
    }

    double number_of(const BatsimJob& b, const Json& job, const std::string& key) const {
        if (!job.contains(key))
            fail_job(b, key, "expected a key \"" + key + "\", found none");
        const Json& v = job[key];
        if (!v.is_number())
            fail_job(b, key, "expected a number, found " + v.dump());
        if (const std::string problem = trace_number_problem(v.get<double>()); !problem.empty())
            fail_job(b, key, problem);
        return v.get<double>();
    }

    void read_job(const Json& j, const Json& profiles, double flops_per_s, BatsimJob& b) const {
        if (!j.is_object())
            fail_job(b, "", "expected a JSON object, found " + j.dump());
        if (!j.contains("id"))
            fail_job(b, "id", "expected a key \"id\", found none");
        b.job.id = text_of(j["id"]);
        b.job.line = b.where.line;
        b.job.submit_s = number_of(b, j, "subtime");
        b.subtime_text = j["subtime"].dump();
        if (b.job.submit_s < 0)
            fail_job(b, "subtime",
                     fmt::format("expected a submit time >= 0, found {}", b.job.submit_s));
        b.job.size = number_of(b, j, "res");
        b.res_text = j["res"].dump();
        if (b.job.size <= 0)
            fail_job(b, "res",
                     fmt::format("expected a number of resources > 0, found {}", b.job.size));
        if (const std::string problem = job_size_problem(b.job.size); !problem.empty())
            fail_job(b, "res", problem);
        if (j.contains("walltime") && !j["walltime"].is_null()) {
            b.job.requested_s = number_of(b, j, "walltime");
            b.walltime_text = j["walltime"].dump();
            if (b.job.requested_s <= 0 && b.job.requested_s != -1)
                fail_job(b, "walltime",
                         fmt::format("expected a walltime > 0, found {}", b.job.requested_s));
        }
        if (!j.contains("profile"))
            fail_job(b, "profile", "expected a key \"profile\", found none");
        b.profile = text_of(j["profile"]);
        if (!profiles.contains(b.profile))
            fail_job(b, "profile",
                     "names the profile '" + b.profile + "', which \"profiles\" lacks");
        const Json& p = profiles[b.profile];
        b.profile_type = p.contains("type") ? text_of(p["type"]) : "";
        if (is_delay(b.profile_type) && p.contains("delay") && p["delay"].is_number()) {
            b.job.run_s = p["delay"].get<double>();
        } else if (is_homogeneous(b.profile_type) && flops_per_s > 0 && p.contains("cpu") &&
                   p["cpu"].is_number()) {
            double flops = p["cpu"].get<double>();
            if (p.contains("generation_strategy") &&
                p["generation_strategy"] == "DefinedAmountsSpreadUniformly")
                flops /= b.job.size;
            b.job.run_s = flops / flops_per_s;
        }
        if (b.job.run_s < 0 && b.job.run_s != -1)
            fail_job(b, "profile", fmt::format("expected a run time >= 0, found {}", b.job.run_s));
    }

    std::string path_;
    std::vector<BatsimJob> jobs_;
    std::size_t next_ = 0;
};

}  // namespace

std::unique_ptr<JobTraceReader> make_batsim_reader(const std::string& path, double flops_per_s) {
    return std::make_unique<BatsimReader>(path, flops_per_s);
}

}  // namespace fleetsim
