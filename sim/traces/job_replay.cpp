#include "sim/traces/job_replay.hpp"

#include <fmt/format.h>

#include <cmath>

namespace fleetsim {
namespace {

/** Numbers compare as numbers ("1" = "1.0"), anything else as text. */
bool cell_equals(std::string_view cell,
                 const std::optional<double>& cell_number,
                 const std::string& value,
                 const std::optional<double>& value_number) {
    if (cell_number && value_number)
        return *cell_number == *value_number;
    return cell == value;
}

std::vector<std::optional<double>> numbers_of(const std::vector<std::string>& values) {
    std::vector<std::optional<double>> out;
    for (const auto& v : values)
        out.push_back(parse_trace_number(v));
    return out;
}

std::string list_columns(const std::vector<std::string>& columns) {
    std::string out;
    for (const auto& c : columns)
        out += (out.empty() ? "" : ", ") + c;
    return out;
}

double origin_of(const JobTraceOptions& o, const TraceJob& first) {
    return o.has_start() ? o.start_s : first.submit_s;
}

}  // namespace

JobSelector::JobSelector(const JobTraceOptions& options, const JobTraceReader& reader)
    : options_(options) {
    for (const auto& c : options.where) {
        const auto column = reader.column_index(c.column);
        if (!column) {
            throw TraceError(
                c.where.file, c.where.line, c.where.column, c.where.key,
                fmt::format("expected a column of the {} trace, found '{}' (its "
                            "columns: {})",
                            to_string(options.format), c.column, list_columns(reader.columns())));
        }
        conditions_.push_back(Bound{&c, *column, numbers_of(c.in), numbers_of(c.not_in)});
    }
}

bool JobSelector::selects(const JobTraceReader& reader, const TraceJob& job) const {
    const TraceWindow& w = options_;
    if (w.has_start() && job.submit_s < w.start_s)
        return false;
    if (w.has_end() && job.submit_s >= w.end_s)
        return false;
    for (const auto& b : conditions_) {
        const TraceCondition& c = *b.condition;
        const std::string_view cell = reader.cell(b.column);
        const std::optional<double> number = parse_trace_number(cell);
        if (!c.in.empty()) {
            bool any = false;
            for (std::size_t i = 0; i < c.in.size() && !any; ++i)
                any = cell_equals(cell, number, c.in[i], b.in_numbers[i]);
            if (!any)
                return false;
        }
        for (std::size_t i = 0; i < c.not_in.size(); ++i) {
            if (cell_equals(cell, number, c.not_in[i], b.not_in_numbers[i]))
                return false;
        }
        if (std::isfinite(c.from) || std::isfinite(c.below)) {
            const double v = reader.number_at(b.column, cell);
            if (v < c.from || v >= c.below)
                return false;
        }
    }
    return true;
}

ReplayFate map_job(const TraceJob& job,
                   const JobTraceOptions& options,
                   int cap_gpus,
                   double origin_s,
                   ReplayJob& out) {
    if (job.size < 0 || job.run_s < 0)
        return ReplayFate::dropped_unknown;
    if (job.run_s == 0)
        return ReplayFate::dropped_zero_run;
    // A share of a GPU (Alibaba PAI's 50%) takes a whole one; 1e-9 keeps 8.0000000001 at 8.
    const double wanted = std::ceil(job.size * options.gpus_per_unit - 1e-9);
    ReplayFate fate = ReplayFate::replayed;
    int gpus = 1;
    if (wanted > cap_gpus) {
        if (options.oversize == Oversize::drop)
            return ReplayFate::dropped_oversize;
        gpus = cap_gpus;
        fate = ReplayFate::capped;
    } else {
        gpus = std::max(1, static_cast<int>(wanted));
    }
    out.submit_s = (job.submit_s - origin_s) * options.time_scale + options.shift_s;
    out.gpus = gpus;
    out.run_s = job.run_s;
    out.requested_s = options.requested && job.requested_s > 0 ? job.requested_s : -1;
    out.recorded_wait_s = job.wait_s;
    return fate;
}

JobReplay::JobReplay(const JobTraceOptions& options, int cap_gpus)
    : options_(options), cap_gpus_(cap_gpus), reader_(open_job_trace(options)) {
    selector_ = std::make_unique<JobSelector>(options_, *reader_);
}

JobReplay::~JobReplay() = default;

bool JobReplay::next(ReplayJob& out) {
    while (reader_->next(row_)) {
        if (!have_origin_) {
            origin_s_ = origin_of(options_, row_);
            have_origin_ = true;
        }
        if (!selector_->selects(*reader_, row_))
            continue;
        const ReplayFate fate = map_job(row_, options_, cap_gpus_, origin_s_, out);
        if (fate == ReplayFate::replayed || fate == ReplayFate::capped)
            return true;
    }
    return false;
}

std::vector<JobTraceScan> scan_job_traces(const std::vector<ReplayClass>& classes) {
    const JobTraceOptions& first = *classes.front().options;
    auto reader = open_job_trace(first);
    std::vector<JobSelector> selectors;
    std::vector<JobTraceScan> scans(classes.size());
    for (std::size_t i = 0; i < classes.size(); ++i) {
        selectors.emplace_back(*classes[i].options, *reader);
        scans[i].cap_gpus = classes[i].cap_gpus;
    }
    TraceJob row;
    ReplayJob mapped;
    long long rows = 0;
    while (reader->next(row)) {
        if (rows++ == 0) {
            for (std::size_t i = 0; i < classes.size(); ++i)
                scans[i].origin_s = origin_of(*classes[i].options, row);
        }
        std::size_t taken_by = classes.size();
        for (std::size_t i = 0; i < classes.size(); ++i) {
            if (!selectors[i].selects(*reader, row))
                continue;
            if (taken_by < classes.size()) {
                reader->fail(reader->columns().size(),
                             fmt::format("job '{}' is selected by both classes '{}' and '{}': "
                                         "their `where` conditions overlap, so it would be "
                                         "replayed twice",
                                         row.id, classes[taken_by].name, classes[i].name));
            }
            taken_by = i;
            JobTraceScan& s = scans[i];
            s.matched += 1;
            switch (map_job(row, *classes[i].options, classes[i].cap_gpus, s.origin_s, mapped)) {
                case ReplayFate::replayed:
                    break;
                case ReplayFate::capped:
                    s.capped += 1;
                    break;
                case ReplayFate::dropped_unknown:
                    s.dropped_unknown += 1;
                    break;
                case ReplayFate::dropped_zero_run:
                    s.dropped_zero_run += 1;
                    break;
                case ReplayFate::dropped_oversize:
                    s.dropped_oversize += 1;
                    break;
            }
        }
    }
    if (rows == 0)
        throw TraceError(first.path, 0, 0, "", "expected jobs in the trace, found none");
    for (auto& s : scans)
        s.rows = rows;
    return scans;
}

}  // namespace fleetsim
