// Any CSV job log, through a column map (CsvColumnMap): which column (or difference, or
// product of columns) is the submit time, the run time and the size; optionally the
// requested time, the recorded wait, an id and a status. Cells hold numbers, or date-times
// ("2023-03-01 00:18:22+08:00", seconds since 1970 UTC). A file without a header line
// (Alibaba PAI 2020 ships its headers apart) names its columns in the map's `header`.
// docs/traces.md gives the maps of Philly, Helios, Alibaba PAI 2020, Acme and peer-traces.

#include "sim/traces/job_readers.hpp"
#include "sim/traces/time_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

namespace fleetsim {
namespace {

/** A CsvValueMap with its columns found in the header. */
struct BoundValue {
    bool mapped = false;
    std::size_t column = 0;
    std::optional<std::size_t> minus, times;
    double scale = 1;
};

class CsvJobReader final : public JobTraceReader {
public:
    CsvJobReader(const std::string& path, const CsvColumnMap& map) : path_(path) {
        file_ = std::make_unique<std::ifstream>(path, std::ios::binary);
        if (!*file_)
            throw TraceError(path, 0, 0, "", "cannot open the file");
        parser_ = std::make_unique<CsvParser>(*file_, path);
        if (map.header.empty()) {
            if (!parser_->next(columns_))
                throw TraceError(path, 1, 0, "", "expected a header line, found an empty file");
        } else {
            columns_ = map.header;
        }
        const CsvColumnMap m = map.submit_s.mapped() ? map : neutral_map();
        submit_ = bind(m.submit_s, "submit_s");
        run_ = bind(m.run_s, "run_s");
        gpus_ = bind(m.gpus, "gpus");
        requested_ = bind(m.requested_s, "requested_s");
        wait_ = bind(m.wait_s, "wait_s");
        if (!m.id.empty())
            id_ = find(m.id, "id");
        if (!m.status.empty())
            status_ = find(m.status, "status");
    }

    const std::string& file() const override { return path_; }
    std::string_view cell(std::size_t i) const override { return fields_.at(i); }

    bool next(TraceJob& job) override {
        if (!parser_->next(fields_))
            return false;
        line_ = parser_->record_line();
        if (fields_.size() != columns_.size()) {
            fail(columns_.size(),
                 fmt::format("expected {} fields as in the header, found {}{}", columns_.size(),
                             fields_.size(),
                             fields_.size() < columns_.size() ? " (a line cut short?)" : ""));
        }
        job.line = line_;
        job.id = id_ ? fields_[*id_] : std::to_string(line_);
        int hour = -1;
        job.submit_s = value(submit_, &hour);
        check_submit(job, submit_.column);
        job.hour = hour;
        // An empty run time or size is unknown (-1), as fleetsim's own csv writes it: the
        // replay drops such a job and counts it.
        job.run_s = optional_value(run_);
        if (job.run_s < 0 && !fields_[run_.column].empty())
            fail(run_.column, fmt::format("expected a run time >= 0, found {}", job.run_s));
        job.size = optional_value(gpus_);
        if (job.size <= 0 && !fields_[gpus_.column].empty())
            fail(gpus_.column,
                 fmt::format("expected a number of GPUs > 0, found {} (leave such rows out with "
                             "`where`)",
                             job.size));
        if (const std::string problem = job_size_problem(job.size); !problem.empty())
            fail(gpus_.column, problem);
        // Optional figures may be empty (unknown), as fleetsim's own csv writes them.
        job.requested_s = optional_value(requested_);
        job.wait_s = optional_value(wait_);
        if (job.requested_s < 0 && requested_.mapped && !fields_[requested_.column].empty())
            fail(requested_.column,
                 fmt::format("expected a requested time >= 0, found {}", job.requested_s));
        if (job.wait_s < 0 && wait_.mapped && !fields_[wait_.column].empty())
            fail(wait_.column, fmt::format("expected a wait >= 0, found {}", job.wait_s));
        job.status = status_ ? fields_[*status_] : std::string();
        return true;
    }

private:
    /**
     * Without a map: the neutral columns fleetsim writes (`trace convert --to csv`) and
     * peer-traces uses: job_id, submit_s, gpus, duration_s, and requested_s, wait_s, status
     * when the header has them.
     */
    CsvColumnMap neutral_map() const {
        CsvColumnMap m;
        m.submit_s.column = "submit_s";
        m.run_s.column = "duration_s";
        m.gpus.column = "gpus";
        auto has = [&](const char* name) {
            return std::find(columns_.begin(), columns_.end(), name) != columns_.end();
        };
        if (has("job_id"))
            m.id = "job_id";
        if (has("requested_s"))
            m.requested_s.column = "requested_s";
        if (has("wait_s"))
            m.wait_s.column = "wait_s";
        if (has("status"))
            m.status = "status";
        return m;
    }

    std::size_t find(const std::string& name, const char* role) const {
        for (std::size_t i = 0; i < columns_.size(); ++i) {
            if (columns_[i] == name)
                return i;
        }
        throw TraceError(
            path_, 1, 0, name,
            fmt::format("expected a column named '{}' (mapped to {}) in the header", name, role));
    }

    BoundValue bind(const CsvValueMap& m, const char* role) const {
        BoundValue b;
        if (!m.mapped())
            return b;
        b.mapped = true;
        b.column = find(m.column, role);
        if (!m.minus.empty())
            b.minus = find(m.minus, role);
        if (!m.times.empty())
            b.times = find(m.times, role);
        b.scale = m.scale;
        return b;
    }

    /** A cell as seconds or a plain number; date-times as seconds since 1970 UTC. */
    double cell_value(std::size_t column, int* hour) const {
        const std::string& text = fields_[column];
        if (auto v = parse_trace_number(text))
            return *v;
        if (auto t = parse_date_time(text)) {
            if (hour != nullptr)
                *hour = t->local_hour();
            return static_cast<double>(t->seconds) + t->fraction;
        }
        fail(column, text.empty() ? "expected a number or a date-time, found an empty field"
                                  : "expected a number or a date-time, found '" + text + "'");
    }

    double value(const BoundValue& b, int* hour) const {
        double v = cell_value(b.column, hour);
        if (b.minus)
            v -= cell_value(*b.minus, nullptr);
        if (b.times)
            v *= cell_value(*b.times, nullptr);
        return v * b.scale;
    }

    double optional_value(const BoundValue& b) const {
        if (!b.mapped || fields_[b.column].empty())
            return -1;
        return value(b, nullptr);
    }

    std::string path_;
    std::unique_ptr<std::ifstream> file_;
    std::unique_ptr<CsvParser> parser_;
    std::vector<std::string> fields_;
    BoundValue submit_, run_, gpus_, requested_, wait_;
    std::optional<std::size_t> id_, status_;
};

}  // namespace

std::unique_ptr<JobTraceReader> make_csv_job_reader(const std::string& path,
                                                    const CsvColumnMap& columns) {
    return std::make_unique<CsvJobReader>(path, columns);
}

}  // namespace fleetsim
