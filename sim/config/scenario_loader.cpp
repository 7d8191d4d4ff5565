// The scenario file: its top level, `output` and `engine` (each a key table, see
// sim/config/key_table.hpp), and load_scenario(), which assembles the scenario from its file,
// the platform and workload files it names, and the --set overrides (overrides.cpp).

#include "sim/config/scenario_loader.hpp"

#include "sim/config/overrides.hpp"
#include "sim/config/sections.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <unistd.h>

namespace fleetsim {

void check_name(const std::string& name, const YamlValue& at) {
    bool valid = !name.empty();
    for (char c : name) {
        valid = valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '_');
    }
    if (!valid)
        at.fail("expected a name of letters, digits, '-' and '_', found '" + name + "'");
}

// ---- the top level -------------------------------------------------------------------------

namespace {

void check_scenario_name(const ScenarioSpec& s, const YamlValue& at) {
    check_name(s.name, at);
}

void check_tick_s(const ScenarioSpec& s, const YamlValue& at) {
    if (s.tick_s > s.horizon_s && s.horizon_s > 0)
        at.fail("expected tick_s <= horizon_s (" + fmt::format("{:g}", s.horizon_s) + "), found " +
                fmt::format("{:g}", s.tick_s));
    // Every tick settles the services and calls the policy: a tick far too short for the
    // horizon is a run that never ends in practice, refused here rather than left to hang.
    constexpr double kMaxTicks = 1e7;
    if (s.tick_s > 0 && s.horizon_s / s.tick_s > kMaxTicks)
        at.fail(fmt::format(
            "expected at most {:.0f} ticks (horizon_s / tick_s), found {:.4g}: raise tick_s or "
            "shorten horizon_s",
            kMaxTicks, s.horizon_s / s.tick_s));
}

}  // namespace

KeyTable<ScenarioSpec> scenario_keys() {
    static const Key<ScenarioSpec> keys[] = {
        {.name = "name",
         .member = &ScenarioSpec::name,
         .type = "name",
         .check = check_scenario_name,
         .help = "the scenario's name; the default output folder is `results/<name>`"},
        {.name = "description",
         .member = &ScenarioSpec::description,
         .need = Need::optional,
         .help = "one line for people"},
        {.name = "platform",
         .type = "path or mapping",
         .help = "the platform file, relative to the scenario file's folder, or the platform "
                 "inline (keys below)"},
        {.name = "workload",
         .type = "path or mapping",
         .help = "the workload file, relative to the scenario file's folder, or the workload "
                 "inline (keys below)"},
        {.name = "policy",
         .type = "name or mapping",
         .help = "the allocation policy: `policy: fifo` is short for `policy: {name: fifo}`"},
        {.name = "horizon_s",
         .member = &ScenarioSpec::horizon_s,
         .range = Range::positive,
         .unit = "s",
         .help = "simulated time; the books close at the horizon (running jobs are "
                 "`running_at_end`, queued ones `waiting_at_end`)"},
        {.name = "seed",
         .member = &ScenarioSpec::seed,
         .range = Range::non_negative,
         .help = "seed of every random stream (one stream per generator and class, so adding a "
                 "class does not change the others' draws)"},
        {.name = "scale",
         .member = &ScenarioSpec::scale,
         .need = Need::optional,
         .range = Range::positive,
         .also = "scaled pools within the limit of `nodes`",
         .help = "scales the whole scenario: every pool's `nodes` (rounded to the nearest "
                 "whole node, at least 1), every service's `demand_units_per_s`, every batch "
                 "class's `arrival_rate_per_h` and `max_jobs` (rounded) are multiplied by it; "
                 "prices, values, job sizes, work per unit, SLOs and per-unit costs are not "
                 "(`--scale 2`: the default lab at 8,192 GPUs)"},
        {.name = "tick_s",
         .member = &ScenarioSpec::tick_s,
         .need = Need::optional,
         .range = Range::positive,
         .unit = "s",
         .also = "<= `horizon_s`, at most 10^7 ticks in `horizon_s`",
         .check = check_tick_s,
         .help = "fluid services are settled, and the policy is called, at least every tick"},
        {.name = "output",
         .need = Need::optional,
         .type = "mapping",
         .default_text = "`{}`",
         .help = "output settings (keys below)"},
        {.name = "engine",
         .need = Need::optional,
         .type = "mapping",
         .default_text = "`{}`",
         .help = "engine settings (keys below)"},
    };
    return keys;
}

// ---- output ------------------------------------------------------------------------------------

KeyTable<OutputSpec> output_keys() {
    static const Key<OutputSpec> keys[] = {
        {.name = "dir",
         .member = &OutputSpec::dir,
         .need = Need::optional,
         .type = "path",
         .default_text = "`results/<name>`",
         .help = "the output folder: absent, empty, or a run folder fleetsim wrote (it holds "
                 "`.fleetsim-output`); anything else (a file, the current folder, a folder of "
                 "yours) is refused with exit 2 before the run. The new result is written complete "
                 "into a temporary sibling and swapped in atomically (docs/reliability.md)"},
        {.name = "timeseries_interval_s",
         .member = &OutputSpec::timeseries_interval_s,
         .need = Need::optional,
         .range = Range::positive,
         .unit = "s",
         .also = "a whole multiple of `tick_s`",
         .help = "length of one row of `timeseries.csv`"},
        {.name = "jobs_csv",
         .member = &OutputSpec::jobs_csv,
         .need = Need::optional,
         .help = "write `jobs.csv` (one row per batch job)"},
    };
    return keys;
}

namespace {

/** `output`, then the check that its interval is a whole number of ticks. */
void read_output(const MapReader& m, ScenarioSpec& s) {
    s.output.dir = "results/" + s.name;
    if (m.has("output")) {
        MapReader o(m.optional("output"), key_names(output_keys()));
        read_keys(o, output_keys(), s.output);
    }
    const double ratio = s.output.timeseries_interval_s / s.tick_s;
    if (s.tick_s > 0 && std::fabs(ratio - std::round(ratio)) > 1e-9) {
        YamlValue at = m.has("output") ? m.optional("output").child("timeseries_interval_s")
                                       : m.optional("tick_s");
        if (!at.defined())
            at = m.value();
        at.fail("expected timeseries_interval_s (" +
                fmt::format("{:g}", s.output.timeseries_interval_s) +
                ") to be a whole multiple of tick_s (" + fmt::format("{:g}", s.tick_s) + ")");
    }
}

}  // namespace

// ---- engine ------------------------------------------------------------------------------------

KeyTable<ScenarioSpec> engine_keys() {
    static const Key<ScenarioSpec> keys[] = {
        {.name = "energy_plugin",
         .member = &ScenarioSpec::energy_plugin,
         .need = Need::optional,
         .help = "also run SimGrid's host-energy plugin and report its total as "
                 "`fleet.energy_it_kwh_simgrid` (a cross-check of the ledger's "
                 "`fleet.energy_it_kwh`)"},
    };
    return keys;
}

// ---- files -------------------------------------------------------------------------------------

namespace {

constexpr const char* kBuiltinPrefix = "builtin:";

bool is_builtin(const std::string& path) {
    return path.rfind(kBuiltinPrefix, 0) == 0;
}

/** A path named inside `base_file`, relative to that file's folder. */
std::string resolve_relative(const std::string& base_file, const std::string& named) {
    namespace fs = std::filesystem;
    if (is_builtin(base_file)) {
        fs::path dir = fs::path(base_file.substr(std::string(kBuiltinPrefix).size())).parent_path();
        return kBuiltinPrefix + (dir / named).lexically_normal().generic_string();
    }
    fs::path p(named);
    if (p.is_absolute())
        return p.generic_string();
    return (fs::path(base_file).parent_path() / p).lexically_normal().generic_string();
}

YAML::Node load_source(const std::string& path) {
    if (is_builtin(path)) {
        const std::string key = path.substr(std::string(kBuiltinPrefix).size());
        for (const auto& [name, text] : builtin_files()) {
            if (name == key)
                return load_yaml_text(text, path);
        }
        throw InputError(SourceSpan{path, 0, 0}, "", "no such built-in file");
    }
    return load_yaml_file(path, path);
}

/** The scenario's YAML trees after --set: its own, and the platform and workload it names. */
struct ScenarioTrees {
    YAML::Node root;
    YAML::Node platform;
    YAML::Node workload;
    std::string platform_file;  ///< the file the platform was read from (the scenario's if inline)
    std::string workload_file;
};

YAML::Node load_scenario_root(const std::string& path) {
    YAML::Node root = load_source(path);
    if (!root.IsMap()) {
        throw InputError(SourceSpan{path, 1, 1}, "",
                         "expected a scenario mapping, found " +
                             std::string(root.IsNull() ? "an empty file" : "something else"));
    }
    return root;
}

/** `platform` or `workload`: a string names a file relative to the scenario; a mapping is inline.
 */
YAML::Node load_part(YAML::Node root,
                     const std::string& path,
                     const char* key,
                     std::string& file,
                     Diagnostics& diagnostics,
                     const std::shared_ptr<const OverrideLog>& log) {
    YAML::Node node = root[key];  // not const: a missing key reads as an undefined node
    if (node && node.IsScalar()) {
        YamlValue at(node, path, key, &diagnostics, log);
        file = resolve_relative(path, node.Scalar());
        try {
            return load_source(file);
        } catch (const InputError& e) {
            // Name both the missing file and the key that names it.
            SourceSpan where = e.where().line > 0 ? e.where() : at.where();
            throw InputError(
                where, key,
                e.where().line > 0 ? e.message() : "cannot open '" + file + "': " + e.message());
        }
    }
    file = path;
    return node;
}

/**
 * The scenario's own --set overrides first (they may name another platform or workload file),
 * then the sub-files, then the overrides into them.
 */
ScenarioTrees load_trees(const std::string& path,
                         const std::vector<Override>& overrides,
                         Diagnostics& diagnostics,
                         const std::shared_ptr<const OverrideLog>& log) {
    ScenarioTrees t;
    t.root = load_scenario_root(path);
    const OverridesByFile by_file = overrides_by_file(overrides);
    for (const auto& o : by_file.scenario)
        set_in_tree(t.root, split_dots(o.key), 0, o);  // creates output / engine when absent
    t.platform = load_part(t.root, path, "platform", t.platform_file, diagnostics, log);
    t.workload = load_part(t.root, path, "workload", t.workload_file, diagnostics, log);
    for (const auto& o : by_file.platform) {
        if (!t.platform.IsMap())
            break;
        set_in_tree(t.platform, split_dots(o.key), 1, o);
    }
    for (const auto& o : by_file.workload) {
        if (!t.workload.IsMap())
            break;
        set_in_tree(t.workload, split_dots(o.key), 1, o);
    }
    return t;
}

/** What actually ran: the scenario after --set, with platform and workload inlined. */
std::string resolved_yaml(const ScenarioTrees& t) {
    YAML::Node resolved = YAML::Clone(t.root);
    resolved["platform"] = t.platform;
    resolved["workload"] = t.workload;
    YAML::Emitter out;
    out << resolved;
    return std::string(out.c_str()) + "\n";
}

// ---- scale
// ---------------------------------------------------------------------------------------

/** The largest pool a platform file may declare (platform_loader.cpp's check of `nodes`). */
constexpr double kMaxPoolNodes = 10'000'000;

/**
 * `scale`: the fleet and its demand grow together, so that utilisation, shares and the
 * per-GPU-hour figures stay what they were (up to whole nodes and the randomness of arrivals).
 * Nothing priced per unit or per GPU-hour changes, and no job gets bigger.
 */
void apply_scale(ScenarioSpec& s, const YamlValue& at) {
    if (s.scale == 1)
        return;
    for (auto& pool : s.platform.pools) {
        const double nodes = std::max(1.0, std::round(pool.nodes * s.scale));
        if (nodes > kMaxPoolNodes) {
            at.fail(
                fmt::format("expected pools of at most {:.0f} nodes once scaled, found {:.0f} "
                            "nodes for pool '{}' ({} x {:g})",
                            kMaxPoolNodes, nodes, pool.name, pool.nodes, s.scale));
            return;
        }
        if (nodes * pool.gpus_per_node > static_cast<double>(kMaxFleetGpus)) {
            at.fail(
                fmt::format("expected pools of at most {} GPUs once scaled, found {:.0f} "
                            "nodes x {} GPUs for pool '{}'",
                            kMaxFleetGpus, nodes, pool.gpus_per_node, pool.name));
            return;
        }
        pool.nodes = static_cast<int>(nodes);
    }
    check_fleet_size(s.platform, at);
    for (auto& c : s.workload.classes) {
        c.service.demand_units_per_s *= s.scale;
        c.batch.arrival_rate_per_h *= s.scale;
        if (c.batch.max_jobs > 0) {
            const double jobs = std::round(static_cast<double>(c.batch.max_jobs) * s.scale);
            if (jobs > 9e15) {
                at.fail(
                    fmt::format("expected max_jobs of class '{}' x scale to be at most 9e15, "
                                "found {:.4g}",
                                c.name, jobs));
                return;
            }
            c.batch.max_jobs = static_cast<long long>(jobs);
        }
    }
}

// ---- size
// ----------------------------------------------------------------------------------------

/** The most jobs one class may be expected to draw in the horizon (docs/config.md, "Limits"). */
constexpr double kMaxExpectedJobs = 1e9;
// What a run holds in memory per node (a SimGrid host with its link and our node arrays), per
// GPU and per job (its record until the books close), rounded up from /usr/bin/time -v on
// runs of 10^5 nodes of 8 GPUs (2.3 KB a node) and of 10^6 jobs (340 B a job); see
// docs/config.md, "Limits". Only a run that clearly cannot fit is refused.
constexpr double kBytesPerNode = 3072;
constexpr double kBytesPerGpu = 16;
constexpr double kBytesPerJob = 512;

/** The physical memory of this machine, in bytes (0 when unknown). */
double physical_memory_bytes() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0;
}

/**
 * The jobs each generated class is expected to draw (its arrival rate at the profile's peak
 * over the horizon, or max_jobs when lower) must be countable, and the run must fit in memory:
 * both refused before the platform is built, rather than found out hours later by the kernel.
 */
void check_size(const ScenarioSpec& s, const YamlValue& workload, const YamlValue& pools) {
    double jobs = 0;
    double most_jobs = 0;
    std::string most_jobs_class;
    for (const auto& c : s.workload.classes) {
        if (c.kind != Kind::batch || c.batch.trace)
            continue;
        double peak = 1;
        if (c.batch.profile.shape == RateProfileSpec::Shape::diurnal)
            peak = 1 + c.batch.profile.amplitude;
        else if (c.batch.profile.shape == RateProfileSpec::Shape::trace &&
                 !c.batch.profile.points_factor.empty())
            peak = *std::max_element(c.batch.profile.points_factor.begin(),
                                     c.batch.profile.points_factor.end());
        double expected = c.batch.arrival_rate_per_h * peak * s.horizon_s / 3600;
        if (c.batch.max_jobs >= 0)
            expected = std::min(expected, static_cast<double>(c.batch.max_jobs));
        const YamlValue at = workload.child("classes").child(c.name).child("arrival_rate_per_h");
        if (expected > kMaxExpectedJobs) {
            at.fail(
                fmt::format("expected at most {:.0e} jobs in the horizon (arrival_rate_per_h x "
                            "profile peak x horizon_s / 3600{}), found {:.4g}: lower the "
                            "rate, shorten horizon_s or set max_jobs",
                            kMaxExpectedJobs, s.scale != 1 ? " x scale" : "", expected));
            return;
        }
        jobs += expected;
        if (expected > most_jobs) {
            most_jobs = expected;
            most_jobs_class = c.name;
        }
    }
    double nodes = 0;
    double gpus = 0;
    for (const auto& p : s.platform.pools) {
        nodes += p.nodes;
        gpus += static_cast<double>(p.nodes) * p.gpus_per_node;
    }
    const double fleet_bytes = nodes * kBytesPerNode + gpus * kBytesPerGpu;
    const double bytes = fleet_bytes + jobs * kBytesPerJob;
    const double memory = physical_memory_bytes();
    if (memory <= 0 || bytes <= memory)
        return;
    const YamlValue at =
        fleet_bytes >= jobs * kBytesPerJob
            ? pools
            : workload.child("classes").child(most_jobs_class).child("arrival_rate_per_h");
    constexpr double kGiB = 1024.0 * 1024 * 1024;
    at.fail(fmt::format(
        "expected a run that fits in this machine's memory ({:.1f} GiB), found an estimated "
        "{:.1f} GiB: {:.0f} nodes x {:.0f} B + {:.0f} GPUs x {:.0f} B + {:.4g} jobs expected x "
        "{:.0f} B (docs/config.md, \"Limits\")",
        memory / kGiB, bytes / kGiB, nodes, kBytesPerNode, gpus, kBytesPerGpu, jobs, kBytesPerJob));
}

// ---- the scenario ------------------------------------------------------------------------------

ScenarioSpec read_scenario(const std::string& path,
                           const ScenarioTrees& t,
                           Diagnostics& diagnostics,
                           const std::shared_ptr<const OverrideLog>& log) {
    ScenarioSpec s;
    s.file = path;
    MapReader m(YamlValue(t.root, path, "", &diagnostics, log), key_names(scenario_keys()));
    read_keys(m, scenario_keys(), s,
              {
                  {"platform",
                   [&] {
                       if (m.required("platform"))
                           s.platform = read_platform(YamlValue(t.platform, t.platform_file,
                                                                "platform", &diagnostics, log));
                   }},
                  {"workload",
                   [&] {
                       if (m.required("workload"))
                           s.workload = read_workload(YamlValue(t.workload, t.workload_file,
                                                                "workload", &diagnostics, log),
                                                      s.platform);
                   }},
                  {"policy",
                   [&] {
                       if (auto p = m.required("policy"))
                           s.policy = read_policy(*p);
                   }},
                  {"output", [&] { read_output(m, s); }},
                  {"engine",
                   [&] {
                       if (m.has("engine")) {
                           MapReader e(m.optional("engine"), key_names(engine_keys()));
                           read_keys(e, engine_keys(), s);
                       }
                   }},
              });
    apply_scale(s, m.optional("scale"));
    if (!diagnostics.has_errors())
        check_size(
            s, YamlValue(t.workload, t.workload_file, "workload", &diagnostics, log),
            YamlValue(t.platform, t.platform_file, "platform", &diagnostics, log).child("pools"));
    return s;
}

}  // namespace

ScenarioSpec load_scenario(const std::string& path,
                           const std::vector<Override>& overrides,
                           Diagnostics& diagnostics) {
    auto log = std::make_shared<OverrideLog>();
    for (const auto& o : overrides)
        (*log)[o.key] = o.key + "=" + o.value;
    const ScenarioTrees trees = load_trees(path, overrides, diagnostics, log);
    ScenarioSpec s = read_scenario(path, trees, diagnostics, log);
    // The logs are read once the scenario is (their bins default to tick_s), and only when it
    // read without problems (a class's pools decide its cap).
    if (!diagnostics.has_errors())
        load_traces(s, diagnostics);
    s.resolved_yaml = resolved_yaml(trees);
    diagnostics.throw_if_any();
    return s;
}

}  // namespace fleetsim
