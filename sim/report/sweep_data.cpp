#include "sim/report/sweep_data.hpp"

#include "sim/config/input_error.hpp"
#include "sim/io/csv.hpp"
#include "sim/report/run_data.hpp"
#include "sim/report/sweep_lines.hpp"
#include "sim/schema/schema.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>

namespace fleetsim {
namespace {

namespace fs = std::filesystem;

/** Sums of one point_id (one replication) over its class rows. */
struct PointRows {
    std::string run;  ///< point_id, seed, replication: what names the run in points.csv too
    std::string point_id;
    std::vector<std::string> values;
    bool failed = false;
    double profit = 0, revenue = 0, cost = 0, opportunity = 0, gpu_h = 0, video_gpu_h = 0;
    bool has_video = false;
};

/** The money figures of one run: its classes' sums, or its totals from points.csv. */
struct RunMoney {
    double profit = 0, revenue = 0, cost = 0, opportunity = 0;
};

/** One run = one (point_id, seed, replication), in results.csv and points.csv alike. */
std::string run_of(const CsvRow& row,
                   std::size_t point,
                   std::optional<std::size_t> seed,
                   std::optional<std::size_t> replication) {
    std::string run = row.text(point);
    for (auto c : {seed, replication})
        run += "\x1f" + (c ? row.text(*c) : std::string());
    return run;
}

/**
 * The totals of every finished run in points.csv (`fleetsim sweep` writes it beside
 * results.csv), by run. A finished run with a missing total is an error naming line and column.
 */
std::map<std::string, RunMoney> read_run_totals(const std::string& path) {
    using S = RunSummary;
    using T = RunTotals;
    CsvReader reader(path);
    const std::size_t point = reader.column("point_id"), status = reader.column("status"),
                      revenue = reader.column(point_column(&S::totals, &T::revenue_usd)),
                      cost = reader.column(point_column(&S::totals, &T::cost_usd)),
                      profit = reader.column(point_column(&S::totals, &T::profit_usd)),
                      opportunity =
                          reader.column(point_column(&S::totals, &T::opportunity_cost_usd));
    const auto seed = reader.find_column("seed"), replication = reader.find_column("replication");
    std::map<std::string, RunMoney> out;
    reader.for_each_row([&](const CsvRow& row) {
        if (row.text(status) != "done")
            return;
        out[run_of(row, point, seed, replication)] = RunMoney{
            row.number(profit), row.number(revenue), row.number(cost), row.number(opportunity)};
    });
    return out;
}

/** sweep.json: the sweep's name and its swept keys. */
SweepTable read_sweep_spec(const std::string& path) {
    const OrderedJson spec = read_json_file(path);
    const JsonFields top(path, spec);
    SweepTable t;
    t.name = top.text("name");
    const OrderedJson& keys = top.array("keys");
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (!keys[i].is_string())
            throw InputError({path, 0, 0}, "keys[" + std::to_string(i) + "]",
                             "expected a dotted key as a string, found " + keys[i].dump());
        t.keys.push_back(keys[i].get<std::string>());
    }
    // No swept key (a sweep of seeds alone) is a sweep too: its page shows intervals.
    return t;
}

/**
 * results.csv: one entry per run, its class rows summed, in the order runs first appear. A run
 * whose rows disagree on the swept values is an error.
 */
std::vector<PointRows> read_runs(const std::string& path, const std::vector<std::string>& keys) {
    using C = ClassFigures;
    CsvReader reader(path);
    const std::size_t point = reader.column("point_id"), status = reader.column("status"),
                      family = reader.column(name_of(&C::family)),
                      gpu_h = reader.column(name_of(&C::gpu_h)),
                      revenue = reader.column(name_of(&C::revenue_usd)),
                      cost = reader.column(name_of(&C::cost_usd)),
                      profit = reader.column(name_of(&C::profit_usd)),
                      opportunity = reader.column(name_of(&C::opportunity_cost_usd));
    (void)reader.column(name_of(&C::name));
    // One run = one (point_id, seed, replication): whether a point_id names a grid point or a
    // single run, its replications must not be summed together.
    const auto seed = reader.find_column("seed"), replication = reader.find_column("replication");
    std::vector<std::size_t> key_cols;
    for (const auto& k : keys)
        key_cols.push_back(reader.column(k));

    std::vector<PointRows> runs;
    std::map<std::string, std::size_t> by_id;
    reader.for_each_row([&](const CsvRow& row) {
        std::vector<std::string> values;
        for (auto c : key_cols)
            values.push_back(row.text(c));
        const std::string run = run_of(row, point, seed, replication);
        auto [it, fresh] = by_id.try_emplace(run, runs.size());
        if (fresh)
            runs.push_back({run, row.text(point), values});
        PointRows& p = runs[it->second];
        if (p.values != values) {
            row.fail(point, "expected the swept values of point " + row.text(point) +
                                " to be the same on all its rows");
        }
        // "failed" rows have no figures; so may rows of runs that never finished (a sweep that
        // was stopped: status "interrupted"). Both count as failed replications. A finished run
        // ("done", or "ok") with a missing figure is an error in the file.
        const std::string& st = row.text(status);
        if (st == "failed" || (st != "done" && st != "ok" && row.text(profit).empty())) {
            p.failed = true;
            return;
        }
        p.profit += row.number(profit);
        p.revenue += row.number(revenue);
        p.cost += row.number(cost);
        p.opportunity += row.number(opportunity);
        const double h = row.number(gpu_h);
        p.gpu_h += h;
        if (row.text(family) == "video") {
            p.video_gpu_h += h;
            p.has_video = true;
        }
    });
    return runs;
}

/**
 * Averages the runs of each setting of the swept keys (replications: other seeds of the same
 * values) into the table's cells, money from `totals` (points.csv) when the folder has it.
 */
void average_runs(SweepTable& t,
                  const std::vector<PointRows>& runs,
                  const std::map<std::string, RunMoney>& totals,
                  const std::string& totals_path) {
    std::map<std::vector<std::string>, std::size_t> by_values;
    std::vector<double> video_sum, video_n;
    for (const auto& p : runs) {
        auto [it, fresh] = by_values.try_emplace(p.values, t.cells.size());
        if (fresh) {
            t.cells.emplace_back().values = p.values;
            video_sum.push_back(0);
            video_n.push_back(0);
        }
        SweepCell& c = t.cells[it->second];
        if (p.failed) {
            c.failed += 1;
            continue;
        }
        RunMoney money{p.profit, p.revenue, p.cost, p.opportunity};
        if (t.run_totals) {
            auto found = totals.find(p.run);
            if (found == totals.end()) {
                throw InputError({totals_path, 0, 0}, "point_id",
                                 "expected a row with status done for point " + p.point_id +
                                     ", which results.csv has as finished; found none (was "
                                     "points.csv written by another sweep?)");
            }
            money = found->second;
        }
        c.replications += 1;
        c.profit_usd += money.profit;
        c.revenue_usd += money.revenue;
        c.cost_usd += money.cost;
        c.opportunity_cost_usd += money.opportunity;
        c.classes_profit_usd += p.profit;
        c.gpu_h += p.gpu_h;
        if (p.has_video && p.gpu_h > 0) {
            video_sum[it->second] += p.video_gpu_h / p.gpu_h;
            video_n[it->second] += 1;
        }
    }
    for (std::size_t i = 0; i < t.cells.size(); ++i) {
        SweepCell& c = t.cells[i];
        if (c.replications == 0)
            continue;
        const double n = c.replications;
        c.profit_usd /= n;
        c.revenue_usd /= n;
        c.cost_usd /= n;
        c.opportunity_cost_usd /= n;
        c.classes_profit_usd /= n;
        c.gpu_h /= n;
        if (video_n[i] > 0)
            c.video_gpu_h_share = video_sum[i] / video_n[i];
    }
}

struct KeyAxis {
    std::vector<std::string> values;  ///< distinct, numerically sorted when all are numbers
    bool numeric = false;
};

KeyAxis axis_of(const SweepTable& t, std::size_t k) {
    KeyAxis a;
    for (const auto& c : t.cells) {
        if (std::find(a.values.begin(), a.values.end(), c.values[k]) == a.values.end())
            a.values.push_back(c.values[k]);
    }
    a.numeric = std::all_of(a.values.begin(), a.values.end(),
                            [](const std::string& v) { return parse_number(v).has_value(); });
    if (a.numeric) {
        std::stable_sort(a.values.begin(), a.values.end(), [](const auto& x, const auto& y) {
            return *parse_number(x) < *parse_number(y);
        });
    }
    return a;
}

OrderedJson value_json(const std::string& v, bool numeric) {
    return numeric ? OrderedJson(*parse_number(v)) : OrderedJson(v);
}

std::optional<std::size_t> key_index(const std::vector<std::string>& keys, const std::string& k) {
    auto it = std::find(keys.begin(), keys.end(), k);
    if (it == keys.end())
        return std::nullopt;
    return static_cast<std::size_t>(it - keys.begin());
}

std::size_t chosen_key(const SweepTable& t, const std::string& option, const std::string& flag) {
    if (auto i = key_index(t.keys, option))
        return *i;
    std::string list;
    for (const auto& k : t.keys)
        list += (list.empty() ? "" : ", ") + k;
    throw InputError({"<command line>", 0, 0}, flag,
                     "expected one of the swept keys (" + list + "), found '" + option + "'");
}

/** A range slider fits numeric keys with evenly spaced values; the rest get a drop-down. */
OrderedJson control_json(const KeyAxis& a, std::size_t k, const std::string& key) {
    OrderedJson c;
    c["key"] = key;
    c["field"] = "k" + std::to_string(k);
    std::vector<double> v;
    for (const auto& s : a.values)
        v.push_back(a.numeric ? *parse_number(s) : 0);
    bool even = a.numeric && v.size() >= 3;
    for (std::size_t i = 2; even && i < v.size(); ++i)
        even = std::fabs((v[i] - v[i - 1]) - (v[1] - v[0])) <= 1e-9 * std::fabs(v[1] - v[0]);
    c["input"] = even ? "range" : "select";
    if (even) {
        c["min"] = v.front();
        c["max"] = v.back();
        c["step"] = v[1] - v[0];
    }
    return c;
}

}  // namespace

SweepTable read_sweep(const std::string& dir) {
    const fs::path root(dir);
    SweepTable t = read_sweep_spec((root / "sweep.json").string());
    const std::vector<PointRows> runs = read_runs((root / "results.csv").string(), t.keys);
    // The run's own totals where the sweep exported them: the classes' sums leave out the cost
    // of GPUs no class held, so a policy that leaves GPUs idle would look better than it is.
    const fs::path totals_path = root / "points.csv";
    t.run_totals = fs::exists(totals_path);
    std::map<std::string, RunMoney> totals;
    if (t.run_totals)
        totals = read_run_totals(totals_path.string());
    average_runs(t, runs, totals, totals_path.string());
    return t;
}

std::vector<std::size_t> keys_with_policy(const SweepTable& t, std::size_t policy_key) {
    std::vector<std::size_t> out;
    for (std::size_t k = 0; k < t.keys.size(); ++k) {
        if (k == policy_key)
            continue;
        std::map<std::string, std::string> seen;  // policy -> this key's value
        bool follows = true;
        for (const auto& c : t.cells) {
            auto [it, fresh] = seen.try_emplace(c.values[policy_key], c.values[k]);
            follows = follows && (fresh || it->second == c.values[k]);
        }
        if (follows)
            out.push_back(k);
    }
    return out;
}

std::vector<BestPolicy> best_policies(const SweepTable& t,
                                      std::size_t policy_key,
                                      const std::vector<std::size_t>& with_policy) {
    std::vector<BestPolicy> out;
    std::map<std::vector<std::string>, std::size_t> by_rest;
    std::vector<std::optional<double>> second;
    for (const auto& c : t.cells) {
        if (c.replications == 0)
            continue;
        std::vector<std::string> rest = c.values;
        rest[policy_key] = "";
        for (auto k : with_policy)
            rest[k] = "";
        auto [it, fresh] = by_rest.try_emplace(rest, out.size());
        if (fresh) {
            out.push_back({rest, c.values[policy_key], c.profit_usd, std::nullopt, 0});
            second.push_back(std::nullopt);
            continue;
        }
        BestPolicy& b = out[it->second];
        std::optional<double>& runner = second[it->second];
        if (c.profit_usd > b.profit_usd) {
            b.runner_up = b.policy;
            runner = b.profit_usd;
            b.policy = c.values[policy_key];
            b.profit_usd = c.profit_usd;
        } else if (!runner || c.profit_usd > *runner) {
            b.runner_up = c.values[policy_key];
            runner = c.profit_usd;
        }
        b.margin_usd = b.profit_usd - *runner;
    }
    return out;
}

OrderedJson build_sweep_data(const std::string& dir, const ReportOptions& options) {
    const fs::path root(dir);
    const OrderedJson spec = read_json_file((root / "sweep.json").string());
    const SweepTable t = read_sweep(dir);
    const auto policy = key_index(t.keys, kPolicyKey);

    // Axes: the first two keys that are not the policy (the policy is best read from the
    // best-policy map and the selector); with fewer such keys, the policy becomes an axis.
    // Keys zipped with the policy (its parameters) are part of what a policy is: no axis, no
    // control, and not held fixed when policies are compared.
    const std::vector<std::size_t> with_policy =
        policy ? keys_with_policy(t, *policy) : std::vector<std::size_t>{};
    auto follows_policy = [&](std::size_t k) {
        return std::find(with_policy.begin(), with_policy.end(), k) != with_policy.end();
    };
    std::vector<std::size_t> order;
    for (std::size_t k = 0; k < t.keys.size(); ++k) {
        if ((!policy || k != *policy) && !follows_policy(k))
            order.push_back(k);
    }
    if (policy)
        order.push_back(*policy);
    std::optional<std::size_t> x, y;
    if (!options.x_key.empty())
        x = chosen_key(t, options.x_key, "--x");
    if (!options.y_key.empty())
        y = chosen_key(t, options.y_key, "--y");
    if (x && y && *x == *y)
        throw InputError({"<command line>", 0, 0}, "--y", "expected a key other than --x");
    // The view: one free key (not the policy, not what follows it) is line charts against it;
    // none, an interval per policy; more, heat maps over two keys (or the pair --x, --y name),
    // unless they are all parameters of one-at-a-time or sample blocks, whose settings fill no
    // grid: those are drawn key by key ("designs").
    SweepLayout layout;
    layout.keys = t.keys;
    layout.policy = policy;
    layout.with_policy = with_policy;
    const std::vector<std::size_t> free = free_keys(layout);
    const std::vector<std::size_t> designed =
        design_keys(spec, t.keys, (root / "sweep.json").string());
    const bool all_designed = std::all_of(free.begin(), free.end(), [&](std::size_t k) {
        return std::find(designed.begin(), designed.end(), k) != designed.end();
    });
    const bool chosen = x.has_value() || y.has_value();
    // The intervals come from points.csv: a folder without it (an older sweep) keeps the maps.
    const std::string view = chosen || (!t.run_totals && !t.keys.empty()) ? "maps"
                             : free.size() >= 2 && all_designed           ? "designs"
                             : free.size() >= 2                           ? "maps"
                             : free.size() == 1                           ? "lines"
                                                                          : "intervals";
    if (view == "lines")
        layout.line_key = free.front();
    layout.line_charts = view == "lines" || view == "intervals";
    for (std::size_t k : order) {
        if (!x && k != y)
            x = k;
        else if (!y && k != x && t.keys.size() > 1)
            y = k;
    }

    std::vector<KeyAxis> axes;
    OrderedJson keys = OrderedJson::array();
    for (std::size_t k = 0; k < t.keys.size(); ++k) {
        axes.push_back(axis_of(t, k));
        OrderedJson j;
        j["key"] = t.keys[k];
        j["field"] = "k" + std::to_string(k);
        j["numeric"] = axes[k].numeric;
        OrderedJson values = OrderedJson::array();
        for (const auto& v : axes[k].values)
            values.push_back(value_json(v, axes[k].numeric));
        j["values"] = values;
        keys.push_back(j);
    }
    OrderedJson controls = OrderedJson::array();
    for (std::size_t k = 0; k < t.keys.size(); ++k) {
        if (k != x && k != y && !follows_policy(k))
            controls.push_back(control_json(axes[k], k, t.keys[k]));
    }

    OrderedJson data;
    data["kind"] = "sweep";
    OrderedJson meta;
    meta["name"] = t.name;
    meta["base"] = spec.contains("base") ? spec["base"] : OrderedJson(nullptr);
    meta["points"] = spec.contains("points") ? spec["points"] : OrderedJson(nullptr);
    meta["version"] = spec.contains("version") ? spec["version"] : OrderedJson(nullptr);
    meta["x"] = x ? OrderedJson(*x) : OrderedJson(nullptr);
    meta["y"] = y ? OrderedJson(*y) : OrderedJson(nullptr);
    meta["policy"] = policy ? OrderedJson(*policy) : OrderedJson(nullptr);
    meta["with_policy"] = with_policy;
    // "run": the money figures are the runs' totals (points.csv); "classes": the sums of the
    // classes, for a folder without points.csv (the page warns).
    meta["profit_of"] = t.run_totals ? "run" : "classes";
    meta["view"] = view;
    meta["line_key"] = layout.line_key ? OrderedJson(*layout.line_key) : OrderedJson(nullptr);
    meta["settings"] = t.cells.size();
    meta["runs"] =
        std::accumulate(t.cells.begin(), t.cells.end(), 0,
                        [](int n, const SweepCell& c) { return n + c.replications + c.failed; });
    data["meta"] = meta;
    data["keys"] = keys;
    data["controls"] = controls;

    OrderedJson cells = OrderedJson::array();
    for (const auto& c : t.cells) {
        OrderedJson j;
        for (std::size_t k = 0; k < t.keys.size(); ++k)
            j["k" + std::to_string(k)] = value_json(c.values[k], axes[k].numeric);
        j["status"] = c.replications == 0 ? "failed" : (c.failed > 0 ? "partly failed" : "ok");
        j["replications"] = c.replications;
        j["failed"] = c.failed;
        const bool ok = c.replications > 0;
        j["profit_usd"] = ok ? OrderedJson(round_significant(c.profit_usd)) : OrderedJson(nullptr);
        j["classes_profit_usd"] =
            ok ? OrderedJson(round_significant(c.classes_profit_usd)) : OrderedJson(nullptr);
        j["revenue_usd"] =
            ok ? OrderedJson(round_significant(c.revenue_usd)) : OrderedJson(nullptr);
        j["cost_usd"] = ok ? OrderedJson(round_significant(c.cost_usd)) : OrderedJson(nullptr);
        j["opportunity_cost_usd"] =
            ok ? OrderedJson(round_significant(c.opportunity_cost_usd)) : OrderedJson(nullptr);
        j["video_gpu_h_share"] = ok && c.video_gpu_h_share
                                     ? OrderedJson(round_significant(*c.video_gpu_h_share))
                                     : OrderedJson(nullptr);
        cells.push_back(j);
    }
    data["cells"] = cells;

    OrderedJson best = OrderedJson::array();
    if (policy) {
        for (const auto& b : best_policies(t, *policy, with_policy)) {
            OrderedJson j;
            for (std::size_t k = 0; k < t.keys.size(); ++k) {
                if (k != *policy && !follows_policy(k))
                    j["k" + std::to_string(k)] = value_json(b.values[k], axes[k].numeric);
            }
            j["best_policy"] = b.policy;
            j["profit_usd"] = round_significant(b.profit_usd);
            j["runner_up"] = b.runner_up ? OrderedJson(*b.runner_up) : OrderedJson(nullptr);
            j["margin_usd"] =
                b.runner_up ? OrderedJson(round_significant(b.margin_usd)) : OrderedJson(nullptr);
            best.push_back(j);
        }
    }
    data["best"] = best;
    for (const auto& a : axes)
        layout.numeric.push_back(a.numeric);
    add_sweep_statistics(data, dir, spec, layout);
    return data;
}

}  // namespace fleetsim
