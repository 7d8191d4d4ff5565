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
#include <optional>
#include <unordered_map>

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
    s.where = v.where();
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
std::vector<SweptValue> parse_values(const YamlValue& v, bool distinct = false) {
    std::vector<SweptValue> out;
    if (v.is_sequence()) {
        std::unordered_map<std::string, int> first_line;
        for (const auto& e : v.elements()) {
            out.push_back(value_from_yaml(e));
            // Two equal values make two equal points, which the database refuses.
            const auto [it, fresh] =
                first_line.emplace(out.back().override_text, out.back().where.line);
            if (distinct && !fresh)
                e.fail(fmt::format("expected distinct values, found {} twice (first at line {})",
                                   out.back().override_text, it->second));
        }
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
    if (static_cast<double>(count) > kMaxPoints) {
        // Checked before the values are made: count: 1e12 would fill memory first.
        m.optional("count").fail(fmt::format(
            "expected a count of at most {:.0f} (points), found {}", kMaxPoints, count));
        return out;
    }
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
        out.back().where = v.where();
        if (distinct && out.size() > 1 &&
            out.back().override_text == out[out.size() - 2].override_text) {
            // Rounding (integer, digits) can make neighbours equal: two equal points.
            v.fail(
                fmt::format("expected distinct values, found {} twice once rounded: fewer "
                            "values (count), more digits, or integer: false",
                            out.back().override_text));
            out.clear();
            return out;
        }
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
    SourceSpan where;

    SweptValue at_u(double u) const {
        SweptValue v = value_at(u);
        if (choices.empty())
            v.where = where;  // a listed value keeps the line it is written on
        return v;
    }

    SweptValue value_at(double u) const {
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
    s.where = v.where();
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
    enum class Kind { grid, zip, sample, one_at_a_time };
    Kind kind = Kind::grid;
    std::vector<std::size_t> keys;
    std::vector<std::vector<SweptValue>> rows;
    std::vector<SweptValue> base;  ///< one_at_a_time: each key's base value
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
        b.kind = Block::Kind::grid;
        std::vector<std::vector<SweptValue>> columns;
        for (const auto& [key, values] : v.entries()) {
            b.keys.push_back(add_key(key, values, true));
            // In a grid a value listed twice always makes equal points; a zip's column may
            // repeat one (the same params for two policies) as long as its rows differ.
            columns.push_back(parse_values(values, /*distinct=*/true));
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
        b.kind = Block::Kind::zip;
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
        b.kind = Block::Kind::sample;
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

    /**
     * One at a time around a base setting: the row of every key at its base, then, key by key,
     * a row per other value of that key with the rest at their bases.
     */
    Block one_at_a_time(const YamlValue& v) {
        Block b;
        b.kind = Block::Kind::one_at_a_time;
        std::vector<std::vector<SweptValue>> moves;
        for (const auto& [key, spec] : v.entries()) {
            b.keys.push_back(add_key(key, spec, true));
            MapReader m(spec, {"base", "values"});
            SweptValue base;
            std::vector<SweptValue> moved;
            if (m.ok()) {
                const auto base_value = m.required("base");
                const auto values = m.required("values");
                if (base_value)
                    base = value_from_yaml(*base_value);
                if (values) {
                    for (auto& x : parse_values(*values)) {
                        const bool seen =
                            x.override_text == base.override_text ||
                            std::any_of(moved.begin(), moved.end(), [&](const SweptValue& y) {
                                return y.override_text == x.override_text;
                            });
                        if (!seen)
                            moved.push_back(std::move(x));
                    }
                    if (moved.empty())
                        values->fail("expected at least one value other than the base " +
                                     base.override_text + ", found none");
                }
            }
            b.base.push_back(base);
            moves.push_back(std::move(moved));
        }
        if (b.keys.empty()) {
            v.fail("expected at least one key, found an empty mapping");
            return b;
        }
        b.rows.push_back(b.base);
        for (std::size_t k = 0; k < moves.size(); ++k) {
            for (const auto& x : moves[k]) {
                std::vector<SweptValue> row = b.base;
                row[k] = x;
                b.rows.push_back(std::move(row));
            }
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

/** Where a setting's problem belongs in the sweep file: the value of the swept key it names. */
std::optional<SourceSpan> value_location(const SweepPlan& plan,
                                         const SweepPoint& point,
                                         const InputError& e) {
    for (std::size_t k = 0; k < plan.keys.size(); ++k) {
        const std::string& key = plan.keys[k];
        // The key itself, something inside it (policy.params.shares.chat for policy.params), or
        // a mapping above it (policy for policy.name: the policy as a whole failed).
        const bool inside = e.key() == key || e.key().rfind(key + ".", 0) == 0 ||
                            (!e.key().empty() && key.rfind(e.key() + ".", 0) == 0);
        if (inside && !point.values[k].where.file.empty())
            return point.values[k].where;
    }
    return std::nullopt;
}

/** "price=0.05, policy.name=fifo": a setting's values, for messages. */
std::string setting_text(const SweepPlan& plan, const SweepPoint& point) {
    std::string out;
    for (std::size_t k = 0; k < plan.keys.size(); ++k)
        out += (out.empty() ? "" : ", ") + plan.keys[k] + "=" + point.values[k].override_text;
    return out;
}

/**
 * Loads every setting (a point without its seed) as its point would be loaded, and checks it
 * with `check` (the policy's name and parameters): a value the scenario rejects would fail
 * every point of its setting, so it stops the sweep here, before anything runs. Each problem
 * is reported once, at the line of the swept value that causes it (or at `vary` when no one
 * value does), with a setting that shows it.
 */
void check_settings(const SweepPlan& plan, const ScenarioCheck& check, const YamlValue& top) {
    std::vector<InputError> problems;
    std::map<std::string, bool> reported;
    std::map<std::string, bool> seen_settings;
    for (const auto& point : plan.points) {
        std::string identity;
        for (const auto& v : point.values)
            identity += v.override_text + '\x1f';
        if (!seen_settings.try_emplace(identity, true).second)
            continue;
        Diagnostics all(/*collect_all=*/true);
        std::vector<InputError> errors;
        try {
            const ScenarioSpec spec = load_scenario(plan.base, plan.overrides(point), all);
            if (check)
                check(spec);
        } catch (const InputErrors& e) {
            errors = e.errors();
        } catch (const InputError& e) {
            errors = all.errors();
            errors.push_back(e);
        }
        for (const auto& e : errors) {
            const auto at = value_location(plan, point, e);
            const YamlValue vary = top.child("vary");
            const SourceSpan where = at ? *at : vary.defined() ? vary.where() : top.where();
            const std::string& key = e.key();
            const std::string id = fmt::format("{}:{}:{}\x1f{}\x1f{}", where.file, where.line,
                                               where.column, key, e.message());
            if (!reported.try_emplace(id, true).second)
                continue;
            problems.emplace_back(where, key,
                                  fmt::format("{} (the setting {}: every point of it would fail)",
                                              e.message(), setting_text(plan, point)));
        }
    }
    if (problems.size() == 1)
        throw problems.front();
    if (!problems.empty())
        throw InputErrors(std::move(problems));
}

/** The block index of every swept key. */
std::vector<std::size_t> key_blocks(const std::vector<Block>& blocks, std::size_t keys) {
    std::vector<std::size_t> out(keys, 0);
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        for (auto k : blocks[b].keys)
            out[k] = b;
    }
    return out;
}

/**
 * `baseline`: swept keys and one of each one's values (docs/sweeps.md, "Statistics"). Without
 * it, a swept policy.name's first value is the baseline; `baseline: {}` asks for none.
 */
void read_analysis(const MapReader& m, const std::vector<Block>& blocks, SweepPlan& plan) {
    const auto block_of = key_blocks(blocks, plan.keys.size());
    auto values_of = [&](std::size_t k) {
        std::vector<const SweptValue*> out;
        for (const auto& row : blocks[block_of[k]].rows) {
            const std::size_t pos = static_cast<std::size_t>(
                std::find(blocks[block_of[k]].keys.begin(), blocks[block_of[k]].keys.end(), k) -
                blocks[block_of[k]].keys.begin());
            if (std::none_of(out.begin(), out.end(), [&](const SweptValue* v) {
                    return v->override_text == row[pos].override_text;
                }))
                out.push_back(&row[pos]);
        }
        return out;
    };
    Analysis& a = plan.analysis;
    if (m.has("baseline")) {
        const YamlValue baseline = m.optional("baseline");
        if (baseline.defined() && !baseline.is_map())
            baseline.fail("expected a mapping of swept keys to one of their values, found " +
                          baseline.found());
        for (const auto& [key, value] : baseline.entries()) {
            const auto it = std::find(plan.keys.begin(), plan.keys.end(), key);
            if (it == plan.keys.end()) {
                const std::string hint = nearest_name(key, plan.keys);
                value.fail("expected a swept key, found '" + key + "'" +
                           (hint.empty() ? std::string() : ", did you mean '" + hint + "'?"));
                continue;
            }
            const auto k = static_cast<std::size_t>(it - plan.keys.begin());
            if (blocks[block_of[k]].kind == Block::Kind::sample) {
                value.fail(
                    "expected a key of a grid, zip or one_at_a_time block: a sampled "
                    "key's values are drawn, so no setting but one would have a baseline");
                continue;
            }
            const SweptValue wanted = value_from_yaml(value);
            std::string list;
            const SweptValue* match = nullptr;
            for (const SweptValue* v : values_of(k)) {
                list += (list.empty() ? "" : ", ") + v->override_text;
                if (v->override_text == wanted.override_text)
                    match = v;
            }
            if (match == nullptr) {
                value.fail("expected one of the values of " + key + " (" + list + "), found " +
                           wanted.override_text);
                continue;
            }
            a.baseline[k] = match->csv_text();
        }
    } else {
        // Policies are what a sweep most often compares: the first one is the baseline.
        const auto it = std::find(plan.keys.begin(), plan.keys.end(), "policy.name");
        if (it != plan.keys.end() && !plan.points.empty()) {
            const auto k = static_cast<std::size_t>(it - plan.keys.begin());
            if (blocks[block_of[k]].kind != Block::Kind::sample)
                a.baseline[k] = plan.points.front().values[k].csv_text();
        }
    }
    // Keys zipped with a baseline key take the values that go with the baseline's.
    for (const auto& [k, v] : a.baseline) {
        const Block& b = blocks[block_of[k]];
        if (b.kind != Block::Kind::zip)
            continue;
        for (auto other : b.keys) {
            if (a.baseline.count(other) == 0 &&
                std::find(a.baseline_follows.begin(), a.baseline_follows.end(), other) ==
                    a.baseline_follows.end())
                a.baseline_follows.push_back(other);
        }
    }
    std::sort(a.baseline_follows.begin(), a.baseline_follows.end());
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const Block& b = blocks[i];
        if (b.kind != Block::Kind::one_at_a_time && b.kind != Block::Kind::sample)
            continue;
        Design d;
        d.kind = b.kind == Block::Kind::sample ? Design::Kind::sample : Design::Kind::one_at_a_time;
        d.block = i;
        d.keys = b.keys;
        for (const auto& v : b.base)
            d.base.push_back(v.csv_text());
        a.designs.push_back(std::move(d));
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

std::string SweptValue::csv_text() const {
    switch (kind) {
        case Kind::integer:
            return std::to_string(integer);
        case Kind::real:
            return fmt::format("{}", real);  // as the CSV module writes a double
        case Kind::text:
            break;
    }
    return text;
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
    // Absolute: the database and sweep.json say where the sweep came from, wherever they are
    // read (a merged folder, a copy).
    plan.base = base.rfind("builtin:", 0) == 0 || fs::path(base).is_absolute()
                    ? base
                    : (fs::absolute(path).parent_path() / base).lexically_normal().generic_string();
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
        std::map<std::uint64_t, int> first_line;
        for (const auto& e : list.elements()) {
            const auto seed_value =
                static_cast<std::uint64_t>(e.integer(Range::non_negative).value_or(0));
            const auto [it, fresh] = first_line.emplace(seed_value, e.where().line);
            if (!fresh) {
                // Two equal seeds make two equal points, which the database refuses.
                e.fail(fmt::format("expected distinct seeds, found {} twice (first at line {})",
                                   seed_value, it->second));
                continue;
            }
            seeds.push_back(seed_value);
        }
        if (list.is_sequence() && seeds.empty())
            list.fail("expected at least one seed, found an empty list");
    } else {
        const long long replications = m.integer_or("replications", 1, Range::positive);
        if (static_cast<double>(replications) > kMaxPoints) {
            // Checked before the seeds are made: replications: 1e12 would fill memory first.
            m.optional("replications")
                .fail(fmt::format("expected at most {:.0f} replications (points), found {}",
                                  kMaxPoints, replications));
            return seeds;
        }
        // Replication r runs with seed + r: every parameter combination sees the same seeds
        // (common random numbers), so differences between points are not sampling noise.
        for (long long r = 0; r < replications; ++r)
            seeds.push_back(seed + static_cast<std::uint64_t>(r));
    }
    return seeds;
}

/** `vary`: one block of rows per entry, each exactly one of grid, zip, sample and
 * one_at_a_time. */
std::vector<Block> read_vary(const MapReader& m, PlanBuilder& builder, std::uint64_t seed) {
    std::vector<Block> blocks;
    if (!m.has("vary"))
        return blocks;
    std::size_t index = 0;
    for (const auto& entry : m.optional("vary").elements()) {
        MapReader e(entry, {"grid", "zip", "sample", "one_at_a_time"});
        if (!e.ok())
            continue;
        const std::string kind = e.exactly_one_of({"grid", "zip", "sample", "one_at_a_time"});
        if (kind == "grid")
            blocks.push_back(builder.grid(e.optional("grid")));
        else if (kind == "zip")
            blocks.push_back(builder.zip(e.optional("zip")));
        else if (kind == "sample")
            blocks.push_back(builder.sample(e.optional("sample"), seed, index));
        else if (kind == "one_at_a_time")
            blocks.push_back(builder.one_at_a_time(e.optional("one_at_a_time")));
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
    std::string base_identity = all;
    for (const auto& o : plan.fixed)
        base_identity += "set " + o.key + "=" + o.value + "\n";
    plan.base_fingerprint = hex16(fnv1a64(base_identity));
    long long id = 0;
    std::unordered_map<std::string, long long> keys_seen;
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
            if (const auto [it, fresh] = keys_seen.emplace(p.point_key, p.id); !fresh) {
                // Blocks that vary one key twice, or a sample drawing one integer twice:
                // refused here, where the file says it, not by the database's UNIQUE key.
                const SourceSpan where =
                    values.empty() ? SourceSpan{plan.sweep_file, 0, 0} : values.back().where;
                throw InputError(where, values.empty() ? "" : plan.keys.back(),
                                 fmt::format("expected distinct points, found point {} equal "
                                             "to point {} (the same values and seed)",
                                             p.id, it->second));
            }
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
    static const std::vector<std::string> keys = {
        "name",  "description", "base", "seed",     "replications",
        "seeds", "set",         "vary", "baseline", "keep_point_outputs"};
    return keys;
}

SweepPlan load_sweep(const std::string& path, const ScenarioCheck& check) {
    Diagnostics diagnostics;
    SweepPlan plan;
    plan.sweep_file = std::filesystem::absolute(path).lexically_normal().generic_string();
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
    read_analysis(m, blocks, plan);
    check_settings(plan, check, top);
    return plan;
}

}  // namespace fleetsim::sweep
