#include "sim/sweep/sweep_spec.hpp"

#include "sim/config/yaml_reader.hpp"
#include "sim/generators/random.hpp"
#include "sim/schema/schema.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <numeric>

namespace fleetsim::sweep {
namespace {

// A sweep far past this is almost surely a typo in a count, and its plan would not fit in memory.
constexpr double kMaxPoints = 10'000'000;

std::uint64_t fnv1a64(const std::string& text, std::uint64_t h = 1469598103934665603ULL) {
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

std::string hex16(std::uint64_t v) {
    return fmt::format("{:016x}", v);
}

// Generated numbers keep 12 significant digits unless told otherwise: 0.1 + 0.2 reads 0.3.
constexpr long long kDefaultDigits = 12;

/** A generated number rounded to `digits` significant digits. */
double tidy(double v, long long digits) {
    return std::stod(fmt::format("{:.{}g}", v, static_cast<int>(digits)));
}

/** The `digits` key of a range or a sampled key: significant digits kept, 1 to 17. */
long long read_digits(const MapReader& m) {
    const long long digits = m.integer_or("digits", kDefaultDigits, Range::positive);
    if (digits > 17)
        m.optional("digits").fail(fmt::format("expected at most 17 digits, found {}", digits));
    return digits;
}

SweptValue real_value(double v) {
    SweptValue s;
    s.kind = SweptValue::Kind::real;
    s.real = v;
    s.override_text = fmt::format("{}", v);
    return s;
}

SweptValue integer_value(long long v) {
    SweptValue s;
    s.kind = SweptValue::Kind::integer;
    s.integer = v;
    s.override_text = std::to_string(v);
    return s;
}

/** A value written in the sweep file, typed as YAML would read it. */
SweptValue value_from_yaml(const YamlValue& v) {
    SweptValue s;
    const YAML::Node& node = v.node();
    if (!v.defined()) {
        v.fail("expected a value, found nothing");
        return s;
    }
    if (!node.IsScalar()) {
        YAML::Emitter out;
        out.SetMapFormat(YAML::Flow);
        out.SetSeqFormat(YAML::Flow);
        out << node;
        s.text = out.c_str();
        s.override_text = s.text;
        return s;
    }
    const std::string& text = node.Scalar();
    if (node.Tag() == "!") {
        // A quoted scalar stays a string: pass it quoted so that '1' is not read as a number.
        YAML::Emitter out;
        out << YAML::DoubleQuoted << text;
        s.text = text;
        s.override_text = out.c_str();
        return s;
    }
    s.override_text = text;
    const char* first = text.data() + (text.rfind('+', 0) == 0 ? 1 : 0);
    const char* last = text.data() + text.size();
    long long i = 0;
    if (auto [p, ec] = std::from_chars(first, last, i); ec == std::errc() && p == last) {
        s.kind = SweptValue::Kind::integer;
        s.integer = i;
        return s;
    }
    double d = 0;
    if (auto [p, ec] = std::from_chars(first, last, d);
        ec == std::errc() && p == last && std::isfinite(d)) {
        s.kind = SweptValue::Kind::real;
        s.real = d;
        return s;
    }
    s.text = text;
    return s;
}

/** A list of values, or {from, to, count, scale, integer}: evenly spaced values. */
std::vector<SweptValue> parse_values(const YamlValue& v) {
    std::vector<SweptValue> out;
    if (v.is_sequence()) {
        for (const auto& e : v.elements())
            out.push_back(value_from_yaml(e));
        if (out.empty())
            v.fail("expected at least one value, found an empty list");
        return out;
    }
    if (!v.is_map()) {
        v.fail("expected a list of values or a range {from, to, count}, found " + v.found());
        return out;
    }
    MapReader m(v, {"from", "to", "count", "scale", "integer", "digits"});
    if (!m.ok())
        return out;
    const double from = m.number("from");
    const double to = m.number("to");
    const long long count = m.integer("count", Range::positive);
    const std::string scale = m.choice_or("scale", {"linear", "log"}, "linear");
    const bool integer = m.boolean_or("integer", false);
    const long long digits = read_digits(m);
    if (scale == "log" && (from <= 0 || to <= 0)) {
        m.value().fail(
            fmt::format("expected from > 0 and to > 0 with scale: log, found {} and {}", from, to));
        return out;
    }
    for (long long i = 0; i < count; ++i) {
        const double f = count == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(count - 1);
        double x = scale == "log" ? from * std::pow(to / from, f) : from + (to - from) * f;
        if (i == count - 1)
            x = to;  // no rounding drift at the end of the range
        out.push_back(integer ? integer_value(std::llround(x)) : real_value(tidy(x, digits)));
    }
    return out;
}

/** A column of values drawn for one sampled key: uniform numbers u in (0, 1) mapped to it. */
struct SampledKey {
    double low = 0, high = 0;
    bool log_scale = false;
    bool integer = false;
    long long digits = kDefaultDigits;
    std::vector<SweptValue> choices;  ///< categorical when not empty

    SweptValue at_u(double u) const {
        if (!choices.empty()) {
            auto i = static_cast<std::size_t>(u * static_cast<double>(choices.size()));
            return choices[std::min(i, choices.size() - 1)];
        }
        if (integer) {
            // Every integer of [low, high] equally likely (or equally likely in log space).
            const double x =
                log_scale ? std::exp(std::log(low) + (std::log(high + 1) - std::log(low)) * u)
                          : low + (high - low + 1) * u;
            return integer_value(std::clamp(static_cast<long long>(std::floor(x)),
                                            static_cast<long long>(low),
                                            static_cast<long long>(high)));
        }
        const double x = log_scale ? std::exp(std::log(low) + (std::log(high) - std::log(low)) * u)
                                   : low + (high - low) * u;
        return real_value(tidy(x, digits));
    }
};

SampledKey parse_sampled_key(const YamlValue& v) {
    SampledKey s;
    MapReader m(v, {"low", "high", "scale", "integer", "digits", "values"});
    if (!m.ok())
        return s;
    if (m.has("values")) {
        if (m.has("low") || m.has("high") || m.has("scale") || m.has("integer") || m.has("digits"))
            v.fail("expected either values or low/high, found both");
        auto values = m.optional("values");
        for (const auto& e : values.elements())
            s.choices.push_back(value_from_yaml(e));
        if (values.is_sequence() && s.choices.empty())
            values.fail("expected at least one value, found an empty list");
        return s;
    }
    s.low = m.number("low");
    s.high = m.number("high");
    s.log_scale = m.choice_or("scale", {"linear", "log"}, "linear") == "log";
    s.integer = m.boolean_or("integer", false);
    s.digits = read_digits(m);
    if (s.high < s.low)
        v.fail(fmt::format("expected high >= low, found low {} and high {}", s.low, s.high));
    if (s.log_scale && s.low <= 0)
        v.fail(fmt::format("expected low > 0 with scale: log, found {}", s.low));
    if (s.integer && (s.low != std::floor(s.low) || s.high != std::floor(s.high)))
        v.fail(
            fmt::format("expected whole numbers for low and high with integer: true, found {} "
                        "and {}",
                        s.low, s.high));
    return s;
}

/** One entry of `vary`: rows of (key index, value), every row naming the same keys. */
struct Block {
    std::vector<std::size_t> keys;
    std::vector<std::vector<SweptValue>> rows;
};

class PlanBuilder {
public:
    explicit PlanBuilder(SweepPlan& plan) : plan_(plan) {}

    /** Registers a swept key (or a `set` key when `swept` is false), checking its form. */
    std::size_t add_key(const std::string& key, const YamlValue& at, bool swept) {
        check_key(key, at);
        if (auto it = where_.find(key); it != where_.end()) {
            const SourceSpan first = it->second.where();
            at.fail(
                fmt::format("key '{}' is already named at line {}: a key takes its values "
                            "from one place",
                            key, first.line));
        }
        where_.emplace(key, at);
        if (!swept)
            return 0;
        for (const auto& other : plan_.keys) {
            const bool nested = other.rfind(key + ".", 0) == 0 || key.rfind(other + ".", 0) == 0;
            if (nested)
                at.fail(
                    fmt::format("key '{}' overlaps the swept key '{}': sweep either the "
                                "mapping or the keys inside it",
                                key, other));
        }
        plan_.keys.push_back(key);
        return plan_.keys.size() - 1;
    }

    Block grid(const YamlValue& v) {
        Block b;
        std::vector<std::vector<SweptValue>> columns;
        for (const auto& [key, values] : v.entries()) {
            b.keys.push_back(add_key(key, values, true));
            columns.push_back(parse_values(values));
        }
        if (b.keys.empty()) {
            v.fail("expected at least one key, found an empty mapping");
            return b;
        }
        // Cartesian product, first key outermost.
        std::vector<std::size_t> index(columns.size(), 0);
        if (std::any_of(columns.begin(), columns.end(), [](auto& c) { return c.empty(); }))
            return b;
        guard_count(v, std::accumulate(columns.begin(), columns.end(), 1.0,
                                       [](double n, auto& c) { return n * c.size(); }));
        while (true) {
            std::vector<SweptValue> row;
            for (std::size_t k = 0; k < columns.size(); ++k)
                row.push_back(columns[k][index[k]]);
            b.rows.push_back(std::move(row));
            std::size_t k = columns.size();
            while (k > 0 && ++index[k - 1] == columns[k - 1].size())
                index[--k] = 0;
            if (k == 0)
                break;
        }
        return b;
    }

    Block zip(const YamlValue& v) {
        Block b;
        std::vector<std::vector<SweptValue>> columns;
        std::vector<YamlValue> ats;
        for (const auto& [key, values] : v.entries()) {
            b.keys.push_back(add_key(key, values, true));
            columns.push_back(parse_values(values));
            ats.push_back(values);
        }
        if (b.keys.empty()) {
            v.fail("expected at least one key, found an empty mapping");
            return b;
        }
        for (std::size_t k = 1; k < columns.size(); ++k) {
            if (columns[k].size() != columns[0].size()) {
                ats[k].fail(
                    fmt::format("expected {} values (as many as '{}' has: zip takes them "
                                "side by side), found {}",
                                columns[0].size(), plan_.keys[b.keys[0]], columns[k].size()));
                return b;
            }
        }
        for (std::size_t i = 0; i < columns[0].size(); ++i) {
            std::vector<SweptValue> row;
            for (auto& c : columns)
                row.push_back(c[i]);
            b.rows.push_back(std::move(row));
        }
        return b;
    }

    Block sample(const YamlValue& v, std::uint64_t sweep_seed, std::size_t block_index) {
        Block b;
        MapReader m(v, {"method", "count", "seed", "keys"});
        if (!m.ok())
            return b;
        const std::string method = m.choice("method", {"random", "latin-hypercube"});
        const long long count = m.integer("count", Range::positive);
        const auto seed = static_cast<std::uint64_t>(
            m.integer_or("seed", static_cast<long long>(sweep_seed), Range::non_negative));
        std::vector<SampledKey> keys;
        if (auto k = m.required("keys")) {
            for (const auto& [key, spec] : k->entries()) {
                b.keys.push_back(add_key(key, spec, true));
                keys.push_back(parse_sampled_key(spec));
            }
            if (k->is_map() && keys.empty())
                k->fail("expected at least one key, found an empty mapping");
        }
        if (keys.empty() || count <= 0)
            return b;
        guard_count(v, static_cast<double>(count));
        // The block's own stream: adding or reordering other blocks leaves these draws alone.
        RandomStream stream(seed, "sweep.sample." + std::to_string(block_index));
        const auto n = static_cast<std::size_t>(count);
        std::vector<std::vector<double>> u(keys.size(), std::vector<double>(n));
        if (method == "random") {
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t k = 0; k < keys.size(); ++k)
                    u[k][i] = stream.uniform01();
        } else {
            // Latin hypercube (McKay, Beckman and Conover 1979): each key's range is cut into n
            // equal strata, every stratum is used once, and the strata are paired across keys by
            // an independent random permutation per key.
            for (std::size_t k = 0; k < keys.size(); ++k) {
                std::vector<std::size_t> perm(n);
                std::iota(perm.begin(), perm.end(), 0);
                for (std::size_t i = n; i > 1; --i) {  // Fisher-Yates, written out for portability
                    auto j = static_cast<std::size_t>(stream.uniform01() * static_cast<double>(i));
                    std::swap(perm[i - 1], perm[std::min(j, i - 1)]);
                }
                for (std::size_t i = 0; i < n; ++i)
                    u[k][i] = (static_cast<double>(perm[i]) + stream.uniform01()) /
                              static_cast<double>(n);
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            std::vector<SweptValue> row;
            for (std::size_t k = 0; k < keys.size(); ++k)
                row.push_back(keys[k].at_u(u[k][i]));
            b.rows.push_back(std::move(row));
        }
        return b;
    }

    void guard_count(const YamlValue& at, double n) {
        if (n > kMaxPoints)
            at.fail(fmt::format("expected at most {} points, found {}", kMaxPoints, n));
    }

    const YamlValue* location(const std::string& key) const {
        auto it = where_.find(key);
        return it == where_.end() ? nullptr : &it->second;
    }

private:
    void check_key(const std::string& key, const YamlValue& at) {
        bool well_formed = !key.empty() && key.find('=') == std::string::npos &&
                           key.front() != '.' && key.back() != '.' &&
                           key.find("..") == std::string::npos &&
                           key.find_first_of(" \t\n") == std::string::npos;
        if (!well_formed) {
            at.fail("expected a dotted key like workload.classes.chat.price_usd_per_unit, found '" +
                    key + "'");
            return;
        }
        if (key == "seed")
            at.fail("the seed is set by the sweep's seed, seeds or replications, not as a key");
        if (key == "output" || key == "output.dir")
            at.fail("the sweep chooses each point's output folder: use --out for the sweep's");
        const auto& reserved = reserved_columns();
        if (std::find(reserved.begin(), reserved.end(), key) != reserved.end())
            at.fail("'" + key + "' is a column name the sweep's database reserves");
    }

    SweepPlan& plan_;
    std::map<std::string, YamlValue> where_;
};

/** Checks that every swept key leads somewhere in the base scenario (with `set` applied). */
void check_keys_in_base(const SweepPlan& plan,
                        const std::string& resolved_yaml,
                        const PlanBuilder& builder) {
    const YAML::Node root = YAML::Load(resolved_yaml);
    for (const auto& key : plan.keys) {
        std::vector<std::string> parts;
        std::size_t start = 0;
        while (true) {
            std::size_t dot = key.find('.', start);
            parts.push_back(key.substr(start, dot - start));
            if (dot == std::string::npos)
                break;
            start = dot + 1;
        }
        YAML::Node cur = root;
        std::string walked;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            const bool last = i + 1 == parts.size();
            YAML::Node next;
            bool found = false;
            std::vector<std::string> names;
            if (cur.IsMap()) {
                const YAML::Node& c = cur;
                found = static_cast<bool>(c[parts[i]]);
                if (found)
                    next.reset(c[parts[i]]);
                for (const auto& kv : cur)
                    names.push_back(kv.first.Scalar());
            } else if (cur.IsSequence()) {
                std::size_t idx = 0;
                auto [p, ec] =
                    std::from_chars(parts[i].data(), parts[i].data() + parts[i].size(), idx);
                found =
                    ec == std::errc() && p == parts[i].data() + parts[i].size() && idx < cur.size();
                if (found)
                    next.reset(cur[idx]);
            }
            if (!found) {
                const std::string hint = nearest_name(parts[i], names);
                const std::string msg =
                    fmt::format("the base scenario {} has no key '{}' under '{}'{}", plan.base,
                                parts[i], walked.empty() ? "<top>" : walked,
                                hint.empty() ? " (a swept key's parents must exist: add them to "
                                               "the base or to set)"
                                             : ", did you mean '" + hint + "'?");
                // A missing leaf may be valid (a key left at its default): check_keys_in_schema
                // decides. A missing parent can never be set (scenario_loader's set_in_tree).
                if (!last || !cur.IsMap())
                    builder.location(key)->fail(msg);
                break;
            }
            walked += (walked.empty() ? "" : ".") + parts[i];
            cur.reset(next);
        }
    }
}

/**
 * Loads the base with the first point's overrides and reports a swept key the scenario's schema
 * does not know (a misspelt leaf) at the sweep file: it would fail every point. Problems with
 * the values are left to the points, where they are recorded one by one.
 */
void check_keys_in_schema(const SweepPlan& plan, const PlanBuilder& builder) {
    if (plan.points.empty())
        return;
    Diagnostics all(/*collect_all=*/true);
    std::vector<InputError> errors;
    try {
        load_scenario(plan.base, plan.overrides(plan.points.front()), all);
    } catch (const InputErrors& e) {
        errors = e.errors();
    } catch (const InputError& e) {
        errors = all.errors();
        errors.push_back(e);
    }
    for (const auto& e : errors) {
        if (e.message().rfind("unknown key", 0) == 0 && builder.location(e.key()) != nullptr &&
            std::find(plan.keys.begin(), plan.keys.end(), e.key()) != plan.keys.end())
            builder.location(e.key())->fail(e.message());
    }
}

}  // namespace

const std::vector<std::string>& reserved_columns() {
    // The points table's own columns, the run figures it keeps, and the classes table's: the
    // results view joins them, so a swept key by one of these names would be ambiguous.
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out = {"point_id",  "point_key", "status", "seed", "replication",
                                        "exit_code", "error",     "wall_s", "rank", "class_index"};
        for (const auto& f : point_figures())
            out.push_back(f.column);
        for (auto& c : csv_columns<ClassFigures>())
            out.push_back(std::move(c));
        return out;
    }();
    return names;
}

std::vector<Override> SweepPlan::overrides(const SweepPoint& point) const {
    std::vector<Override> out = fixed;
    for (std::size_t k = 0; k < keys.size(); ++k)
        out.push_back(Override{keys[k], point.values[k].override_text});
    out.push_back(Override{"seed", std::to_string(point.seed)});
    return out;
}

namespace {

/** name, base (relative to the sweep file) and keep_point_outputs. */
void read_header(const MapReader& m, const std::string& path, SweepPlan& plan) {
    namespace fs = std::filesystem;
    plan.name = m.text("name");
    if (plan.name.empty() || plan.name.find_first_of("/\\ \t") != std::string::npos ||
        plan.name.front() == '.')
        m.optional("name").fail("expected a name without spaces or slashes, found '" + plan.name +
                                "'");
    const std::string base = m.text("base");
    plan.base = base.rfind("builtin:", 0) == 0 || fs::path(base).is_absolute()
                    ? base
                    : (fs::path(path).parent_path() / base).lexically_normal().generic_string();
    std::error_code ec;
    if (!base.empty() && base.rfind("builtin:", 0) != 0 && !fs::is_regular_file(plan.base, ec))
        m.optional("base").fail("expected a scenario file, found no file " + plan.base +
                                " (a relative base is read from the sweep file's folder)");
    plan.keep_point_outputs = m.boolean_or("keep_point_outputs", false);
}

/** `set`: the overrides every point shares. */
void read_set(const MapReader& m, PlanBuilder& builder, SweepPlan& plan) {
    if (!m.has("set"))
        return;
    for (const auto& [key, value] : m.optional("set").entries()) {
        builder.add_key(key, value, false);
        plan.fixed.push_back(Override{key, value_from_yaml(value).override_text});
    }
}

/**
 * The base must load with `set` applied; a problem in a `set` value is reported where the
 * sweep file wrote it, not as a command-line override.
 */
ScenarioSpec load_base(const SweepPlan& plan, const PlanBuilder& builder) {
    try {
        Diagnostics base_diagnostics;
        return load_scenario(plan.base, plan.fixed, base_diagnostics);
    } catch (const InputError& e) {
        for (const auto& o : plan.fixed) {
            if (e.where().file.rfind("<command line: --set " + o.key + "=", 0) == 0 ||
                (e.where().line == 0 && e.key() == o.key)) {
                builder.location(o.key)->fail(e.message());
            }
        }
        throw;
    }
}

/** The seeds each combination runs with: `seeds`, or `seed` + r for r < `replications`. */
std::vector<std::uint64_t> read_seeds(const MapReader& m, std::uint64_t seed) {
    std::vector<std::uint64_t> seeds;
    if (m.has("seeds") && m.has("replications")) {
        m.optional("seeds").fail("expected seeds or replications, found both");
    } else if (m.has("seeds")) {
        auto list = m.optional("seeds");
        for (const auto& e : list.elements())
            seeds.push_back(static_cast<std::uint64_t>(e.integer(Range::non_negative).value_or(0)));
        if (list.is_sequence() && seeds.empty())
            list.fail("expected at least one seed, found an empty list");
    } else {
        const long long replications = m.integer_or("replications", 1, Range::positive);
        // Replication r runs with seed + r: every parameter combination sees the same seeds
        // (common random numbers), so differences between points are not sampling noise.
        for (long long r = 0; r < replications; ++r)
            seeds.push_back(seed + static_cast<std::uint64_t>(r));
    }
    return seeds;
}

/** `vary`: one block of rows per entry, each exactly one of grid, zip and sample. */
std::vector<Block> read_vary(const MapReader& m, PlanBuilder& builder, std::uint64_t seed) {
    std::vector<Block> blocks;
    if (!m.has("vary"))
        return blocks;
    std::size_t index = 0;
    for (const auto& entry : m.optional("vary").elements()) {
        MapReader e(entry, {"grid", "zip", "sample"});
        if (!e.ok())
            continue;
        const std::string kind = e.exactly_one_of({"grid", "zip", "sample"});
        if (kind == "grid")
            blocks.push_back(builder.grid(e.optional("grid")));
        else if (kind == "zip")
            blocks.push_back(builder.zip(e.optional("zip")));
        else if (kind == "sample")
            blocks.push_back(builder.sample(e.optional("sample"), seed, index));
        ++index;
    }
    return blocks;
}

/**
 * The points: the product of the blocks (first block outermost), replications innermost so
 * that the replications of one parameter combination are neighbours; and the fingerprint.
 */
void enumerate_points(const std::vector<Block>& blocks,
                      const std::vector<std::uint64_t>& seeds,
                      const std::string& base_resolved_yaml,
                      SweepPlan& plan) {
    std::vector<std::size_t> index(blocks.size(), 0);
    std::string all = std::string(fleetsim_version()) + "\n" + base_resolved_yaml;
    for (const auto& k : plan.keys)
        all += "key " + k + "\n";
    long long id = 0;
    while (true) {
        std::vector<SweptValue> values(plan.keys.size());
        for (std::size_t b = 0; b < blocks.size(); ++b) {
            const auto& row = blocks[b].rows[index[b]];
            for (std::size_t k = 0; k < row.size(); ++k)
                values[blocks[b].keys[k]] = row[k];
        }
        std::string identity;
        for (std::size_t k = 0; k < plan.keys.size(); ++k)
            identity += plan.keys[k] + "=" + values[k].override_text + "\n";
        for (std::size_t r = 0; r < seeds.size(); ++r) {
            SweepPoint p;
            p.id = id++;
            p.values = values;
            p.seed = seeds[r];
            p.replication = static_cast<int>(r);
            p.point_key = hex16(fnv1a64(identity + "seed=" + std::to_string(p.seed)));
            all += p.point_key + "\n";
            plan.points.push_back(std::move(p));
        }
        std::size_t b = blocks.size();
        while (b > 0 && ++index[b - 1] == blocks[b - 1].rows.size())
            index[--b] = 0;
        if (b == 0)
            break;
    }
    for (const auto& o : plan.fixed)
        all += "set " + o.key + "=" + o.value + "\n";
    plan.fingerprint = hex16(fnv1a64(all));
}

}  // namespace

const std::vector<std::string>& sweep_file_keys() {
    static const std::vector<std::string> keys = {"name", "description",  "base",
                                                  "seed", "replications", "seeds",
                                                  "set",  "vary",         "keep_point_outputs"};
    return keys;
}

SweepPlan load_sweep(const std::string& path) {
    Diagnostics diagnostics;
    SweepPlan plan;
    plan.sweep_file = path;
    YamlValue top(load_yaml_file(path, path), path, "", &diagnostics, nullptr);
    MapReader m(top, sweep_file_keys());
    read_header(m, path, plan);
    PlanBuilder builder(plan);
    read_set(m, builder, plan);
    const ScenarioSpec base_spec = load_base(plan, builder);
    const auto seed = static_cast<std::uint64_t>(
        m.integer_or("seed", static_cast<long long>(base_spec.seed), Range::non_negative));
    const std::vector<std::uint64_t> seeds = read_seeds(m, seed);
    const std::vector<Block> blocks = read_vary(m, builder, seed);
    double total = static_cast<double>(seeds.size());
    for (const auto& b : blocks)
        total *= static_cast<double>(b.rows.size());
    builder.guard_count(top, total);
    diagnostics.throw_if_any();
    if (total == 0)
        return plan;
    check_keys_in_base(plan, base_spec.resolved_yaml, builder);
    enumerate_points(blocks, seeds, base_spec.resolved_yaml, plan);
    check_keys_in_schema(plan, builder);
    return plan;
}

}  // namespace fleetsim::sweep
