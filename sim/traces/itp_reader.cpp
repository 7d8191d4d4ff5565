// Microsoft ITP job traces as published with ElasticFlow (ASPLOS '23;
// github.com/microsoft/elasticflow-traces): one CSV per cluster, `raw/` with job_id,
// submission_time, duration, num_gpu and `elasticflow/` with generated columns besides.
// Times are seconds from the start of the collection. A folder is read as all its
// cluster*.csv files merged by submission time (ties: the file first by name); the column
// `cluster` (the file's name without .csv) tells them apart for `where`.

#include "sim/traces/job_readers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <limits>

namespace fleetsim {
namespace {

struct ClusterFile {
    std::string name;  ///< cluster04
    std::unique_ptr<CsvReader> csv;
    CsvRow row;  ///< its next row, or the row last handed out while it is current
    bool has_row = false;
    double head_submit_s = 0;  ///< of `row`, for the merge (-inf when not a number)
    std::size_t job_id = 0, submit = 0, duration = 0, gpus = 0;
    std::vector<std::optional<std::size_t>> cell_of;  ///< reader column -> this file's column
    bool any = false;                                 ///< order check, per file
    double last_submit_s = 0;
    long long last_line = 0;
};

class ItpReader final : public JobTraceReader {
public:
    explicit ItpReader(const std::string& path) {
        namespace fs = std::filesystem;
        std::vector<std::string> paths;
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            for (const auto& e : fs::directory_iterator(path)) {
                const std::string name = e.path().filename().string();
                if (e.is_regular_file() && name.rfind("cluster", 0) == 0 &&
                    e.path().extension() == ".csv")
                    paths.push_back(e.path().string());
            }
            std::sort(paths.begin(), paths.end());
            if (paths.empty())
                throw TraceError(path, 0, 0, "",
                                 "expected cluster*.csv files in the folder, found none");
        } else {
            paths.push_back(path);
        }
        for (const auto& p : paths) {
            auto f = std::make_unique<ClusterFile>();
            f->name = fs::path(p).stem().string();
            f->csv = std::make_unique<CsvReader>(p);
            f->job_id = f->csv->column("job_id");
            f->submit = f->csv->column("submission_time");
            f->duration = f->csv->column("duration");
            f->gpus = f->csv->column("num_gpu");
            if (columns_.empty()) {
                columns_ = f->csv->header();
                columns_.push_back("cluster");
            }
            files_.push_back(std::move(f));
        }
        for (auto& f : files_) {
            for (const auto& c : columns_)
                f->cell_of.push_back(f->csv->find_column(c));
            advance(*f);
        }
    }

    const std::string& file() const override {
        return (current_ != nullptr ? current_ : files_.front().get())->csv->path();
    }

    std::string_view cell(std::size_t i) const override {
        if (i + 1 == columns_.size())
            return current_->name;
        const auto& c = current_->cell_of.at(i);
        return c ? std::string_view(current_->row.text(*c)) : std::string_view();
    }

    bool next(TraceJob& job) override {
        if (current_ != nullptr)
            advance(*current_);
        current_ = nullptr;
        for (auto& f : files_) {
            if (f->has_row && (current_ == nullptr || f->head_submit_s < current_->head_submit_s))
                current_ = f.get();
        }
        if (current_ == nullptr)
            return false;
        ClusterFile& f = *current_;
        const CsvRow& row = f.row;
        line_ = row.line();
        job.line = line_;
        job.id = row.text(f.job_id);
        job.submit_s = number_at(column_of(f.submit), row.text(f.submit));
        // The order is checked within each file: the merge keeps sorted files sorted.
        any_ = f.any;
        last_submit_s_ = f.last_submit_s;
        last_line_ = f.last_line;
        check_submit(job, column_of(f.submit));
        f.any = true;
        f.last_submit_s = job.submit_s;
        f.last_line = line_;
        job.run_s = number_at(column_of(f.duration), row.text(f.duration));
        if (job.run_s < 0)
            fail(column_of(f.duration),
                 fmt::format("expected a duration >= 0, found {}", job.run_s));
        job.size = number_at(column_of(f.gpus), row.text(f.gpus));
        if (job.size <= 0)
            fail(column_of(f.gpus),
                 fmt::format("expected a number of GPUs > 0, found {}", job.size));
        if (const std::string problem = job_size_problem(job.size); !problem.empty())
            fail(column_of(f.gpus), problem);
        job.requested_s = -1;
        job.wait_s = -1;
        job.status.clear();
        job.hour = -1;
        return true;
    }

private:
    /** The reader's column index of a column of the current file. */
    std::size_t column_of(std::size_t file_column) const {
        for (std::size_t i = 0; i < current_->cell_of.size(); ++i) {
            if (current_->cell_of[i] == file_column)
                return i;
        }
        return columns_.size();
    }

    static void advance(ClusterFile& f) {
        f.has_row = f.csv->next(f.row);
        if (f.has_row) {
            const auto v = parse_trace_number(f.row.text(f.submit));
            // A bad time is taken first, so that its error is raised where it is.
            f.head_submit_s = v ? *v : -std::numeric_limits<double>::infinity();
        }
    }

    std::vector<std::unique_ptr<ClusterFile>> files_;
    ClusterFile* current_ = nullptr;
};

}  // namespace

std::unique_ptr<JobTraceReader> make_itp_reader(const std::string& path) {
    return std::make_unique<ItpReader>(path);
}

}  // namespace fleetsim
