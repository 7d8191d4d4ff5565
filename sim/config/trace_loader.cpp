// `trace:` in a class (docs/traces.md): a batch class's job log, a service's request log, the
// `where` conditions and a csv log's column map, each a key table (sim/config/key_table.hpp);
// and load_traces(), which reads every log once after the scenario is read: it checks every
// row (a bad row is an InputError naming the trace's file, line and column), counts the jobs
// each class keeps, caps and drops, and bins each request log into its service's demand.

#include "sim/config/sections.hpp"
#include "sim/traces/job_replay.hpp"
#include "sim/traces/request_binning.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

namespace fleetsim {

// ---- the column map of a csv log (trace.columns) -------------------------------------------

KeyTable<CsvValueMap> csv_value_keys() {
    static const Key<CsvValueMap> keys[] = {
        {.name = "column",
         .member = &CsvValueMap::column,
         .type = "column name",
         .help = "the column holding the value (numbers, or date-times read as s since 1970 UTC)"},
        {.name = "minus",
         .member = &CsvValueMap::minus,
         .need = Need::optional,
         .type = "column name",
         .default_text = "none",
         .help = "a column subtracted (run time = end_time minus start_time)"},
        {.name = "times",
         .member = &CsvValueMap::times,
         .need = Need::optional,
         .type = "column name",
         .default_text = "none",
         .help = "a column multiplied in (GPUs = plan_gpu times inst_num)"},
        {.name = "scale",
         .member = &CsvValueMap::scale,
         .need = Need::optional,
         .range = Range::positive,
         .help = "a factor (0.01: a percentage of a GPU)"},
    };
    return keys;
}

KeyTable<CsvColumnMap> csv_column_keys() {
    static const Key<CsvColumnMap> keys[] = {
        {.name = "submit_s",
         .unit = "s",
         .type = "column name or mapping",
         .default_text = "required",
         .help = "submit time: a column, or `{column, minus, times, scale}` (keys below)"},
        {.name = "run_s",
         .unit = "s",
         .type = "column name or mapping",
         .default_text = "required",
         .help = "run time the log recorded (the job's duration on the reference GPU)"},
        {.name = "gpus",
         .unit = "GPUs",
         .type = "column name or mapping",
         .default_text = "required",
         .help = "GPUs (or processors) per job, before the size map"},
        {.name = "requested_s",
         .unit = "s",
         .type = "column name or mapping",
         .default_text = "none",
         .help = "requested run time (what easy-backfill reserves with); empty cells: none"},
        {.name = "wait_s",
         .unit = "s",
         .type = "column name or mapping",
         .default_text = "none",
         .help = "the wait the log recorded (summary.json compares the simulated one with it)"},
        {.name = "id",
         .member = &CsvColumnMap::id,
         .need = Need::optional,
         .type = "column name",
         .default_text = "the line number",
         .help = "the job's name in the log"},
        {.name = "status",
         .member = &CsvColumnMap::status,
         .need = Need::optional,
         .type = "column name",
         .default_text = "none",
         .help = "the job's final state (a `where` condition can keep completed jobs only)"},
        {.name = "header",
         .type = "list of column names",
         .default_text = "the file's first line",
         .help = "the names of the columns of a file without a header line (Alibaba PAI 2020)"},
    };
    return keys;
}

// ---- a condition on a column (trace.where) ------------------------------------------------

KeyTable<TraceCondition> trace_condition_keys() {
    static const Key<TraceCondition> keys[] = {
        {.name = "column",
         .member = &TraceCondition::column,
         .type = "column name",
         .help = "a column of the log (docs/traces.md lists each format's)"},
        {.name = "in",
         .type = "list of values",
         .default_text = "any value",
         .help = "keep rows whose cell is one of these (numbers compare as numbers)"},
        {.name = "not_in",
         .type = "list of values",
         .default_text = "none",
         .help = "keep rows whose cell is none of these"},
        {.name = "from",
         .member = &TraceCondition::from,
         .need = Need::optional,
         .default_text = "no bound",
         .help = "keep rows whose cell is a number >= this"},
        {.name = "below",
         .member = &TraceCondition::below,
         .need = Need::optional,
         .default_text = "no bound",
         .help = "keep rows whose cell is a number < this"},
    };
    return keys;
}

// ---- the window, shared by job and request logs ---------------------------------------------

namespace {

/** A row of the window (start_s, end_s, time_scale, shift_s), the same in both tables. */
template <class Spec>
Key<Spec> window_key(std::string_view name) {
    Key<Spec> k;
    k.name = std::string(name);
    k.need = Need::optional;
    if (name == "start_s") {
        k.member = static_cast<double Spec::*>(&Spec::start_s);
        k.range = Range::non_negative;
        k.unit = "s of the trace";
        k.default_text = "the first time in the file";
        k.help = "the window's start, in the trace's own time; it becomes simulated time `shift_s`";
    } else if (name == "end_s") {
        k.member = static_cast<double Spec::*>(&Spec::end_s);
        k.range = Range::non_negative;
        k.unit = "s of the trace";
        k.also = "> `start_s`";
        k.default_text = "no end";
        k.help = "the window's end (rows at or after it are left out)";
    } else if (name == "time_scale") {
        k.member = static_cast<double Spec::*>(&Spec::time_scale);
        k.range = Range::positive;
        k.help =
            "simulated gap = recorded gap x time_scale: 0.5 doubles the arrival rate, 2 "
            "halves it (run times and token counts stay as recorded)";
    } else {
        k.member = static_cast<double Spec::*>(&Spec::shift_s);
        k.range = Range::non_negative;
        k.unit = "s";
        k.help = "simulated time of the window's start";
    }
    return k;
}

}  // namespace

// ---- a batch class's job log (workload.classes.<class>.trace) ------------------------------

KeyTable<JobTraceOptions> job_trace_keys() {
    using T = JobTraceOptions;
    static const Key<T> keys[] = {
        {.name = "format",
         .member = choice_member<&T::format>(),
         .choices = {"swf", "itp", "batsim", "csv"},
         .help = "the log's format (docs/traces.md has a section on each)"},
        {.name = "path",
         .member = &T::path,
         .type = "path",
         .help = "the log, relative to the file that names it (itp: a file, or a folder of "
                 "cluster*.csv)"},
        window_key<T>("start_s"),
        window_key<T>("end_s"),
        window_key<T>("time_scale"),
        window_key<T>("shift_s"),
        {.name = "gpus_per_unit",
         .member = &T::gpus_per_unit,
         .need = Need::optional,
         .range = Range::positive,
         .unit = "GPUs per processor",
         .help = "size map: GPUs = ceil(size the log records x this), at least 1"},
        {.name = "oversize",
         .member = choice_member<&T::oversize>(),
         .need = Need::optional,
         .choices = {"cap", "drop"},
         .help = "a job larger than the largest gang the class's pools can hold is capped to it "
                 "(keeping its run time) or dropped; summary.json counts both"},
        {.name = "where",
         .type = "list of conditions",
         .default_text = "every row",
         .help = "keep the rows for which every condition holds (keys below); classes that share "
                 "a log split it with theirs, which must not overlap"},
        {.name = "columns",
         .type = "mapping",
         .default_text = "job_id, submit_s, gpus, duration_s, and requested_s, wait_s, status "
                         "when present",
         .help = "csv only: which columns hold what (keys below; docs/traces.md has the maps of "
                 "Philly, Helios, Alibaba PAI 2020 and Acme)"},
        {.name = "flops_per_s",
         .member = &T::flops_per_s,
         .need = Need::optional,
         .range = Range::non_negative,
         .unit = "flop/s",
         .default_text = "`0`: unknown",
         .help = "batsim only: host speed that turns a homogeneous parallel task's `cpu` flops "
                 "into its run time (jobs whose run time stays unknown are dropped)"},
        {.name = "requested",
         .member = &T::requested,
         .need = Need::optional,
         .help = "give jobs the requested run time the log records (SWF field 9, Batsim "
                 "walltime): easy-backfill reserves with it"},
    };
    return keys;
}

// ---- a service's request log (workload.classes.<class>.trace) ------------------------------

KeyTable<RequestTraceOptions> request_trace_keys() {
    using T = RequestTraceOptions;
    static const Key<T> keys[] = {
        {.name = "format",
         .member = choice_member<&T::format>(),
         .choices = {"azure", "mooncake"},
         .help = "the log's format: Azure LLM inference 2023 CSV, Mooncake JSONL"},
        {.name = "path",
         .member = &T::path,
         .type = "path",
         .help = "the log, relative to the file that names it"},
        window_key<T>("start_s"),
        window_key<T>("end_s"),
        window_key<T>("time_scale"),
        window_key<T>("shift_s"),
        {.name = "repeat",
         .member = &T::repeat,
         .need = Need::optional,
         .help = "repeat the window (its simulated length, rotated by `shift_s`) to fill the "
                 "horizon"},
        {.name = "scale",
         .member = &T::scale,
         .need = Need::optional,
         .range = Range::positive,
         .also = "not with the service's `demand_units_per_s`",
         .help = "multiplies the log's demand (the mean rate is the log's x this)"},
        {.name = "bin_s",
         .member = &T::bin_s,
         .need = Need::optional,
         .range = Range::positive,
         .unit = "s",
         .default_text = "`tick_s`",
         .help = "requests are summed into bins of this much simulated time"},
        {.name = "gpu_s_per_input_token",
         .member = &T::gpu_s_per_input_token,
         .range = Range::non_negative,
         .unit = "reference-GPU s/token",
         .help = "GPU time of one prompt token (prefill)"},
        {.name = "gpu_s_per_output_token",
         .member = &T::gpu_s_per_output_token,
         .range = Range::non_negative,
         .unit = "reference-GPU s/token",
         .help = "GPU time of one generated token (decode); a request is (input x "
                 "gpu_s_per_input_token + output x this) / `gpu_s_per_unit` units of the service"},
    };
    return keys;
}

namespace {

TraceSource source_of(const YamlValue& v) {
    const SourceSpan w = v.where();
    return TraceSource{w.file, w.line, w.column, v.path()};
}

/** A path named in `file`, relative to that file's folder (as platform and workload files). */
std::string resolve_trace_path(const std::string& file, const std::string& named) {
    namespace fs = std::filesystem;
    fs::path p(named);
    if (p.is_absolute() || file == "<command line>" || file.rfind("builtin:", 0) == 0)
        return p.generic_string();
    return (fs::path(file).parent_path() / p).lexically_normal().generic_string();
}

std::vector<std::string> texts(const YamlValue& list) {
    std::vector<std::string> out;
    for (const auto& e : list.elements())
        out.push_back(e.text().value_or(""));
    return out;
}

void check_window(const TraceWindow& w, const MapReader& m) {
    if (w.has_start() && w.has_end() && w.end_s <= w.start_s)
        m.optional("end_s").fail(
            fmt::format("expected end_s > start_s ({:g}), found {:g}", w.start_s, w.end_s));
}

CsvValueMap read_value_map(const YamlValue& v) {
    CsvValueMap out;
    if (v.is_scalar()) {
        out.column = v.text().value_or("");
        return out;
    }
    MapReader m(v, key_names(csv_value_keys()));
    if (m.ok())
        read_keys(m, csv_value_keys(), out);
    return out;
}

CsvColumnMap read_columns(const YamlValue& v) {
    CsvColumnMap out;
    MapReader m(v, key_names(csv_column_keys()));
    if (!m.ok())
        return out;
    auto value = [&](const char* key, CsvValueMap& into, bool required) {
        return std::pair<std::string_view, std::function<void()>>{
            key, [&m, key, &into, required] {
                if (required) {
                    if (auto r = m.required(key))
                        into = read_value_map(*r);
                } else if (m.has(key)) {
                    into = read_value_map(m.optional(key));
                }
            }};
    };
    read_keys(m, csv_column_keys(), out,
              {value("submit_s", out.submit_s, true),
               value("run_s", out.run_s, true),
               value("gpus", out.gpus, true),
               value("requested_s", out.requested_s, false),
               value("wait_s", out.wait_s, false),
               {"header", [&] {
                    if (m.has("header"))
                        out.header = texts(m.optional("header"));
                }}});
    return out;
}

std::vector<TraceCondition> read_where(const YamlValue& v) {
    std::vector<TraceCondition> out;
    for (const auto& e : v.elements()) {
        TraceCondition c;
        c.where = source_of(e);
        MapReader m(e, key_names(trace_condition_keys()));
        if (!m.ok())
            continue;
        read_keys(m, trace_condition_keys(), c,
                  {{"in",
                    [&] {
                        if (m.has("in"))
                            c.in = texts(m.optional("in"));
                    }},
                   {"not_in", [&] {
                        if (m.has("not_in"))
                            c.not_in = texts(m.optional("not_in"));
                    }}});
        if (!m.has("in") && !m.has("not_in") && !m.has("from") && !m.has("below"))
            e.fail("expected at least one of 'in', 'not_in', 'from' and 'below', found none");
        out.push_back(std::move(c));
    }
    if (v.is_sequence() && out.empty())
        v.fail("expected at least one condition, found an empty list");
    return out;
}

}  // namespace

JobTraceOptions read_job_trace(const YamlValue& v) {
    JobTraceOptions t;
    t.source = source_of(v);
    MapReader m(v, key_names(job_trace_keys()));
    if (!m.ok())
        return t;
    read_keys(m, job_trace_keys(), t,
              {{"where",
                [&] {
                    if (m.has("where"))
                        t.where = read_where(m.optional("where"));
                }},
               {"columns", [&] {
                    if (m.has("columns"))
                        t.columns = read_columns(m.optional("columns"));
                }}});
    check_window(t, m);
    if (m.has("columns") && t.format != JobTraceFormat::csv)
        m.optional("columns").fail("expected `columns` with format csv only, found format " +
                                   std::string(to_string(t.format)));
    if (m.has("flops_per_s") && t.format != JobTraceFormat::batsim)
        m.optional("flops_per_s")
            .fail("expected `flops_per_s` with format batsim only, found format " +
                  std::string(to_string(t.format)));
    if (!t.path.empty())
        t.path = resolve_trace_path(v.file(), t.path);
    return t;
}

RequestTraceOptions read_request_trace(const YamlValue& v) {
    RequestTraceOptions t;
    t.source = source_of(v);
    MapReader m(v, key_names(request_trace_keys()));
    if (!m.ok())
        return t;
    read_keys(m, request_trace_keys(), t);
    check_window(t, m);
    if (!t.path.empty())
        t.path = resolve_trace_path(v.file(), t.path);
    return t;
}

// ---- reading the logs once, before the run -------------------------------------------------

namespace {

/** The largest gang one of the class's pools can hold. */
int cap_of(const WorkloadClassSpec& c, const PlatformSpec& p) {
    long long cap = 0;
    for (const auto& pool : p.pools) {
        const bool allowed = c.pools.empty() ||
                             std::find(c.pools.begin(), c.pools.end(), pool.name) != c.pools.end();
        if (allowed)
            cap = std::max(cap, static_cast<long long>(pool.nodes) * pool.gpus_per_node);
    }
    return static_cast<int>(std::min<long long>(cap, std::numeric_limits<int>::max()));
}

/** A problem in a trace file, reported as bad input at the trace's own position. */
void report(Diagnostics& diagnostics, const CsvError& e, const std::string& read_for) {
    diagnostics.report(InputError(SourceSpan{e.file(), e.line(), e.column()}, e.key(),
                                  e.message() + " (read for " + read_for + ")"));
}

}  // namespace

void load_traces(ScenarioSpec& s, Diagnostics& diagnostics) {
    // Classes that name the same log share one pass over it (and must not overlap).
    std::map<std::pair<int, std::string>, std::vector<std::size_t>> by_file;
    for (std::size_t i = 0; i < s.workload.classes.size(); ++i) {
        const auto& c = s.workload.classes[i];
        if (c.kind == Kind::batch && c.batch.trace)
            by_file[{static_cast<int>(c.batch.trace->format), c.batch.trace->path}].push_back(i);
    }
    for (const auto& [file, members] : by_file) {
        std::vector<ReplayClass> classes;
        std::string names;
        for (std::size_t i : members) {
            auto& c = s.workload.classes[i];
            classes.push_back(ReplayClass{&*c.batch.trace, cap_of(c, s.platform), c.name});
            names += (names.empty() ? "" : ", ") + c.batch.trace->source.key;
        }
        try {
            const auto scans = scan_job_traces(classes);
            for (std::size_t k = 0; k < members.size(); ++k)
                s.workload.classes[members[k]].batch.trace_scan = scans[k];
        } catch (const CsvError& e) {
            report(diagnostics, e, names);
        }
    }
    for (auto& c : s.workload.classes) {
        if (c.kind != Kind::service || !c.service.trace)
            continue;
        auto& svc = c.service;
        const RequestTraceOptions& t = *svc.trace;
        try {
            const BinnedDemand d =
                bin_requests(t, svc.gpu_s_per_unit, t.bin_s > 0 ? t.bin_s : s.tick_s);
            svc.trace_scan = d.scan;
            svc.profile.shape = RateProfileSpec::Shape::trace;
            svc.profile.points_t_s = d.points_t_s;
            svc.profile.points_factor = d.factors;
            svc.profile.period_s = d.period_s;
            // Without demand_units_per_s (left negative by the reader), the log's own mean.
            if (svc.demand_units_per_s < 0)
                svc.demand_units_per_s = d.mean_units_per_s * t.scale;
        } catch (const CsvError& e) {
            report(diagnostics, e, t.source.key);
        }
    }
}

}  // namespace fleetsim
