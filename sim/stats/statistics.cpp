#include "sim/stats/statistics.hpp"

#include "sim/io/csv.hpp"
#include "sim/schema/schema.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace fleetsim::sweep {
namespace {

/** Two-sided 95%: the t quantile at 0.975. A sweep asks for the same few degrees of freedom
 * hundreds of thousands of times, and Boost finds a quantile by iteration: each is kept. */
double t_975(long long dof) {
    thread_local std::map<long long, double> known;
    const auto [it, fresh] = known.try_emplace(dof, 0.0);
    if (fresh)
        it->second = t_quantile(0.5 + kIntervalLevel / 2, dof);
    return it->second;
}

/** The numeric columns of classes.csv, in its order (the output schema's table). */
std::vector<std::string> numeric_class_columns() {
    std::vector<std::string> out;
    for (const auto& f : fields_info<ClassFigures>()) {
        if (f.in_csv() && (f.kind == ValueKind::number || f.kind == ValueKind::count))
            out.emplace_back(f.name);
    }
    return out;
}

/**
 * x_i - the mean of x over its block, for every i. Computed on x minus the block's first value:
 * a block whose values are all equal gives exact zeros (a figure a key does not move gets a
 * slope of exactly 0, not a rounding error), and large values lose fewer digits.
 */
std::vector<double> demeaned(const std::vector<double>& x,
                             const std::vector<std::size_t>& block,
                             std::size_t blocks) {
    std::vector<double> sum(blocks, 0), count(blocks, 0);
    std::vector<std::optional<double>> first(blocks);
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!first[block[i]])
            first[block[i]] = x[i];
        sum[block[i]] += x[i] - *first[block[i]];
        count[block[i]] += 1;
    }
    std::vector<double> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        out[i] = (x[i] - *first[block[i]]) - sum[block[i]] / count[block[i]];
    return out;
}

/** Block labels as 0, 1, ... in order of first appearance; returns how many. */
std::size_t number_blocks(const std::vector<std::string>& labels, std::vector<std::size_t>& out) {
    std::map<std::string, std::size_t> index;
    out.clear();
    for (const auto& l : labels)
        out.push_back(index.try_emplace(l, index.size()).first->second);
    return index.size();
}

Slope slope_with_interval(
    long long n, double b, double variance_factor, double rss, long long dof) {
    Slope s;
    s.n = n;
    s.slope = b;
    if (dof >= 1) {
        const double se = std::sqrt(rss / static_cast<double>(dof) * variance_factor);
        const double half = t_975(dof) * se;
        s.low = b - half;
        s.high = b + half;
    }
    return s;
}

}  // namespace

double t_quantile(double p, long long dof) {
    if (dof < 1)
        throw std::logic_error("t_quantile: dof < 1");
    const boost::math::students_t dist(static_cast<double>(dof));
    return boost::math::quantile(dist, p);
}

Interval t_interval(const std::vector<double>& values) {
    Interval out;
    out.n = static_cast<long long>(values.size());
    if (values.empty())
        return out;
    // On the values minus the first: equal values give their value and an sd of exactly 0
    // (an interval of no width, not one of rounding errors).
    const double first = values.front();
    double sum = 0;
    for (double v : values)
        sum += v - first;
    const double shift = sum / static_cast<double>(values.size());
    out.mean = first + shift;
    if (values.size() < 2)
        return out;
    double ss = 0;
    for (double v : values)
        ss += (v - first - shift) * (v - first - shift);
    const double sd = std::sqrt(ss / static_cast<double>(values.size() - 1));
    out.sd = sd;
    const double half = t_975(out.n - 1) * sd / std::sqrt(static_cast<double>(values.size()));
    out.low = out.mean - half;
    out.high = out.mean + half;
    return out;
}

const char* design_name(Design::Kind kind) {
    return kind == Design::Kind::one_at_a_time ? "one_at_a_time" : "sample";
}

nlohmann::json analysis_to_json(const Analysis& analysis, const std::vector<std::string>& keys) {
    using Json = nlohmann::json;
    Json out = Json::object();
    Json baseline = Json::object();
    for (const auto& [k, v] : analysis.baseline)
        baseline[keys.at(k)] = v;
    out["baseline"] = baseline;
    Json follows = Json::array();
    for (auto k : analysis.baseline_follows)
        follows.push_back(keys.at(k));
    out["baseline_follows"] = follows;
    Json designs = Json::array();
    for (const auto& d : analysis.designs) {
        Json j;
        j["method"] = design_name(d.kind);
        j["block"] = d.block;
        Json dk = Json::array();
        for (auto k : d.keys)
            dk.push_back(keys.at(k));
        j["keys"] = dk;
        j["base"] = d.base;
        designs.push_back(j);
    }
    out["designs"] = designs;
    return out;
}

Analysis analysis_from_json(const nlohmann::json& json, const std::vector<std::string>& keys) {
    auto index = [&](const std::string& key) {
        const auto it = std::find(keys.begin(), keys.end(), key);
        if (it == keys.end())
            throw std::runtime_error("analysis names '" + key + "', which is not a swept key");
        return static_cast<std::size_t>(it - keys.begin());
    };
    Analysis a;
    if (!json.is_object())
        return a;
    if (json.contains("baseline")) {
        for (const auto& [k, v] : json.at("baseline").items())
            a.baseline[index(k)] = v.get<std::string>();
    }
    if (json.contains("baseline_follows")) {
        for (const auto& k : json.at("baseline_follows"))
            a.baseline_follows.push_back(index(k.get<std::string>()));
    }
    if (json.contains("designs")) {
        for (const auto& j : json.at("designs")) {
            Design d;
            const std::string method = j.at("method").get<std::string>();
            if (method != "one_at_a_time" && method != "sample")
                throw std::runtime_error("analysis: unknown design method '" + method + "'");
            d.kind = method == "sample" ? Design::Kind::sample : Design::Kind::one_at_a_time;
            d.block = j.at("block").get<std::size_t>();
            for (const auto& k : j.at("keys"))
                d.keys.push_back(index(k.get<std::string>()));
            d.base = j.at("base").get<std::vector<std::string>>();
            if (d.kind == Design::Kind::one_at_a_time && d.base.size() != d.keys.size())
                throw std::runtime_error("analysis: a one_at_a_time design needs a base per key");
            a.designs.push_back(std::move(d));
        }
    }
    return a;
}

SweepRuns read_sweep_runs(const std::string& points_csv,
                          const std::string& results_csv,
                          const std::vector<std::string>& keys) {
    SweepRuns out;
    out.keys = keys;
    std::map<long long, std::size_t> by_id;
    std::size_t run_figures = 0;
    {
        CsvReader points(points_csv);
        const std::size_t id = points.column("point_id"), status = points.column("status"),
                          seed = points.column("seed"), error = points.column("error");
        std::vector<std::size_t> key_cols;
        for (const auto& k : keys)
            key_cols.push_back(points.column(k));
        for (std::size_t c = error + 1; c < points.header().size(); ++c)
            out.figures.push_back({"", points.header()[c]});
        run_figures = out.figures.size();
        points.for_each_row([&](const CsvRow& row) {
            SweepRun r;
            r.point_id = row.integer(id);
            for (auto c : key_cols)
                r.values.push_back(row.text(c));
            r.seed = row.text(seed);
            r.done = row.text(status) == "done";
            if (r.done) {
                for (std::size_t c = error + 1; c < row.size(); ++c)
                    r.figures.push_back(row.optional_number(c));
            }
            if (!by_id.try_emplace(r.point_id, out.runs.size()).second)
                row.fail(id, "expected each point once, found point " + row.text(id) + " again");
            out.runs.push_back(std::move(r));
        });
    }
    CsvReader results(results_csv);
    const std::size_t id = results.column("point_id"), cls = results.column("class");
    std::vector<std::string> columns;
    std::vector<std::size_t> column_index;
    for (const auto& name : numeric_class_columns()) {
        if (auto c = results.find_column(name)) {
            columns.push_back(name);
            column_index.push_back(*c);
        }
    }
    // Rows are read whole first: the classes (and so the figures) are known only at the end.
    struct ClassRow {
        std::size_t run, cls;
        std::vector<std::optional<double>> values;
    };
    std::vector<ClassRow> rows;
    std::map<std::string, std::size_t> class_index;
    results.for_each_row([&](const CsvRow& row) {
        if (row.text(cls).empty())
            return;  // a failed point: one row without a class
        const auto it = by_id.find(row.integer(id));
        if (it == by_id.end())
            row.fail(id, "expected a point of points.csv, found point " + row.text(id));
        if (!out.runs[it->second].done)
            return;
        auto [c, fresh] = class_index.try_emplace(row.text(cls), out.classes.size());
        if (fresh)
            out.classes.push_back(row.text(cls));
        ClassRow r{it->second, c->second, {}};
        for (auto k : column_index)
            r.values.push_back(row.optional_number(k));
        rows.push_back(std::move(r));
    });
    for (const auto& c : out.classes) {
        for (const auto& f : columns)
            out.figures.push_back({c, f});
    }
    const std::size_t total = out.figures.size();
    for (auto& r : out.runs) {
        if (r.done)
            r.figures.resize(total);
    }
    for (const auto& row : rows) {
        auto& figures = out.runs[row.run].figures;
        for (std::size_t k = 0; k < row.values.size(); ++k)
            figures[run_figures + row.cls * columns.size() + k] = row.values[k];
    }
    return out;
}

std::optional<Slope> blocked_slope(const std::vector<double>& x,
                                   const std::vector<double>& y,
                                   const std::vector<std::string>& block) {
    auto slopes = blocked_slopes({x}, y, block);
    if (!slopes)
        return std::nullopt;
    return slopes->front();
}

std::optional<std::vector<Slope>> blocked_slopes(const std::vector<std::vector<double>>& x,
                                                 const std::vector<double>& y,
                                                 const std::vector<std::string>& block) {
    const std::size_t p = x.size(), n = y.size();
    if (p == 0 || n == 0)
        return std::nullopt;
    std::vector<std::size_t> b;
    const std::size_t blocks = number_blocks(block, b);
    std::vector<std::vector<double>> xd;
    for (const auto& column : x)
        xd.push_back(demeaned(column, b, blocks));
    const std::vector<double> yd = demeaned(y, b, blocks);
    // Normal equations (X'X) beta = X'y on the demeaned data, inverted by Gauss-Jordan with
    // partial pivoting: p is the number of swept keys of one block, a handful.
    std::vector<std::vector<double>> a(p, std::vector<double>(2 * p, 0));
    std::vector<double> xy(p, 0);
    double scale = 0;
    for (std::size_t r = 0; r < p; ++r) {
        for (std::size_t c = 0; c < p; ++c) {
            for (std::size_t i = 0; i < n; ++i)
                a[r][c] += xd[r][i] * xd[c][i];
        }
        a[r][p + r] = 1;
        for (std::size_t i = 0; i < n; ++i)
            xy[r] += xd[r][i] * yd[i];
        scale = std::max(scale, a[r][r]);
    }
    if (!(scale > 0))
        return std::nullopt;
    for (std::size_t c = 0; c < p; ++c) {
        std::size_t pivot = c;
        for (std::size_t r = c + 1; r < p; ++r) {
            if (std::fabs(a[r][c]) > std::fabs(a[pivot][c]))
                pivot = r;
        }
        if (std::fabs(a[pivot][c]) <= 1e-12 * scale)
            return std::nullopt;  // collinear within blocks: no separate slopes
        std::swap(a[c], a[pivot]);
        const double d = a[c][c];
        for (auto& v : a[c])
            v /= d;
        for (std::size_t r = 0; r < p; ++r) {
            if (r == c || a[r][c] == 0)
                continue;
            const double f = a[r][c];
            for (std::size_t k = 0; k < 2 * p; ++k)
                a[r][k] -= f * a[c][k];
        }
    }
    std::vector<double> beta(p, 0);
    for (std::size_t r = 0; r < p; ++r) {
        for (std::size_t c = 0; c < p; ++c)
            beta[r] += a[r][p + c] * xy[c];
    }
    double rss = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double fit = 0;
        for (std::size_t k = 0; k < p; ++k)
            fit += beta[k] * xd[k][i];
        rss += (yd[i] - fit) * (yd[i] - fit);
    }
    const long long dof =
        static_cast<long long>(n) - static_cast<long long>(blocks) - static_cast<long long>(p);
    std::vector<Slope> out;
    for (std::size_t k = 0; k < p; ++k)
        out.push_back(
            slope_with_interval(static_cast<long long>(n), beta[k], a[k][p + k], rss, dof));
    return out;
}

std::vector<double> zero_crossings(const std::vector<double>& x, const std::vector<double>& d) {
    std::vector<double> out;
    for (std::size_t i = 0; i < x.size() && i < d.size(); ++i) {
        if (d[i] == 0) {
            // Where the lines coincide over a stretch (a figure the key does not move) there
            // is no one point where they cross.
            const bool zero_before = i > 0 && d[i - 1] == 0;
            const bool zero_after = i + 1 < x.size() && i + 1 < d.size() && d[i + 1] == 0;
            if (!zero_before && !zero_after)
                out.push_back(x[i]);
            continue;
        }
        if (i + 1 < x.size() && i + 1 < d.size() && d[i + 1] != 0 && (d[i] < 0) != (d[i + 1] < 0))
            out.push_back(x[i] + (x[i + 1] - x[i]) * d[i] / (d[i] - d[i + 1]));
    }
    return out;
}

namespace {

/** The settings of `runs`, and for each run the index of its setting. */
std::vector<Setting> settings_of(const SweepRuns& runs, std::vector<std::size_t>& of_run) {
    std::vector<Setting> out;
    std::map<std::vector<std::string>, std::size_t> index;
    of_run.clear();
    for (const auto& r : runs.runs) {
        auto [it, fresh] = index.try_emplace(r.values, out.size());
        if (fresh) {
            Setting s;
            s.id = static_cast<long long>(out.size());
            s.values = r.values;
            s.first_point = r.point_id;
            out.push_back(std::move(s));
        }
        Setting& s = out[it->second];
        s.points += 1;
        (r.done ? s.done : s.failed) += 1;
        of_run.push_back(it->second);
    }
    return out;
}

/** For every setting, the index of its baseline setting (or nullopt: none, or itself). */
std::vector<std::optional<std::size_t>> baselines_of(const std::vector<Setting>& settings,
                                                     const Analysis& analysis,
                                                     std::size_t keys) {
    std::vector<std::optional<std::size_t>> out(settings.size());
    if (analysis.baseline.empty())
        return out;
    auto bound = [&](std::size_t k) {
        return analysis.baseline.count(k) > 0 ||
               std::find(analysis.baseline_follows.begin(), analysis.baseline_follows.end(), k) !=
                   analysis.baseline_follows.end();
    };
    auto is_baseline = [&](const Setting& s) {
        for (const auto& [k, v] : analysis.baseline) {
            if (s.values.at(k) != v)
                return false;
        }
        return true;
    };
    auto signature = [&](const Setting& s) {
        std::vector<std::string> free;
        for (std::size_t k = 0; k < keys; ++k)
            free.push_back(bound(k) ? std::string() : s.values[k]);
        return free;
    };
    std::map<std::vector<std::string>, std::size_t> baseline_by_signature;
    for (std::size_t i = 0; i < settings.size(); ++i) {
        if (is_baseline(settings[i]))
            baseline_by_signature.try_emplace(signature(settings[i]), i);
    }
    for (std::size_t i = 0; i < settings.size(); ++i) {
        if (is_baseline(settings[i]))
            continue;
        auto it = baseline_by_signature.find(signature(settings[i]));
        if (it != baseline_by_signature.end())
            out[i] = it->second;
    }
    return out;
}

void add_effects(const SweepRuns& runs,
                 const Design& design,
                 std::size_t design_index,
                 std::vector<Effect>& out) {
    auto in_design = [&](std::size_t k) {
        return std::find(design.keys.begin(), design.keys.end(), k) != design.keys.end();
    };
    // Contexts: the values of the keys outside the design, in order of first appearance.
    std::vector<std::vector<std::string>> contexts;
    std::map<std::vector<std::string>, std::size_t> context_index;
    std::vector<std::size_t> context_of;
    for (const auto& r : runs.runs) {
        std::vector<std::string> c;
        for (std::size_t k = 0; k < runs.keys.size(); ++k)
            c.push_back(in_design(k) ? std::string() : r.values[k]);
        auto [it, fresh] = context_index.try_emplace(c, contexts.size());
        if (fresh)
            contexts.push_back(c);
        context_of.push_back(it->second);
    }
    // A key takes part when every value of it parses as a number.
    auto number = [&](const SweepRun& r, std::size_t k) { return parse_number(r.values[k]); };
    for (std::size_t ctx = 0; ctx < contexts.size(); ++ctx) {
        // The runs of the fit for each key: one_at_a_time, where only that key left its base;
        // sample, every run of the context.
        std::vector<std::vector<std::size_t>> members(design.keys.size());
        std::vector<bool> numeric(design.keys.size(), true);
        for (std::size_t i = 0; i < runs.runs.size(); ++i) {
            const SweepRun& r = runs.runs[i];
            if (context_of[i] != ctx)
                continue;
            for (std::size_t j = 0; j < design.keys.size(); ++j) {
                bool member = true;
                if (design.kind == Design::Kind::one_at_a_time) {
                    for (std::size_t o = 0; o < design.keys.size(); ++o) {
                        if (o != j && r.values[design.keys[o]] != design.base[o])
                            member = false;
                    }
                }
                if (!member)
                    continue;
                members[j].push_back(i);
                if (!number(r, design.keys[j]))
                    numeric[j] = false;
            }
        }
        std::vector<std::size_t> fitted;  // design key positions with a slope
        for (std::size_t j = 0; j < design.keys.size(); ++j) {
            if (numeric[j] && !members[j].empty())
                fitted.push_back(j);
        }
        if (fitted.empty())
            continue;
        for (std::size_t f = 0; f < runs.figures.size(); ++f) {
            // One fit per key (one_at_a_time) or one joint fit over the keys (sample).
            const std::size_t fits = design.kind == Design::Kind::sample ? 1 : fitted.size();
            for (std::size_t fit = 0; fit < fits; ++fit) {
                const std::vector<std::size_t> keys_here =
                    design.kind == Design::Kind::sample ? fitted
                                                        : std::vector<std::size_t>{fitted[fit]};
                const std::vector<std::size_t>& rows = members[keys_here.front()];
                std::vector<std::vector<double>> x(keys_here.size());
                std::vector<double> y;
                std::vector<std::string> seeds;
                for (std::size_t i : rows) {
                    const SweepRun& r = runs.runs[i];
                    if (!r.done || !r.figures[f])
                        continue;
                    for (std::size_t q = 0; q < keys_here.size(); ++q)
                        x[q].push_back(*number(r, design.keys[keys_here[q]]));
                    y.push_back(*r.figures[f]);
                    seeds.push_back(r.seed);
                }
                if (y.empty())
                    continue;
                const auto slopes = blocked_slopes(x, y, seeds);
                if (!slopes)
                    continue;
                for (std::size_t q = 0; q < keys_here.size(); ++q) {
                    Effect e;
                    e.design = design_index;
                    e.context = contexts[ctx];
                    e.key = design.keys[keys_here[q]];
                    e.low = *std::min_element(x[q].begin(), x[q].end());
                    e.high = *std::max_element(x[q].begin(), x[q].end());
                    e.figure = f;
                    e.n = (*slopes)[q].n;
                    e.slope = (*slopes)[q].slope;
                    e.slope_low = (*slopes)[q].low;
                    e.slope_high = (*slopes)[q].high;
                    out.push_back(std::move(e));
                }
            }
        }
    }
}

}  // namespace

SweepStatistics compute_statistics(const SweepRuns& runs, const Analysis& analysis) {
    SweepStatistics out;
    std::vector<std::size_t> setting_of;
    out.settings = settings_of(runs, setting_of);
    // The done runs of each setting, in point order.
    std::vector<std::vector<std::size_t>> done(out.settings.size());
    for (std::size_t i = 0; i < runs.runs.size(); ++i) {
        if (runs.runs[i].done)
            done[setting_of[i]].push_back(i);
    }
    for (std::size_t s = 0; s < out.settings.size(); ++s) {
        for (std::size_t f = 0; f < runs.figures.size(); ++f) {
            std::vector<double> values;
            for (std::size_t i : done[s]) {
                if (const auto& v = runs.runs[i].figures[f])
                    values.push_back(*v);
            }
            if (!values.empty())
                out.stats.push_back({s, f, t_interval(values)});
        }
    }
    const auto baselines = baselines_of(out.settings, analysis, runs.keys.size());
    for (std::size_t s = 0; s < out.settings.size(); ++s) {
        if (!baselines[s])
            continue;
        const std::size_t b = *baselines[s];
        std::map<std::string, std::size_t> baseline_run;  // seed -> run
        for (std::size_t i : done[b])
            baseline_run.try_emplace(runs.runs[i].seed, i);
        for (std::size_t f = 0; f < runs.figures.size(); ++f) {
            std::vector<double> d;
            std::map<std::string, bool> seen;
            for (std::size_t i : done[s]) {
                const auto it = baseline_run.find(runs.runs[i].seed);
                if (it == baseline_run.end() || !seen.try_emplace(runs.runs[i].seed, true).second)
                    continue;
                const auto& x = runs.runs[i].figures[f];
                const auto& y = runs.runs[it->second].figures[f];
                if (x && y)
                    d.push_back(*x - *y);
            }
            if (!d.empty())
                out.paired.push_back({s, b, f, t_interval(d)});
        }
    }
    for (std::size_t d = 0; d < analysis.designs.size(); ++d)
        add_effects(runs, analysis.designs[d], d, out.effects);
    return out;
}

}  // namespace fleetsim::sweep
