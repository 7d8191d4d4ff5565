#include "sim/report/sweep_lines.hpp"

#include "sim/config/input_error.hpp"
#include "sim/io/csv.hpp"
#include "sim/report/run_data.hpp"
#include "sim/schema/schema.hpp"
#include "sim/stats/statistics.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

namespace fleetsim {
namespace {

namespace fs = std::filesystem;
using sweep::Analysis;
using sweep::FigureId;
using sweep::SweepRuns;
using sweep::SweepStatistics;

/** One panel of a chart: a figure of points.csv (cls "") or of one class's rows. */
struct Panel {
    std::string name;  ///< "" for a chart of one panel
    FigureId figure;
};

struct Chart {
    std::string id, title, note, format;
    std::vector<Panel> panels;
};

/** The charts of a sweep over one key (issue 11 section 4, issue 15): the figures a planner
 * asks about first, each only where the folder has its column. */
std::vector<Chart> charts_of(const SweepRuns& runs) {
    auto has = [&](const FigureId& f) {
        return std::find(runs.figures.begin(), runs.figures.end(), f) != runs.figures.end();
    };
    auto run_figure = [](std::string_view name) { return FigureId{"", std::string(name)}; };
    std::vector<Chart> out;
    out.push_back(
        {"profit",
         "Profit of the run",
         "revenue minus the cost of every GPU, the GPUs no class held included (total_profit_usd)",
         "$,.3~s",
         {{"", run_figure("total_profit_usd")}}});
    Chart revenue{"revenue",
                  "Revenue by family",
                  "each family's classes added up (llm_revenue_usd, video_revenue_usd)",
                  "$,.3~s",
                  {}};
    for (const auto& family : family_names())
        revenue.panels.push_back(
            {family == "llm" ? "LLM" : family, run_figure(family + "_revenue_usd")});
    out.push_back(revenue);
    out.push_back({"opportunity",
                   "Opportunity cost",
                   "what the GPU-hours held could have earned more in the best waiting work "
                   "(total_opportunity_cost_usd)",
                   "$,.3~s",
                   {{"", run_figure("total_opportunity_cost_usd")}}});
    Chart served{"served",
                 "Share of demand served",
                 "served_units / demand_units of each class (served_fraction)",
                 ".0%",
                 {}};
    for (const auto& c : runs.classes)
        served.panels.push_back(
            {c, FigureId{c, std::string(name_of(&ClassFigures::served_fraction))}});
    out.push_back(served);
    out.push_back({"video-share",
                   "Video's share of the GPU-hours held",
                   "the video family's GPU-hours over all classes' (video_gpu_h_share)",
                   ".0%",
                   {{"", run_figure("video_gpu_h_share")}}});
    for (auto& c : out) {
        c.panels.erase(std::remove_if(c.panels.begin(), c.panels.end(),
                                      [&](const Panel& p) { return !has(p.figure); }),
                       c.panels.end());
    }
    out.erase(
        std::remove_if(out.begin(), out.end(), [](const Chart& c) { return c.panels.empty(); }),
        out.end());
    return out;
}

/** sweep.json's "analysis" (it must be there). */
Analysis parse_analysis(const OrderedJson& spec,
                        const std::vector<std::string>& keys,
                        const std::string& path) {
    try {
        return sweep::analysis_from_json(nlohmann::json::parse(spec["analysis"].dump()), keys);
    } catch (const std::exception& e) {
        throw InputError({path, 0, 0}, "analysis", e.what());
    }
}

/** The analysis of sweep.json, or, for a folder without one, the sweep's own default: the
 * first policy is the baseline, and the keys the policy fixes follow it. */
Analysis analysis_of(const OrderedJson& spec,
                     const SweepLayout& layout,
                     const SweepRuns& runs,
                     const std::string& path) {
    if (spec.contains("analysis"))
        return parse_analysis(spec, layout.keys, path);
    Analysis a;
    if (layout.policy && !runs.runs.empty()) {
        a.baseline[*layout.policy] = runs.runs.front().values[*layout.policy];
        a.baseline_follows = layout.with_policy;
    }
    return a;
}

OrderedJson number_or_null(const std::optional<double>& v) {
    return v ? OrderedJson(round_significant(*v)) : OrderedJson(nullptr);
}

/** Linear interpolation of y at x on a line sorted by x (x within its ends). */
double interpolate(const std::vector<std::pair<double, double>>& line, double x) {
    for (std::size_t i = 0; i + 1 < line.size(); ++i) {
        const auto [x0, y0] = line[i];
        const auto [x1, y1] = line[i + 1];
        if (x >= x0 && x <= x1)
            return x1 == x0 ? y0 : y0 + (y1 - y0) * (x - x0) / (x1 - x0);
    }
    return line.empty() ? 0 : line.back().second;
}

}  // namespace

std::vector<std::size_t> design_keys(const OrderedJson& spec,
                                     const std::vector<std::string>& keys,
                                     const std::string& path) {
    std::vector<std::size_t> out;
    if (!spec.contains("analysis"))
        return out;
    for (const auto& d : parse_analysis(spec, keys, path).designs)
        out.insert(out.end(), d.keys.begin(), d.keys.end());
    return out;
}

std::vector<std::size_t> free_keys(const SweepLayout& layout) {
    std::vector<std::size_t> out;
    for (std::size_t k = 0; k < layout.keys.size(); ++k) {
        const bool of_policy = (layout.policy && k == *layout.policy) ||
                               std::find(layout.with_policy.begin(), layout.with_policy.end(), k) !=
                                   layout.with_policy.end();
        if (!of_policy)
            out.push_back(k);
    }
    return out;
}

void add_sweep_statistics(OrderedJson& data,
                          const std::string& dir,
                          const OrderedJson& spec,
                          const SweepLayout& layout) {
    const fs::path root(dir);
    data["charts"] = OrderedJson::array();
    data["lines"] = OrderedJson::array();
    data["rules"] = OrderedJson::array();
    data["crossings"] = OrderedJson::array();
    data["baseline"] = nullptr;
    data["effects"] = OrderedJson::array();
    if (!fs::exists(root / "points.csv"))
        return;
    const SweepRuns runs = sweep::read_sweep_runs((root / "points.csv").string(),
                                                  (root / "results.csv").string(), layout.keys);
    const Analysis analysis = analysis_of(spec, layout, runs, (root / "sweep.json").string());
    const SweepStatistics stats = sweep::compute_statistics(runs, analysis);

    // The baseline, and what it is on: the policy (its line is drawn dashed), the line charts'
    // key (a level drawn across each line), or another key (paired.csv only).
    std::optional<std::size_t> baseline_key;
    if (analysis.baseline.size() == 1) {
        const auto& [k, v] = *analysis.baseline.begin();
        baseline_key = k;
        OrderedJson b;
        b["key"] = layout.keys[k];
        b["value"] = layout.numeric[k] ? OrderedJson(*parse_number(v)) : OrderedJson(v);
        b["on"] = layout.policy && k == *layout.policy       ? "policy"
                  : layout.line_key && k == *layout.line_key ? "x"
                                                             : "other";
        data["baseline"] = b;
    }
    auto value_of = [&](const std::vector<std::string>& values, std::size_t k) {
        return layout.numeric[k] ? OrderedJson(*parse_number(values[k])) : OrderedJson(values[k]);
    };
    auto policy_of = [&](const sweep::Setting& s) {
        return layout.policy ? s.values[*layout.policy] : std::string();
    };
    auto is_baseline = [&](const sweep::Setting& s) {
        for (const auto& [k, v] : analysis.baseline) {
            if (s.values[k] != v)
                return false;
        }
        return !analysis.baseline.empty();
    };

    // Rows per setting and figure; lines per (figure, policy) for the baselines and crossings.
    std::map<std::size_t, std::vector<const sweep::SettingStat*>> by_figure;
    for (const auto& r : stats.stats)
        by_figure[r.figure].push_back(&r);
    std::map<std::pair<std::size_t, std::size_t>, double> paired;  // (setting, figure) -> mean d
    for (const auto& p : stats.paired)
        paired[{p.setting, p.figure}] = p.difference.mean;

    const bool lines = layout.line_key.has_value();
    for (const auto& chart : layout.line_charts ? charts_of(runs) : std::vector<Chart>{}) {
        OrderedJson c;
        c["id"] = chart.id;
        c["title"] = chart.title;
        c["note"] = chart.note;
        c["format"] = chart.format;
        OrderedJson panels = OrderedJson::array();
        for (const auto& panel : chart.panels) {
            panels.push_back(panel.name);
            const auto f = static_cast<std::size_t>(
                std::find(runs.figures.begin(), runs.figures.end(), panel.figure) -
                runs.figures.begin());
            // (policy) -> the line's (x, mean) and (x, paired difference) points.
            std::map<std::string, std::vector<std::pair<double, double>>> means, differences;
            std::map<std::string, double> level;  // the baseline setting's mean, per policy
            for (const sweep::SettingStat* r : by_figure[f]) {
                const sweep::Setting& s = stats.settings[r->setting];
                const std::string policy = policy_of(s);
                OrderedJson row;
                row["chart"] = chart.id;
                row["panel"] = panel.name;
                row["x"] = lines ? value_of(s.values, *layout.line_key)
                                 : OrderedJson(policy.empty() ? std::string("all") : policy);
                row["policy"] = policy;
                row["mean"] = round_significant(r->interval.mean);
                row["low"] = number_or_null(r->interval.low);
                row["high"] = number_or_null(r->interval.high);
                row["n"] = r->interval.n;
                row["role"] = baseline_key && layout.policy && *baseline_key == *layout.policy &&
                                      is_baseline(s)
                                  ? "baseline"
                                  : "compared";
                data["lines"].push_back(row);
                if (!lines || !layout.numeric[*layout.line_key])
                    continue;
                const double x = *parse_number(s.values[*layout.line_key]);
                means[policy].emplace_back(x, r->interval.mean);
                if (auto d = paired.find({r->setting, f}); d != paired.end())
                    differences[policy].emplace_back(x, d->second);
                if (is_baseline(s)) {
                    level[policy] = r->interval.mean;
                    // On the line's own key the baseline is a point of every line, where the
                    // difference is 0 by definition: that is no crossing, and neither is a sign
                    // change across it (below).
                    if (baseline_key && *baseline_key == *layout.line_key)
                        differences[policy].emplace_back(x, 0.0);
                }
            }
            if (baseline_key && layout.line_key && *baseline_key == *layout.line_key) {
                for (const auto& [policy, y] : level) {
                    OrderedJson rule;
                    rule["chart"] = chart.id;
                    rule["panel"] = panel.name;
                    rule["policy"] = policy;
                    rule["y"] = round_significant(y);
                    data["rules"].push_back(rule);
                }
            }
            // Where a line crosses its baseline: its paired difference changes sign (the
            // baseline's own points, where it is 0 by definition, are not in it).
            for (auto& [policy, d] : differences) {
                std::sort(d.begin(), d.end());
                auto& line = means[policy];
                std::sort(line.begin(), line.end());
                std::vector<double> xs, ds;
                for (const auto& [x, v] : d) {
                    xs.push_back(x);
                    ds.push_back(v);
                }
                const std::optional<double> own =
                    baseline_key && *baseline_key == *layout.line_key
                        ? parse_number(analysis.baseline.at(*baseline_key))
                        : std::nullopt;
                for (double x : sweep::zero_crossings(xs, ds)) {
                    if (own && x == *own)
                        continue;
                    OrderedJson cross;
                    cross["chart"] = chart.id;
                    cross["panel"] = panel.name;
                    cross["policy"] = policy;
                    cross["x"] = round_significant(x);
                    cross["y"] = round_significant(interpolate(line, x));
                    data["crossings"].push_back(cross);
                }
            }
        }
        c["panels"] = panels;
        data["charts"].push_back(c);
    }

    // Where a design's points are, in words: the values of the keys outside it ("policy.name =
    // fifo"), or "all points".
    auto context_of = [&](const sweep::Design& d, const std::vector<std::string>& values) {
        std::string context;
        for (std::size_t k = 0; k < layout.keys.size(); ++k) {
            if (std::find(d.keys.begin(), d.keys.end(), k) != d.keys.end())
                continue;
            if (std::find(layout.with_policy.begin(), layout.with_policy.end(), k) !=
                layout.with_policy.end())
                continue;  // the policy says it
            context += (context.empty() ? "" : ", ") + layout.keys[k] + " = " + values[k];
        }
        return context.empty() ? std::string("all points") : context;
    };

    // Each design's parameters one by one: the run's profit of every setting where only that
    // parameter left its base (one_at_a_time; the base setting is in every panel) or of every
    // sampled setting, against the parameter.
    const auto profit =
        std::find(runs.figures.begin(), runs.figures.end(), FigureId{"", "total_profit_usd"});
    data["design_lines"] = OrderedJson::array();
    for (const auto& d : analysis.designs) {
        for (std::size_t j = 0; j < d.keys.size() && profit != runs.figures.end(); ++j) {
            for (const sweep::SettingStat* r :
                 by_figure[static_cast<std::size_t>(profit - runs.figures.begin())]) {
                const sweep::Setting& s = stats.settings[r->setting];
                const bool one_at_a_time = d.kind == sweep::Design::Kind::one_at_a_time;
                bool on_panel = true, base = one_at_a_time;
                for (std::size_t o = 0; o < d.keys.size() && one_at_a_time; ++o) {
                    if (s.values[d.keys[o]] == d.base[o])
                        continue;
                    base = false;
                    on_panel = on_panel && o == j;
                }
                const auto x = parse_number(s.values[d.keys[j]]);
                if (!on_panel || !x)
                    continue;
                OrderedJson row;
                row["design"] = d.block;
                row["method"] = sweep::design_name(d.kind);
                row["key"] = layout.keys[d.keys[j]];
                row["series"] = context_of(d, s.values);
                row["x"] = *x;
                row["mean"] = round_significant(r->interval.mean);
                row["low"] = number_or_null(r->interval.low);
                row["high"] = number_or_null(r->interval.high);
                row["n"] = r->interval.n;
                row["base"] = base;
                data["design_lines"].push_back(row);
            }
        }
    }

    // Effects of the run's money figures, for each design and setting of the other keys.
    const std::vector<std::string> figures = {"total_profit_usd", "total_revenue_usd",
                                              "total_cost_usd", "total_opportunity_cost_usd"};
    for (const auto& e : stats.effects) {
        const FigureId& f = runs.figures[e.figure];
        if (!f.cls.empty() || std::find(figures.begin(), figures.end(), f.figure) == figures.end())
            continue;
        const sweep::Design& d = analysis.designs.at(e.design);
        OrderedJson row;
        row["design"] = d.block;
        row["method"] = sweep::design_name(d.kind);
        row["context"] = context_of(d, e.context);
        row["key"] = layout.keys[e.key];
        row["figure"] = f.figure;
        row["low"] = round_significant(e.low);
        row["high"] = round_significant(e.high);
        row["n"] = e.n;
        const double range = e.high - e.low;
        row["slope"] = round_significant(e.slope);
        row["slope_low"] = number_or_null(e.slope_low);
        row["slope_high"] = number_or_null(e.slope_high);
        row["change"] = round_significant(e.slope * range);
        row["change_low"] =
            number_or_null(e.slope_low ? std::optional(*e.slope_low * range) : std::nullopt);
        row["change_high"] =
            number_or_null(e.slope_high ? std::optional(*e.slope_high * range) : std::nullopt);
        data["effects"].push_back(row);
    }
}

}  // namespace fleetsim
