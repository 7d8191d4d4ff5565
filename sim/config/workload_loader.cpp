// The workload file (or `workload:` inline): its classes, each a service or a batch class,
// with their rate profiles and distributions. Each section's keys are a table
// (sim/config/key_table.hpp says how to add one); the checks that involve other keys follow
// each section's reader.

#include "sim/config/sections.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace fleetsim {

// ---- distributions (workload.classes.<class>.<distribution>) ------------------------------------

KeyTable<DistributionSpec> distribution_keys() {
    static const Key<DistributionSpec> keys[] = {
        {.name = "dist",
         .choices = {"constant", "exponential", "lognormal", "uniform", "empirical"},
         .default_text = "required in the mapping form",
         .help = "the shape"},
        {.name = "value",
         .member = &DistributionSpec::value,
         .unit = "the key's unit",
         .default_text = "required for `constant`",
         .help = "the value"},
        {.name = "mean",
         .member = &DistributionSpec::mean,
         .range = Range::positive,
         .unit = "the key's unit",
         .default_text = "required for `exponential`, `lognormal`",
         .help = "the arithmetic mean"},
        {.name = "sigma",
         .member = &DistributionSpec::sigma,
         .range = Range::positive,
         .default_text = "required for `lognormal`",
         .help = "standard deviation of log(x); mu = ln(mean) - sigma^2 / 2"},
        {.name = "low",
         .member = &DistributionSpec::low,
         .unit = "the key's unit",
         .default_text = "required for `uniform`",
         .help = "lower bound"},
        {.name = "high",
         .member = &DistributionSpec::high,
         .unit = "the key's unit",
         .type = "number >= `low`",
         .default_text = "required for `uniform`",
         .help = "upper bound"},
        {.name = "values",
         .unit = "the key's unit",
         .type = "list of numbers (at least one)",
         .default_text = "required for `empirical`",
         .help = "the values drawn"},
        {.name = "weights",
         .need = Need::optional,
         .type = "list of numbers >= 0, one per value",
         .default_text = "equal weights",
         .help = "relative frequency of each value"},
    };
    return keys;
}

namespace {

void read_empirical(const MapReader& m, DistributionSpec& d, const Range& range) {
    if (auto values = m.required("values")) {
        for (const auto& e : values->elements())
            d.values.push_back(e.number(range).value_or(0));
        if (values->is_sequence() && d.values.empty())
            values->fail("expected at least one value, found an empty list");
    }
    if (m.has("weights")) {
        auto weights = m.optional("weights");
        for (const auto& e : weights.elements())
            d.weights.push_back(e.number(Range::non_negative).value_or(0));
        if (weights.is_sequence() && d.weights.size() != d.values.size()) {
            weights.fail("expected " + std::to_string(d.values.size()) +
                         " weights (one per value), found " + std::to_string(d.weights.size()));
        } else if (!d.weights.empty() && std::all_of(d.weights.begin(), d.weights.end(),
                                                     [](double w) { return w == 0; })) {
            // Zero total weight is no distribution: the draw would always be the first value.
            weights.fail("expected at least one weight > 0, found all 0");
        }
    }
}

}  // namespace

DistributionSpec read_distribution(const YamlValue& v, const Range& range) {
    using Shape = DistributionSpec::Shape;
    DistributionSpec d;
    if (v.is_scalar()) {
        d.shape = Shape::constant;
        d.value = v.number(range).value_or(0);
        return d;
    }
    const auto& keys = distribution_keys();
    MapReader m(v, key_names(keys));
    if (!m.ok())
        return d;
    const std::string dist = m.choice("dist", key(keys, "dist").choices);
    if (dist == "constant") {
        d.shape = Shape::constant;
        read_key(m, key(keys, "value"), d, range);
    } else if (dist == "exponential") {
        d.shape = Shape::exponential;
        read_key(m, key(keys, "mean"), d);
    } else if (dist == "lognormal") {
        d.shape = Shape::lognormal;
        read_key(m, key(keys, "mean"), d);
        read_key(m, key(keys, "sigma"), d);
    } else if (dist == "uniform") {
        d.shape = Shape::uniform;
        read_key(m, key(keys, "low"), d, range);
        read_key(m, key(keys, "high"), d, range);
        if (d.high < d.low)
            m.value().fail("expected high >= low, found low " + fmt::format("{:g}", d.low) +
                           " and high " + fmt::format("{:g}", d.high));
    } else if (dist == "empirical") {
        d.shape = Shape::empirical;
        read_empirical(m, d, range);
    }
    return d;
}

// ---- rate profiles (workload.classes.<class>.profile) ------------------------------------------

namespace {

void check_peak_h(const RateProfileSpec& p, const YamlValue& at) {
    if (p.peak_h >= 24)
        at.fail("expected an hour in [0, 24), found " + std::to_string(p.peak_h));
}

}  // namespace

KeyTable<RateProfileSpec> profile_keys() {
    static const Key<RateProfileSpec> keys[] = {
        {.name = "shape",
         .choices = {"constant", "diurnal", "trace"},
         .default_text = "required when `profile` is given",
         .help = "the shape of the multiplier"},
        {.name = "amplitude",
         .member = &RateProfileSpec::amplitude,
         .range = Range::unit_interval,
         .default_text = "required for `diurnal`",
         .help = "multiplier 1 + amplitude x cos(2 pi (t_h - peak_h) / 24)"},
        {.name = "peak_h",
         .member = &RateProfileSpec::peak_h,
         .need = Need::optional,
         .range = Range::non_negative,
         .unit = "h of the day",
         .type = "number in [0, 24)",
         .default_text = "`0` (`diurnal`)",
         .check = check_peak_h,
         .help = "hour of the daily peak (t = 0 is midnight)"},
        {.name = "points",
         .unit = "s, multiplier",
         .type = "list of `[t_s, factor]`",
         .default_text = "required for `trace`",
         .help = "piecewise-constant multiplier from each time on (times increasing, factors "
                 ">= 0; the first factor also holds before the first time)"},
        {.name = "period_s",
         .member = &RateProfileSpec::period_s,
         .need = Need::optional,
         .range = Range::non_negative,
         .unit = "s",
         .default_text = "`0` (`trace`)",
         .help = "the trace repeats with this period; 0: it does not repeat (the last factor "
                 "holds)"},
    };
    return keys;
}

namespace {

/** `points: [[t_s, factor], ...]`, times increasing. */
void read_trace_points(const MapReader& m, RateProfileSpec& p) {
    auto points = m.required("points");
    if (!points)
        return;
    double last_t = -1;
    for (const auto& e : points->elements()) {
        auto pair = e.elements();
        if (pair.size() != 2) {
            if (e.is_sequence())
                e.fail("expected [t_s, factor], found a list of " + std::to_string(pair.size()));
            continue;
        }
        double t = pair[0].number(Range::non_negative).value_or(0);
        double f = pair[1].number(Range::non_negative).value_or(0);
        if (t <= last_t)
            pair[0].fail("expected times in increasing order, found " + fmt::format("{:g}", t) +
                         " after " + fmt::format("{:g}", last_t));
        last_t = t;
        p.points_t_s.push_back(t);
        p.points_factor.push_back(f);
    }
    if (points->is_sequence() && p.points_t_s.empty())
        points->fail("expected at least one point, found an empty list");
}

/** An absent profile is constant; otherwise its `shape` decides its keys. */
RateProfileSpec read_profile(const YamlValue& v) {
    RateProfileSpec p;
    if (!v.defined())
        return p;
    const auto& keys = profile_keys();
    MapReader m(v, key_names(keys));
    if (!m.ok())
        return p;
    const std::string shape = m.choice("shape", key(keys, "shape").choices);
    if (shape == "diurnal") {
        p.shape = RateProfileSpec::Shape::diurnal;
        read_key(m, key(keys, "amplitude"), p);
        read_key(m, key(keys, "peak_h"), p);
    } else if (shape == "trace") {
        p.shape = RateProfileSpec::Shape::trace;
        read_key(m, key(keys, "period_s"), p);
        read_trace_points(m, p);
    }
    return p;
}

}  // namespace

// ---- services (workload.classes.<class>, kind: service) ----------------------------------------

KeyTable<ServiceSpec> service_keys() {
    static const Key<ServiceSpec> keys[] = {
        {.name = "unit",
         .member = &ServiceSpec::unit,
         .help = "the unit of demand, e.g. `million output tokens`, `video-second`"},
        {.name = "demand_units_per_s",
         .member = &ServiceSpec::demand_units_per_s,
         .range = Range::non_negative,
         .unit = "units/s",
         .default_text = "required; with `trace`, the log's mean x `trace.scale`",
         .help = "mean arrival rate of demand, multiplied by the profile (with `trace`: the "
                 "mean over the log's window)"},
        {.name = "profile",
         .need = Need::optional,
         .type = "mapping",
         .default_text = "constant",
         .help = "how the rate varies over time (keys below); not with `trace`"},
        {.name = "trace",
         .need = Need::optional,
         .type = "mapping",
         .default_text = "none",
         .help = "demand from a request log, binned per tick (keys below; docs/traces.md)"},
        {.name = "gpu_s_per_unit",
         .member = &ServiceSpec::gpu_s_per_unit,
         .range = Range::positive,
         .unit = "reference-GPU s/unit",
         .help = "GPU time one unit of demand takes on the reference GPU at full load"},
        {.name = "price_usd_per_unit",
         .member = &ServiceSpec::price_usd_per_unit,
         .range = Range::non_negative,
         .unit = "USD/unit",
         .help = "revenue per unit served"},
        {.name = "ad_revenue_usd_per_unit",
         .member = &ServiceSpec::ad_revenue_usd_per_unit,
         .need = Need::optional,
         .range = Range::non_negative,
         .unit = "USD/unit",
         .help = "advertising income per unit served, on top of the price"},
        {.name = "slo_s",
         .member = &ServiceSpec::slo_s,
         .range = Range::non_negative,
         .unit = "s",
         .help = "demand waiting longer than this is lost"},
        {.name = "max_utilization",
         .member = &ServiceSpec::max_utilization,
         .range = Range::fraction,
         .help = "busy / allocated ceiling that keeps latency within the SLO: a GPU serves at "
                 "most this fraction of its time"},
    };
    return keys;
}

namespace {

/** A key a class with `trace` must not have (the log gives what it would). */
void refuse_with_trace(const MapReader& m, const std::string& key, const std::string& gives) {
    if (m.has(key))
        m.optional(key).fail("expected no '" + key + "' in a class with `trace` (" + gives +
                             "), found one");
}

/**
 * The GPUs a service's demand needs at its peak: demand x gpu_s_per_unit / max_utilization
 * reference GPUs, times the profile's highest factor. Counts of GPUs are ints: a demand
 * needing more than the largest int would wrap on its way to the engine (a crash in SimGrid),
 * so it is refused at the demand.
 */
void check_service_gpus(const MapReader& m, const ServiceSpec& s) {
    if (s.demand_units_per_s <= 0 || s.max_utilization <= 0)
        return;
    double peak = 1;
    if (s.profile.shape == RateProfileSpec::Shape::diurnal)
        peak = 1 + s.profile.amplitude;
    else if (s.profile.shape == RateProfileSpec::Shape::trace && !s.profile.points_factor.empty())
        peak = *std::max_element(s.profile.points_factor.begin(), s.profile.points_factor.end());
    const double gpus = s.demand_units_per_s * peak * s.gpu_s_per_unit / s.max_utilization;
    if (gpus > static_cast<double>(kMaxFleetGpus))
        m.optional("demand_units_per_s")
            .fail(fmt::format("expected a demand that needs at most {} reference GPUs at its peak "
                              "(demand_units_per_s x profile peak x gpu_s_per_unit / "
                              "max_utilization), found {:.4g}",
                              kMaxFleetGpus, gpus));
}

ServiceSpec read_service(const MapReader& m) {
    ServiceSpec s;
    const bool traced = m.has("trace");
    read_keys(m, service_keys(), s,
              {{"demand_units_per_s",
                [&] {
                    if (!traced || !m.has("demand_units_per_s")) {
                        if (!traced)
                            read_key(m, key(service_keys(), "demand_units_per_s"), s);
                        else
                            s.demand_units_per_s = -1;  // the log's own mean (load_traces)
                        return;
                    }
                    read_key(m, key(service_keys(), "demand_units_per_s"), s);
                    if (m.optional("trace").child("scale").defined())
                        m.optional("trace").child("scale").fail(
                            "expected no `scale` with the service's demand_units_per_s (the log is "
                            "scaled to that mean), found one");
                }},
               {"profile",
                [&] {
                    if (traced)
                        refuse_with_trace(m, "profile", "the log gives the demand's shape");
                    else
                        s.profile = read_profile(m.optional("profile"));
                }},
               {"trace", [&] {
                    if (traced)
                        s.trace = read_request_trace(m.optional("trace"));
                }}});
    return s;
}

}  // namespace

// ---- batch classes (workload.classes.<class>, kind: batch) -------------------------------------

namespace {

/** A gang's size: GPU counts are ints (a larger one would wrap to a 1-GPU job). */
constexpr Range kGangRange{0, kMaxFleetGpus, true, false};

void check_max_jobs(const BatchSpec& b, const YamlValue& at) {
    if (b.max_jobs < -1)
        at.fail("expected -1 (no limit) or a count >= 0, found " + std::to_string(b.max_jobs));
}

}  // namespace

KeyTable<BatchSpec> batch_keys() {
    static const Key<BatchSpec> keys[] = {
        {.name = "arrival_rate_per_h",
         .member = &BatchSpec::arrival_rate_per_h,
         .range = Range::non_negative,
         .unit = "jobs/h",
         .default_text = "required without `trace`",
         .help = "mean Poisson arrival rate, multiplied by the profile (thinning)"},
        {.name = "profile",
         .need = Need::optional,
         .type = "mapping",
         .default_text = "constant",
         .help = "how the arrival rate varies over time (keys below)"},
        {.name = "gpus",
         .unit = "GPUs",
         .type = "distribution of numbers in (0, 2147483647]",
         .default_text = "required without `trace`",
         .help = "gang size: all GPUs start and stop together; rounded to the nearest integer, "
                 "at least 1"},
        {.name = "work_gpu_h",
         .unit = "reference GPU-h",
         .type = "distribution of numbers > 0",
         .default_text = "one of the two without `trace`",
         .help = "work of the whole gang on the reference GPU; duration = work / (gpus x speed "
                 "factor)"},
        {.name = "duration_s",
         .unit = "s on the reference GPU",
         .type = "distribution of numbers > 0",
         .default_text = "one of the two without `trace`",
         .help = "duration on the reference GPU (work = duration x gpus); on a GPU k times "
                 "faster, duration / k"},
        {.name = "value_usd_per_gpu_h",
         .member = &BatchSpec::value_usd_per_gpu_h,
         .range = Range::non_negative,
         .unit = "USD per reference GPU-h",
         .default_text = "one of the two",
         .help = "revenue (or internal value) of each GPU-hour of work delivered, counted as "
                 "work is saved, including work in progress at the horizon"},
        {.name = "value_usd_per_job",
         .member = &BatchSpec::value_usd_per_job,
         .range = Range::non_negative,
         .unit = "USD/job",
         .default_text = "one of the two",
         .help = "revenue of each completed job (nothing for incomplete ones); its value per "
                 "GPU-hour is this / the job's work"},
        {.name = "preemptible",
         .member = &BatchSpec::preemptible,
         .need = Need::optional,
         .help = "whether a policy may stop a running job and requeue it"},
        {.name = "checkpoint_interval_s",
         .need = Need::optional,
         .unit = "s",
         .type = "number >= 0, or `auto`",
         .also = "`auto` needs a failure model with rates and `checkpoint_write_s` > 0",
         .default_text = "`0`",
         .help = "work survives a preemption or a failure up to the last checkpoint; 0: no "
                 "checkpoints, an interrupted job restarts from zero; `auto`: at each start, "
                 "the Young/Daly interval sqrt(2 x MTBI x checkpoint_write_s), MTBI the mean "
                 "time between failures of the gang as placed (docs/model.md)"},
        {.name = "checkpoint_write_s",
         .member = &BatchSpec::checkpoint_write_s,
         .need = Need::optional,
         .range = Range::non_negative,
         .unit = "s",
         .help = "GPU time each checkpoint takes to write, during which the gang does no work "
                 "(counted as `checkpoint_gpu_h`); one after every interval but the last"},
        {.name = "restart_cost_s",
         .member = &BatchSpec::restart_cost_s,
         .need = Need::optional,
         .range = Range::non_negative,
         .unit = "s",
         .help = "time to reload after a preemption, paid on the GPUs at the next start"},
        {.name = "max_jobs",
         .member = &BatchSpec::max_jobs,
         .need = Need::optional,
         .unit = "jobs",
         .type = "integer >= -1",
         .check = check_max_jobs,
         .help = "stop generating (or replaying) after this many jobs; -1: no limit"},
        {.name = "trace",
         .need = Need::optional,
         .type = "mapping",
         .default_text = "none: the generators above",
         .help = "jobs from a log instead of arrival_rate_per_h, profile, gpus and work "
                 "(keys below; docs/traces.md)"},
    };
    return keys;
}

namespace {

/** Exactly one of work_gpu_h and duration_s: the work of each job, as a distribution. */
void read_work(const MapReader& m, BatchSpec& b) {
    const std::string work_key = m.exactly_one_of({"work_gpu_h", "duration_s"});
    if (work_key.empty())
        return;
    b.work_is_duration = work_key == "duration_s";
    b.work = read_distribution(m.optional(work_key), Range::positive);
}

/** Exactly one of value_usd_per_gpu_h and value_usd_per_job, which sets the value basis. */
void read_value(const MapReader& m, BatchSpec& b) {
    const std::string value_key = m.exactly_one_of({"value_usd_per_gpu_h", "value_usd_per_job"});
    if (value_key.empty())
        return;
    b.value_basis =
        value_key == "value_usd_per_job" ? BatchSpec::Value::per_job : BatchSpec::Value::per_gpu_h;
    read_key(m, key(batch_keys(), value_key), b);
}

/** A number of seconds, or `auto`. */
void read_checkpoint_interval(const MapReader& m, BatchSpec& b) {
    if (!m.has("checkpoint_interval_s"))
        return;
    const YamlValue v = m.optional("checkpoint_interval_s");
    if (v.is_scalar() && v.node().Scalar() == "auto") {
        b.checkpoint_auto = true;
        return;
    }
    b.checkpoint_interval_s = v.number(Range::non_negative).value_or(0);
}

BatchSpec read_batch(const MapReader& m) {
    BatchSpec b;
    // With a trace the log gives arrivals, sizes and run times: the generators' keys go.
    const bool traced = m.has("trace");
    const std::string gives = "the log gives arrivals, sizes and run times";
    read_keys(m, batch_keys(), b,
              {
                  {"arrival_rate_per_h",
                   [&] {
                       if (traced)
                           refuse_with_trace(m, "arrival_rate_per_h", gives);
                       else
                           read_key(m, key(batch_keys(), "arrival_rate_per_h"), b);
                   }},
                  {"profile",
                   [&] {
                       if (traced)
                           refuse_with_trace(m, "profile", gives);
                       else
                           b.profile = read_profile(m.optional("profile"));
                   }},
                  {"gpus",
                   [&] {
                       if (traced)
                           refuse_with_trace(m, "gpus", gives);
                       else if (auto g = m.required("gpus"))
                           b.gpus = read_distribution(*g, kGangRange);
                   }},
                  {"work_gpu_h",
                   [&] {
                       if (!traced) {
                           read_work(m, b);
                           return;
                       }
                       refuse_with_trace(m, "work_gpu_h", gives);
                       refuse_with_trace(m, "duration_s", gives);
                       b.work_is_duration = true;
                   }},
                  {"trace",
                   [&] {
                       if (traced)
                           b.trace = read_job_trace(m.optional("trace"));
                   }},
                  {"duration_s", [] {}},  // read with work_gpu_h: exactly one of the two
                  {"value_usd_per_gpu_h", [&] { read_value(m, b); }},
                  {"value_usd_per_job", [] {}},  // read with value_usd_per_gpu_h
                  {"checkpoint_interval_s", [&] { read_checkpoint_interval(m, b); }},
              });
    return b;
}

/** `checkpoint_interval_s: auto` draws the interval from the failure model, which must have
    rates, and the write time, which must be positive (the rule gives 0 otherwise). */
void check_checkpoint_auto(const MapReader& m, const BatchSpec& b, const PlatformSpec& platform) {
    if (!b.checkpoint_auto)
        return;
    if (!platform.failures.has_rates())
        m.optional("checkpoint_interval_s")
            .fail(
                "expected a number: `auto` (the Young/Daly interval) needs failure rates in "
                "platform.failures (gpu_types or pools), found none");
    else if (b.checkpoint_write_s <= 0)
        m.optional("checkpoint_interval_s")
            .fail(
                "expected checkpoint_write_s > 0 with `auto`: the Young/Daly interval is "
                "sqrt(2 x MTBI x checkpoint_write_s)");
}

}  // namespace

// ---- every class (workload.classes.<class>) --------------------------------------------------

KeyTable<WorkloadClassSpec> class_keys() {
    static const Key<WorkloadClassSpec> keys[] = {
        {.name = "family",
         .member = choice_member<&WorkloadClassSpec::family>(),
         .choices = {"llm", "video"},
         .help = "the kind of model the work serves (reported per class)"},
        {.name = "kind",
         .member = choice_member<&WorkloadClassSpec::kind>(),
         .choices = {"service", "batch"},
         .help = "online demand served as a rate, or discrete jobs; decides which keys below "
                 "apply"},
        {.name = "pools",
         .need = Need::optional,
         .type = "list of pool names",
         .default_text = "all pools, in platform order; with a row of the throughput matrix, "
                         "fastest for the class first",
         .help = "the pools the class may use, in the order policies try them"},
        {.name = "enabled",
         .member = &WorkloadClassSpec::enabled,
         .need = Need::optional,
         .help = "`false` switches the class off: it keeps its row in every output, with no "
                 "demand (a service's `demand_units_per_s`, a batch class's "
                 "`arrival_rate_per_h` and `max_jobs` become 0), so a baseline without it is "
                 "one `--set workload.classes.<class>.enabled=false`"},
        {.name = "speed_by_gpu_type",
         .need = Need::optional,
         .type = "mapping of GPU type to number",
         .also = "each a GPU type of the platform, > 0; the reference type's, if given, is 1",
         .default_text = "the family's (workload.speed_by_family), else dense BF16 TFLOP/s "
                         "relative to the reference GPU type",
         .help = "the class's row of the throughput matrix: how many reference-GPU seconds of "
                 "its work one GPU of the type does per second (LLM serving on an A100: 0.4)"},
        description_key<WorkloadClassSpec>(),
    };
    return keys;
}

namespace {

void read_class_pools(const MapReader& r,
                      const std::vector<std::string>& pool_names,
                      WorkloadClassSpec& c) {
    if (!r.has("pools"))
        return;
    for (const auto& e : r.optional("pools").elements()) {
        auto pool = e.text().value_or("");
        if (std::find(pool_names.begin(), pool_names.end(), pool) == pool_names.end()) {
            std::string hint = nearest_name(pool, pool_names);
            e.fail("unknown pool '" + pool + "'" +
                   (hint.empty() ? "" : ", did you mean '" + hint + "'?"));
        }
        c.pools.push_back(pool);
    }
}

/** `enabled: false`: no demand arrives. Everything else stays, so the class keeps its place
    (its id, its random streams, its row in the outputs, the policy parameters naming it). */
void switch_off(WorkloadClassSpec& c) {
    c.service.demand_units_per_s = 0;
    c.batch.arrival_rate_per_h = 0;
    c.batch.max_jobs = 0;
}

/**
 * A row of the throughput matrix: GPU type name -> speed relative to the reference GPU type.
 * Each type must be one of the platform's and each speed > 0; the reference type's is 1 by
 * definition (work is measured on it), so another value there is refused.
 */
std::map<std::string, double> read_speed_row(const YamlValue& v, const PlatformSpec& platform) {
    std::map<std::string, double> out;
    if (!v.is_map()) {
        v.fail("expected a mapping of GPU type to speed, found " + v.found());
        return out;
    }
    std::vector<std::string> types;
    for (const auto& t : platform.gpu_types)
        types.push_back(t.name);
    for (const auto& [type, sv] : v.entries()) {
        if (std::find(types.begin(), types.end(), type) == types.end()) {
            const std::string hint = nearest_name(type, types);
            sv.fail("unknown GPU type '" + type + "'" +
                    (hint.empty() ? "" : ", did you mean '" + hint + "'?"));
            continue;
        }
        const auto speed = sv.number(Range::positive);
        if (!speed)
            continue;
        if (type == platform.reference_gpu_type && *speed != 1) {
            sv.fail("expected 1 for the reference GPU type '" + type +
                    "' (work is measured on it), found " + sv.found());
            continue;
        }
        out[type] = *speed;
    }
    return out;
}

/** The keys a class accepts: every class's, and those of its kind. */
std::vector<std::string> class_key_names(const std::string& kind) {
    std::vector<std::string> allowed = key_names(class_keys());
    const auto extra = kind == "batch" ? key_names(batch_keys()) : key_names(service_keys());
    allowed.insert(allowed.end(), extra.begin(), extra.end());
    return allowed;
}

void read_classes(const MapReader& m, const PlatformSpec& platform, WorkloadSpec& w) {
    std::vector<std::string> pool_names;
    for (const auto& p : platform.pools)
        pool_names.push_back(p.name);
    auto classes = m.required("classes");
    if (!classes)
        return;
    for (const auto& [name, cv] : classes->entries()) {
        check_name(name, cv);
        if (!cv.is_map()) {
            cv.fail("expected a mapping, found " + cv.found());
            continue;
        }
        // The kind decides which keys are allowed, so read it before checking the others.
        std::string kind = "service";
        if (cv.child("kind").defined())
            kind = cv.child("kind").choice(key(class_keys(), "kind").choices).value_or("service");
        MapReader r(cv, class_key_names(kind));
        WorkloadClassSpec c;
        c.name = name;
        read_keys(r, class_keys(), c,
                  {{"pools", [&] { read_class_pools(r, pool_names, c); }},
                   {"speed_by_gpu_type", [&] {
                        if (r.has("speed_by_gpu_type"))
                            c.speed_by_gpu_type =
                                read_speed_row(r.optional("speed_by_gpu_type"), platform);
                    }}});
        if (c.kind == Kind::service) {
            c.service = read_service(r);
            check_service_gpus(r, c.service);
        } else {
            c.batch = read_batch(r);
            check_checkpoint_auto(r, c.batch, platform);
        }
        if (!c.enabled)
            switch_off(c);
        w.classes.push_back(c);
    }
    if (classes->is_map() && w.classes.empty())
        classes->fail("expected at least one workload class, found none");
}

}  // namespace

// ---- the workload (workload) -----------------------------------------------------------------

KeyTable<WorkloadSpec> workload_keys() {
    static const Key<WorkloadSpec> keys[] = {
        {.name = "name", .member = &WorkloadSpec::name, .help = "the workload's name"},
        description_key<WorkloadSpec>(),
        {.name = "speed_by_family",
         .need = Need::optional,
         .type = "mapping of family (llm, video) to a mapping of GPU type to number",
         .also = "as a class's speed_by_gpu_type",
         .default_text = "none: dense BF16 TFLOP/s relative to the reference GPU type",
         .help = "the throughput matrix by family, for every class of the family; a class's "
                 "own speed_by_gpu_type takes precedence type by type"},
        {.name = "classes",
         .type = "mapping of classes",
         .default_text = "required (at least one)",
         .help = "workload classes by name (keys below)"},
    };
    return keys;
}

namespace {

void read_speed_by_family(const MapReader& m, const PlatformSpec& platform, WorkloadSpec& w) {
    if (!m.has("speed_by_family"))
        return;
    const YamlValue v = m.optional("speed_by_family");
    if (!v.is_map()) {
        v.fail("expected a mapping of family to speeds, found " + v.found());
        return;
    }
    const std::vector<std::string> families = {"llm", "video"};
    for (const auto& [family, row] : v.entries()) {
        if (std::find(families.begin(), families.end(), family) == families.end()) {
            row.fail("unknown family '" + family + "': expected llm or video");
            continue;
        }
        w.speed_by_family[family] = read_speed_row(row, platform);
    }
}

}  // namespace

WorkloadSpec read_workload(const YamlValue& v, const PlatformSpec& platform) {
    WorkloadSpec w;
    w.file = v.file();
    MapReader m(v, key_names(workload_keys()));
    if (!m.ok())
        return w;
    read_keys(m, workload_keys(), w,
              {{"speed_by_family", [&] { read_speed_by_family(m, platform, w); }},
               {"classes", [&] { read_classes(m, platform, w); }}});
    // A class's row of the matrix: its own speeds, then its family's for the other types.
    for (auto& c : w.classes) {
        const auto it = w.speed_by_family.find(to_string(c.family));
        if (it != w.speed_by_family.end())
            c.speed_by_gpu_type.insert(it->second.begin(), it->second.end());
    }
    return w;
}

}  // namespace fleetsim
