#include "sim/config/scenario_loader.hpp"

#include "sim/config/yaml_reader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

namespace fleetsim {

namespace {

constexpr const char* kBuiltinPrefix = "builtin:";
const std::vector<std::string> kFamilies = {"llm", "video"};
const std::vector<std::string> kKinds = {"service", "batch"};

/** The accepted keys of one mapping (a programming error when the group does not exist). */
const std::vector<std::string>& keys_of(const std::string& prefix, const std::string& when = "") {
    for (const auto& g : accepted_keys()) {
        if (g.prefix == prefix && g.when == when)
            return g.keys;
    }
    throw std::logic_error("no key group " + prefix);
}

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

std::vector<std::string> split_dots(const std::string& key) {
    std::vector<std::string> parts;
    std::string cur;
    for (char c : key) {
        if (c == '.') {
            parts.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    parts.push_back(cur);
    return parts;
}

std::vector<std::string> map_keys(const YAML::Node& node) {
    std::vector<std::string> keys;
    if (node.IsMap()) {
        for (const auto& kv : node)
            keys.push_back(kv.first.Scalar());
    }
    return keys;
}

/**
 * Whether parts[0..i] names an optional mapping the schema knows by a literal name (output,
 * engine, a class's profile), which --set may create when the file leaves it out. Never an
 * entry the user names (a pool, a class): a misspelt name must stay an error.
 */
bool creatable_section(const std::vector<std::string>& parts, std::size_t i) {
    for (const auto& g : accepted_keys()) {
        std::vector<std::string> comps = split_dots(g.prefix);
        comps.pop_back();  // the prefix ends with '.'
        if (comps.size() != i + 1)
            continue;
        bool match = true;
        for (std::size_t j = 0; j <= i && match; ++j) {
            const bool placeholder = !comps[j].empty() && comps[j].front() == '<';
            match =
                j == i ? !placeholder && comps[j] == parts[j] : placeholder || comps[j] == parts[j];
        }
        if (match)
            return true;
    }
    return false;
}

/** Sets root[parts...] = value; every step but the last must exist, or be creatable. */
void set_in_tree(YAML::Node root,
                 const std::vector<std::string>& parts,
                 std::size_t first,
                 const Override& o) {
    const SourceSpan where{"<command line: --set " + o.key + "=" + o.value + ">", 0, 0};
    YAML::Node value;
    try {
        value = load_yaml_text(o.value, where.file);
    } catch (const InputError& e) {
        // The value alone has no keys; the key it was meant for is the one to name.
        throw InputError(e.where(), o.key, e.message());
    }
    YAML::Node cur = root;
    std::string walked;
    for (std::size_t i = first; i < parts.size(); ++i) {
        const std::string& part = parts[i];
        if (part.empty())
            throw InputError(where, o.key, "empty component in dotted key");
        const bool last = i + 1 == parts.size();
        if (cur.IsSequence()) {
            std::size_t index = 0;
            try {
                index = static_cast<std::size_t>(std::stoul(part));
            } catch (const std::exception&) {
                throw InputError(
                    where, o.key,
                    "'" + walked + "' is a list: expected an index, found '" + part + "'");
            }
            if (index >= cur.size()) {
                throw InputError(
                    where, o.key,
                    "'" + walked + "' has only " + std::to_string(cur.size()) + " elements");
            }
            if (last) {
                cur[index] = value;
                return;
            }
            cur.reset(cur[index]);
        } else if (cur.IsMap() || (cur.IsNull() && last)) {
            if (last) {
                cur[part] = value;
                return;
            }
            const YAML::Node& lookup = cur;  // const: operator[] must not insert
            if (!lookup[part] && creatable_section(parts, i)) {
                cur[part] = YAML::Node(YAML::NodeType::Map);
            } else if (!lookup[part]) {
                std::string hint = nearest_name(part, map_keys(cur));
                throw InputError(where, o.key,
                                 "no key '" + part + "' under '" +
                                     (walked.empty() ? "<top>" : walked) + "'" +
                                     (hint.empty() ? "" : ", did you mean '" + hint + "'?"));
            }
            YAML::Node next = cur[part];
            cur.reset(next);
        } else {
            throw InputError(where, o.key, "'" + walked + "' is a single value, not a mapping");
        }
        walked += (walked.empty() ? "" : ".") + part;
    }
}

bool valid_name(const std::string& s) {
    if (s.empty())
        return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                  (c >= 'A' && c <= 'Z');
        if (!ok)
            return false;
    }
    return true;
}

void check_name(const std::string& name, const YamlValue& at) {
    if (!valid_name(name)) {
        at.fail("expected a name of letters, digits, '-' and '_', found '" + name + "'");
    }
}

// ---- distributions and profiles ------------------------------------------------------------

DistributionSpec parse_distribution(const YamlValue& v, Range range) {
    DistributionSpec d;
    if (v.is_scalar()) {
        d.shape = DistributionSpec::Shape::constant;
        d.value = v.number(range).value_or(0);
        return d;
    }
    MapReader m(v, keys_of("workload.classes.<class>.<distribution>."));
    if (!m.ok())
        return d;
    std::string shape =
        m.choice("dist", {"constant", "exponential", "lognormal", "uniform", "empirical"});
    if (shape == "constant") {
        d.shape = DistributionSpec::Shape::constant;
        d.value = m.number("value", range);
    } else if (shape == "exponential") {
        d.shape = DistributionSpec::Shape::exponential;
        d.mean = m.number("mean", Range::positive);
    } else if (shape == "lognormal") {
        d.shape = DistributionSpec::Shape::lognormal;
        d.mean = m.number("mean", Range::positive);
        d.sigma = m.number("sigma", Range::positive);
    } else if (shape == "uniform") {
        d.shape = DistributionSpec::Shape::uniform;
        d.low = m.number("low", range);
        d.high = m.number("high", range);
        if (d.high < d.low)
            m.value().fail("expected high >= low, found low " + fmt::format("{:g}", d.low) +
                           " and high " + fmt::format("{:g}", d.high));
    } else if (shape == "empirical") {
        d.shape = DistributionSpec::Shape::empirical;
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
            }
        }
    }
    return d;
}

RateProfileSpec parse_profile(const YamlValue& v) {
    RateProfileSpec p;
    if (!v.defined())
        return p;
    MapReader m(v, keys_of("workload.classes.<class>.profile."));
    if (!m.ok())
        return p;
    std::string shape = m.choice("shape", {"constant", "diurnal", "trace"});
    if (shape == "diurnal") {
        p.shape = RateProfileSpec::Shape::diurnal;
        p.amplitude = m.number("amplitude", Range::unit_interval);
        p.peak_h = m.number_or("peak_h", 0, Range::non_negative);
        if (p.peak_h >= 24)
            m.optional("peak_h").fail("expected an hour in [0, 24), found " +
                                      std::to_string(p.peak_h));
    } else if (shape == "trace") {
        p.shape = RateProfileSpec::Shape::trace;
        p.period_s = m.number_or("period_s", 0, Range::non_negative);
        if (auto points = m.required("points")) {
            double last_t = -1;
            for (const auto& e : points->elements()) {
                auto pair = e.elements();
                if (pair.size() != 2) {
                    if (e.is_sequence())
                        e.fail("expected [t_s, factor], found a list of " +
                               std::to_string(pair.size()));
                    continue;
                }
                double t = pair[0].number(Range::non_negative).value_or(0);
                double f = pair[1].number(Range::non_negative).value_or(0);
                if (t <= last_t)
                    pair[0].fail("expected times in increasing order, found " +
                                 fmt::format("{:g}", t) + " after " + fmt::format("{:g}", last_t));
                last_t = t;
                p.points_t_s.push_back(t);
                p.points_factor.push_back(f);
            }
            if (points->is_sequence() && p.points_t_s.empty())
                points->fail("expected at least one point, found an empty list");
        }
    }
    return p;
}

// ---- platform --------------------------------------------------------------------------------

PlatformSpec parse_platform(const YamlValue& v) {
    PlatformSpec p;
    p.file = v.file();
    MapReader m(v, keys_of("platform."));
    if (!m.ok())
        return p;
    p.name = m.text("name");
    if (auto types = m.required("gpu_types")) {
        for (const auto& [name, t] : types->entries()) {
            check_name(name, t);
            MapReader g(t, keys_of("platform.gpu_types.<gpu_type>."));
            if (!g.ok())
                continue;
            GpuTypeSpec spec;
            spec.name = name;
            spec.dense_bf16_tflops = g.number("dense_bf16_tflops", Range::positive);
            spec.memory_gb = g.number("memory_gb", Range::positive);
            spec.power_idle_w = g.number("power_idle_w", Range::non_negative);
            spec.power_busy_w = g.number("power_busy_w", Range::positive);
            spec.capex_usd = g.number("capex_usd", Range::non_negative);
            spec.amortization_years = g.number("amortization_years", Range::positive);
            if (spec.power_busy_w < spec.power_idle_w) {
                g.optional("power_busy_w")
                    .fail("expected power_busy_w >= power_idle_w (" +
                          fmt::format("{:g}", spec.power_idle_w) + "), found " +
                          fmt::format("{:g}", spec.power_busy_w));
            }
            p.gpu_types.push_back(spec);
        }
        if (types->is_map() && p.gpu_types.empty())
            types->fail("expected at least one GPU type, found none");
    }
    if (auto sites = m.required("sites")) {
        for (const auto& [name, s] : sites->entries()) {
            check_name(name, s);
            MapReader r(s, keys_of("platform.sites.<site>."));
            if (!r.ok())
                continue;
            SiteSpec spec;
            spec.name = name;
            spec.energy_usd_per_kwh = r.number("energy_usd_per_kwh", Range::non_negative);
            spec.pue = r.number("pue", Range::positive);
            if (spec.pue < 1)
                r.optional("pue").fail("expected a PUE >= 1, found " +
                                       fmt::format("{:g}", spec.pue));
            spec.overhead_usd_per_gpu_h =
                r.number_or("overhead_usd_per_gpu_h", 0, Range::non_negative);
            spec.subsidy_usd_per_gpu_h =
                r.number_or("subsidy_usd_per_gpu_h", 0, Range::non_negative);
            p.sites.push_back(spec);
        }
        if (sites->is_map() && p.sites.empty())
            sites->fail("expected at least one site, found none");
    }
    auto names_of = [](const auto& list) {
        std::vector<std::string> names;
        for (const auto& x : list)
            names.push_back(x.name);
        return names;
    };
    auto check_ref = [](const YamlValue& at, const std::string& what, const std::string& name,
                        const std::vector<std::string>& names) {
        if (name.empty() || std::find(names.begin(), names.end(), name) != names.end())
            return;
        std::string hint = nearest_name(name, names);
        at.fail("unknown " + what + " '" + name + "'" +
                (hint.empty() ? "" : ", did you mean '" + hint + "'?"));
    };
    if (auto pools = m.required("pools")) {
        for (const auto& [name, pv] : pools->entries()) {
            check_name(name, pv);
            MapReader r(pv, keys_of("platform.pools.<pool>."));
            if (!r.ok())
                continue;
            PoolSpec spec;
            spec.name = name;
            spec.site = r.text("site");
            spec.gpu_type = r.text("gpu_type");
            spec.nodes = static_cast<int>(r.integer("nodes", Range::positive));
            spec.gpus_per_node = static_cast<int>(r.integer("gpus_per_node", Range::positive));
            spec.nodes_per_rack =
                static_cast<int>(r.integer_or("nodes_per_rack", 1, Range::positive));
            spec.intra_node_gbps = r.number_or("intra_node_gbps", 900, Range::positive);
            spec.inter_node_gbps = r.number_or("inter_node_gbps", 400, Range::positive);
            check_ref(r.optional("site"), "site", spec.site, names_of(p.sites));
            check_ref(r.optional("gpu_type"), "GPU type", spec.gpu_type, names_of(p.gpu_types));
            if (spec.nodes > 10'000'000)
                r.optional("nodes").fail("expected at most 10000000 nodes, found " +
                                         std::to_string(spec.nodes));
            if (spec.gpus_per_node > 1024)
                r.optional("gpus_per_node")
                    .fail("expected at most 1024 GPUs per node, found " +
                          std::to_string(spec.gpus_per_node));
            p.pools.push_back(spec);
        }
        if (pools->is_map() && p.pools.empty())
            pools->fail("expected at least one pool, found none");
    }
    if (p.gpu_types.size() == 1 && !m.has("reference_gpu_type")) {
        p.reference_gpu_type = p.gpu_types.front().name;
    } else {
        p.reference_gpu_type = m.text("reference_gpu_type");
        check_ref(m.optional("reference_gpu_type"), "GPU type", p.reference_gpu_type,
                  names_of(p.gpu_types));
    }
    return p;
}

// ---- workload --------------------------------------------------------------------------------

ServiceSpec parse_service(const MapReader& m) {
    ServiceSpec s;
    s.unit = m.text("unit");
    s.demand_units_per_s = m.number("demand_units_per_s", Range::non_negative);
    s.profile = parse_profile(m.optional("profile"));
    s.gpu_s_per_unit = m.number("gpu_s_per_unit", Range::positive);
    s.price_usd_per_unit = m.number("price_usd_per_unit", Range::non_negative);
    s.ad_revenue_usd_per_unit = m.number_or("ad_revenue_usd_per_unit", 0, Range::non_negative);
    s.slo_s = m.number("slo_s", Range::non_negative);
    s.max_utilization = m.number("max_utilization", Range::fraction);
    return s;
}

BatchSpec parse_batch(const MapReader& m) {
    BatchSpec b;
    b.arrival_rate_per_h = m.number("arrival_rate_per_h", Range::non_negative);
    b.profile = parse_profile(m.optional("profile"));
    if (auto g = m.required("gpus"))
        b.gpus = parse_distribution(*g, Range::positive);
    std::string work_key = m.exactly_one_of({"work_gpu_h", "duration_s"});
    if (!work_key.empty()) {
        b.work_is_duration = work_key == "duration_s";
        b.work = parse_distribution(m.optional(work_key), Range::positive);
    }
    std::string value_key = m.exactly_one_of({"value_usd_per_gpu_h", "value_usd_per_job"});
    if (value_key == "value_usd_per_job") {
        b.value_basis = BatchSpec::Value::per_job;
        b.value_usd_per_job = m.number(value_key, Range::non_negative);
    } else if (!value_key.empty()) {
        b.value_basis = BatchSpec::Value::per_gpu_h;
        b.value_usd_per_gpu_h = m.number(value_key, Range::non_negative);
    }
    b.preemptible = m.boolean_or("preemptible", false);
    b.checkpoint_interval_s = m.number_or("checkpoint_interval_s", 0, Range::non_negative);
    b.restart_cost_s = m.number_or("restart_cost_s", 0, Range::non_negative);
    b.max_jobs = m.integer_or("max_jobs", -1, Range::any);
    if (b.max_jobs < -1)
        m.optional("max_jobs")
            .fail("expected -1 (no limit) or a count >= 0, found " + std::to_string(b.max_jobs));
    return b;
}

WorkloadSpec parse_workload(const YamlValue& v, const PlatformSpec& platform) {
    WorkloadSpec w;
    w.file = v.file();
    MapReader m(v, keys_of("workload."));
    if (!m.ok())
        return w;
    w.name = m.text("name");
    std::vector<std::string> pool_names;
    for (const auto& p : platform.pools)
        pool_names.push_back(p.name);
    auto classes = m.required("classes");
    if (!classes)
        return w;
    for (const auto& [name, cv] : classes->entries()) {
        check_name(name, cv);
        if (!cv.is_map()) {
            cv.fail("expected a mapping, found " + cv.found());
            continue;
        }
        // The kind decides which keys are allowed, so read it before checking the others.
        std::string kind = "service";
        if (cv.child("kind").defined())
            kind = cv.child("kind").choice(kKinds).value_or("service");
        std::vector<std::string> allowed = keys_of("workload.classes.<class>.");
        const auto& extra = keys_of("workload.classes.<class>.", "kind: " + kind);
        allowed.insert(allowed.end(), extra.begin(), extra.end());
        MapReader r(cv, allowed);
        WorkloadClassSpec c;
        c.name = name;
        c.family = r.choice("family", kFamilies) == "video" ? Family::video : Family::llm;
        c.kind = r.choice("kind", kKinds) == "batch" ? Kind::batch : Kind::service;
        if (r.has("pools")) {
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
        if (c.kind == Kind::service) {
            c.service = parse_service(r);
        } else {
            c.batch = parse_batch(r);
        }
        w.classes.push_back(c);
    }
    if (classes->is_map() && w.classes.empty())
        classes->fail("expected at least one workload class, found none");
    return w;
}

// ---- policy ----------------------------------------------------------------------------------

ParamValue to_param(const YamlValue& v) {
    ParamValue p;
    p.where = v.where();
    p.path = v.path();
    if (v.is_map()) {
        ParamValue::Map map;
        for (const auto& [k, child] : v.entries())
            map.emplace(k, to_param(child));
        p.value = std::move(map);
    } else if (v.is_sequence()) {
        ParamValue::List list;
        for (const auto& e : v.elements())
            list.push_back(to_param(e));
        p.value = std::move(list);
    } else if (v.is_scalar()) {
        p.value = v.node().Scalar();
    }
    return p;
}

PolicySpec parse_policy(const YamlValue& v) {
    PolicySpec p;
    if (v.is_scalar()) {  // "policy: fifo" is short for "policy: {name: fifo}"
        p.name = v.text().value_or("");
        p.name_where = v.where();
        p.params.value = ParamValue::Map{};
        p.params.where = v.where();
        p.params.path = v.path() + ".params";
        return p;
    }
    MapReader m(v, keys_of("policy."));
    if (!m.ok())
        return p;
    p.name = m.text("name");
    p.name_where = m.optional("name").where();
    YamlValue params = m.optional("params");
    if (params.defined()) {
        if (!params.is_map())
            params.fail("expected a mapping of parameters, found " + params.found());
        p.params = to_param(params);
    } else {
        p.params.value = ParamValue::Map{};
        p.params.where = v.where();
        p.params.path = params.path();
    }
    if (!std::holds_alternative<ParamValue::Map>(p.params.value))
        p.params.value = ParamValue::Map{};
    return p;
}

}  // namespace

const std::vector<KeyGroup>& accepted_keys() {
    static const std::vector<KeyGroup> groups = {
        {"",
         "",
         {"name", "description", "platform", "workload", "policy", "horizon_s", "seed", "tick_s",
          "output", "engine"}},
        {"output.", "", {"dir", "timeseries_interval_s", "jobs_csv"}},
        {"engine.", "", {"energy_plugin"}},
        {"policy.", "", {"name", "params"}},
        {"platform.",
         "",
         {"name", "description", "reference_gpu_type", "gpu_types", "sites", "pools"}},
        {"platform.gpu_types.<gpu_type>.",
         "",
         {"dense_bf16_tflops", "memory_gb", "power_idle_w", "power_busy_w", "capex_usd",
          "amortization_years", "description"}},
        {"platform.sites.<site>.",
         "",
         {"energy_usd_per_kwh", "pue", "overhead_usd_per_gpu_h", "subsidy_usd_per_gpu_h",
          "description"}},
        {"platform.pools.<pool>.",
         "",
         {"site", "gpu_type", "nodes", "gpus_per_node", "nodes_per_rack", "intra_node_gbps",
          "inter_node_gbps", "description"}},
        {"workload.", "", {"name", "description", "classes"}},
        {"workload.classes.<class>.", "", {"family", "kind", "pools", "description"}},
        {"workload.classes.<class>.",
         "kind: service",
         {"unit", "demand_units_per_s", "profile", "gpu_s_per_unit", "price_usd_per_unit",
          "ad_revenue_usd_per_unit", "slo_s", "max_utilization"}},
        {"workload.classes.<class>.",
         "kind: batch",
         {"arrival_rate_per_h", "profile", "gpus", "work_gpu_h", "duration_s",
          "value_usd_per_gpu_h", "value_usd_per_job", "preemptible", "checkpoint_interval_s",
          "restart_cost_s", "max_jobs"}},
        {"workload.classes.<class>.profile.",
         "",
         {"shape", "amplitude", "peak_h", "points", "period_s"}},
        {"workload.classes.<class>.<distribution>.",
         "",
         {"dist", "value", "mean", "sigma", "low", "high", "values", "weights"}},
    };
    return groups;
}

Override parse_override(const std::string& text) {
    auto eq = text.find('=');
    const SourceSpan where{"<command line: --set " + text + ">", 0, 0};
    if (eq == std::string::npos)
        throw InputError(where, "", "expected KEY=VALUE, found no '='");
    Override o{text.substr(0, eq), text.substr(eq + 1)};
    if (o.key.empty())
        throw InputError(where, "", "expected KEY=VALUE, found an empty key");
    // An empty value would parse as YAML null and surface later as a "missing" key of the
    // scenario file, blaming the wrong place.
    if (o.value.find_first_not_of(" \t") == std::string::npos)
        throw InputError(where, o.key,
                         "expected KEY=VALUE, found no value after '=' (an empty text is "
                         "KEY='\"\"')");
    return o;
}

ScenarioSpec load_scenario(const std::string& path,
                           const std::vector<Override>& overrides,
                           Diagnostics& diagnostics) {
    YAML::Node root = load_source(path);
    if (!root.IsMap()) {
        throw InputError(SourceSpan{path, 1, 1}, "",
                         "expected a scenario mapping, found " +
                             std::string(root.IsNull() ? "an empty file" : "something else"));
    }
    auto log = std::make_shared<OverrideLog>();

    // Scenario-level overrides first: they may name another platform or workload file.
    std::vector<const Override*> platform_sets, workload_sets;
    for (const auto& o : overrides) {
        auto parts = split_dots(o.key);
        const bool into_platform = parts.front() == "platform" && parts.size() > 1;
        const bool into_workload = parts.front() == "workload" && parts.size() > 1;
        if (into_platform) {
            platform_sets.push_back(&o);
        } else if (into_workload) {
            workload_sets.push_back(&o);
        } else {
            set_in_tree(root, parts, 0, o);  // creates output / engine when the file has none
        }
        (*log)[o.key] = o.key + "=" + o.value;
    }

    // Sub-files: a string names a file relative to the scenario; a mapping is inline.
    auto load_part = [&](const char* key, std::string& file) -> YAML::Node {
        YAML::Node node = root[key];
        if (node && node.IsScalar()) {
            YamlValue at(node, path, key, &diagnostics, log);
            file = resolve_relative(path, node.Scalar());
            try {
                return load_source(file);
            } catch (const InputError& e) {
                // Name both the missing file and the key that names it.
                SourceSpan where = e.where().line > 0 ? e.where() : at.where();
                throw InputError(where, key,
                                 e.where().line > 0 ? e.message()
                                                    : "cannot open '" + file + "': " + e.message());
            }
        }
        file = path;
        return node;
    };
    std::string platform_file, workload_file;
    YAML::Node platform_node = load_part("platform", platform_file);
    YAML::Node workload_node = load_part("workload", workload_file);
    for (const auto* o : platform_sets) {
        if (!platform_node.IsMap())
            break;
        set_in_tree(platform_node, split_dots(o->key), 1, *o);
    }
    for (const auto* o : workload_sets) {
        if (!workload_node.IsMap())
            break;
        set_in_tree(workload_node, split_dots(o->key), 1, *o);
    }

    ScenarioSpec s;
    s.file = path;
    YamlValue top(root, path, "", &diagnostics, log);
    MapReader m(top, keys_of(""));
    s.name = m.text("name");
    check_name(s.name, m.optional("name"));
    s.description = m.text_or("description", "");
    if (m.required("platform"))
        s.platform =
            parse_platform(YamlValue(platform_node, platform_file, "platform", &diagnostics, log));
    if (m.required("workload"))
        s.workload = parse_workload(
            YamlValue(workload_node, workload_file, "workload", &diagnostics, log), s.platform);
    if (auto p = m.required("policy"))
        s.policy = parse_policy(*p);
    s.horizon_s = m.number("horizon_s", Range::positive);
    s.seed = static_cast<std::uint64_t>(m.integer("seed", Range::non_negative));
    s.tick_s = m.number_or("tick_s", 300, Range::positive);
    if (s.tick_s > s.horizon_s && s.horizon_s > 0)
        m.optional("tick_s").fail("expected tick_s <= horizon_s (" +
                                  fmt::format("{:g}", s.horizon_s) + "), found " +
                                  fmt::format("{:g}", s.tick_s));
    // Every tick settles the services and calls the policy: a tick far too short for the
    // horizon is a run that never ends in practice, refused here rather than left to hang.
    constexpr double kMaxTicks = 1e7;
    if (s.tick_s > 0 && s.horizon_s / s.tick_s > kMaxTicks)
        m.optional("tick_s").fail(fmt::format(
            "expected at most {:.0f} ticks (horizon_s / tick_s), found {:.4g}: raise tick_s or "
            "shorten horizon_s",
            kMaxTicks, s.horizon_s / s.tick_s));
    s.output.dir = "results/" + s.name;
    if (m.has("output")) {
        MapReader o(m.optional("output"), keys_of("output."));
        s.output.dir = o.text_or("dir", s.output.dir);
        s.output.timeseries_interval_s =
            o.number_or("timeseries_interval_s", 3600, Range::positive);
        s.output.jobs_csv = o.boolean_or("jobs_csv", true);
    }
    {
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
    if (m.has("engine")) {
        MapReader e(m.optional("engine"), keys_of("engine."));
        s.energy_plugin = e.boolean_or("energy_plugin", false);
    }

    // What actually ran: the scenario after --set, with platform and workload inlined.
    YAML::Node resolved = YAML::Clone(root);
    resolved["platform"] = platform_node;
    resolved["workload"] = workload_node;
    YAML::Emitter out;
    out << resolved;
    s.resolved_yaml = std::string(out.c_str()) + "\n";
    diagnostics.throw_if_any();
    return s;
}

}  // namespace fleetsim
