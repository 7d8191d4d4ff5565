#include "sim/report/run_data.hpp"

#include "sim/io/csv.hpp"
#include "sim/report/headline.hpp"
#include "sim/report/run_summary.hpp"
#include "sim/report/wait_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>

namespace fleetsim {
namespace {

namespace fs = std::filesystem;

/** timeseries.csv in columns: one value per interval, per class. */
struct Series {
    std::vector<double> t_s;
    std::vector<double> length_s;
    std::vector<double> shadow;  ///< USD per GPU-hour, the interval's average
    struct PerClass {
        std::vector<double> allocated, busy, demand, served, revenue;
    };
    std::vector<PerClass> classes;  ///< in summary.json order
    /** A fleet of several pools: each pool's columns (`pool_gpus.<pool>`, ...). */
    struct PerPool {
        std::string name;
        std::size_t gpus_column = 0, busy_column = 0, shadow_column = 0;
        std::vector<double> gpus, busy, shadow;
    };
    std::vector<PerPool> pools;  ///< in the columns' (platform) order
    /** With a failure model: the fleet's down GPUs (timeseries.csv `gpus_down`). */
    std::optional<std::vector<double>> gpus_down;
    /** A fleet that changes over time: the GPUs owned of each type (`gpus_owned.<type>`). */
    struct PerType {
        std::string name;
        std::size_t column = 0;
        std::vector<double> gpus;
    };
    std::vector<PerType> owned;
};

Series read_series(const std::string& path, const RunSummary& summary) {
    using R = TimeseriesRow;
    CsvReader reader(path);
    // A run with a failure model has the failure columns; one without has none (and its page
    // stays as it was). summary.json says which, so a run with failures whose file lacks the
    // column is an error naming it.
    const bool failures = summary.fleet.failures.has_value();
    const std::size_t down =
        failures ? reader.column(name_of(&TimeseriesFailureColumns::gpus_down)) : 0;
    // Only the columns the charts draw are read (and checked).
    const std::size_t t = reader.column(name_of(&R::t_s)), cls = reader.column(name_of(&R::cls)),
                      alloc = reader.column(name_of(&R::gpus_allocated)),
                      busy = reader.column(name_of(&R::gpus_busy)),
                      demand = reader.column(name_of(&R::demand_units_per_s)),
                      served = reader.column(name_of(&R::served_units_per_s)),
                      revenue = reader.column(name_of(&R::revenue_usd)),
                      shadow = reader.column(name_of(&R::shadow_price_usd_per_gpu_h));
    std::map<std::string, std::size_t, std::less<>> index;
    for (std::size_t i = 0; i < summary.classes.size(); ++i)
        index.emplace(summary.classes[i].name, i);
    Series s;
    s.classes.resize(summary.classes.size());
    if (failures)
        s.gpus_down.emplace();
    // Per pool (a fleet of several pools): the pools are named by the shadow-price columns.
    const std::string shadow_prefix =
        std::string(name_of(&R::pool_shadow_price_usd_per_gpu_h)) + ".";
    for (const auto& column : reader.header()) {
        if (column.size() <= shadow_prefix.size() || column.rfind(shadow_prefix, 0) != 0)
            continue;
        Series::PerPool p;
        p.name = column.substr(shadow_prefix.size());
        p.shadow_column = reader.column(column);
        p.gpus_column = reader.column(std::string(name_of(&R::pool_gpus)) + "." + p.name);
        p.busy_column = reader.column(std::string(name_of(&R::pool_gpus_busy)) + "." + p.name);
        s.pools.push_back(std::move(p));
    }
    const std::string owned_prefix = std::string(name_of(&R::gpus_owned)) + ".";
    for (const auto& column : reader.header()) {
        if (column.size() > owned_prefix.size() && column.rfind(owned_prefix, 0) == 0)
            s.owned.push_back({column.substr(owned_prefix.size()), reader.column(column), {}});
    }
    reader.for_each_row([&](const CsvRow& row) {
        const double t_s = row.number(t);
        if (s.t_s.empty() || t_s != s.t_s.back()) {
            if (!s.t_s.empty() && t_s < s.t_s.back())
                row.fail(t, "expected times in increasing order");
            s.t_s.push_back(t_s);
            s.shadow.push_back(row.number(shadow));
            if (s.gpus_down)
                s.gpus_down->push_back(row.number(down));
            for (auto& p : s.pools) {
                p.gpus.push_back(row.number(p.gpus_column));
                p.busy.push_back(row.number(p.busy_column));
                p.shadow.push_back(row.number(p.shadow_column));
            }
            for (auto& o : s.owned)
                o.gpus.push_back(row.number(o.column));
            for (auto& c : s.classes) {
                // A class absent from an interval held nothing in it.
                for (auto* v : {&c.allocated, &c.busy, &c.demand, &c.served, &c.revenue})
                    v->push_back(0);
            }
        }
        auto it = index.find(row.text(cls));
        if (it == index.end())
            row.fail(cls, "expected a class of summary.json, found '" + row.text(cls) + "'");
        auto& c = s.classes[it->second];
        c.allocated.back() = row.number(alloc);
        c.busy.back() = row.number(busy);
        c.demand.back() = row.number(demand);
        c.served.back() = row.number(served);
        c.revenue.back() = row.number(revenue);
    });
    for (std::size_t i = 0; i < s.t_s.size(); ++i)
        s.length_s.push_back((i + 1 < s.t_s.size() ? s.t_s[i + 1] : summary.horizon_s) - s.t_s[i]);
    return s;
}

/**
 * Averages groups of `k` consecutive intervals, weighted by their lengths (rates, GPUs, the
 * shadow price), and sums revenue, so that a long or finely sampled run still draws fast.
 */
Series coarsen(const Series& in, std::size_t k) {
    Series out;
    out.classes.resize(in.classes.size());
    out.pools = in.pools;
    if (in.gpus_down)
        out.gpus_down.emplace();
    for (auto& p : out.pools) {
        for (auto* v : {&p.gpus, &p.busy, &p.shadow})
            v->clear();
    }
    out.owned = in.owned;
    for (auto& o : out.owned)
        o.gpus.clear();
    for (std::size_t start = 0; start < in.t_s.size(); start += k) {
        const std::size_t end = std::min(in.t_s.size(), start + k);
        double len = 0, shadow = 0;
        for (std::size_t i = start; i < end; ++i) {
            len += in.length_s[i];
            shadow += in.shadow[i] * in.length_s[i];
        }
        out.t_s.push_back(in.t_s[start]);
        out.length_s.push_back(len);
        out.shadow.push_back(len > 0 ? shadow / len : 0);
        auto weighted = [&](const std::vector<double>& v) {
            double sum = 0;
            for (std::size_t i = start; i < end; ++i)
                sum += v[i] * in.length_s[i];
            return len > 0 ? sum / len : 0;
        };
        if (in.gpus_down)
            out.gpus_down->push_back(weighted(*in.gpus_down));
        for (std::size_t p = 0; p < in.pools.size(); ++p) {
            out.pools[p].gpus.push_back(weighted(in.pools[p].gpus));
            out.pools[p].busy.push_back(weighted(in.pools[p].busy));
            out.pools[p].shadow.push_back(weighted(in.pools[p].shadow));
        }
        for (std::size_t o = 0; o < in.owned.size(); ++o)
            out.owned[o].gpus.push_back(weighted(in.owned[o].gpus));
        for (std::size_t c = 0; c < in.classes.size(); ++c) {
            const auto& a = in.classes[c];
            auto& b = out.classes[c];
            b.allocated.push_back(weighted(a.allocated));
            b.busy.push_back(weighted(a.busy));
            b.demand.push_back(weighted(a.demand));
            b.served.push_back(weighted(a.served));
            double revenue = 0;
            for (std::size_t i = start; i < end; ++i)
                revenue += a.revenue[i];
            b.revenue.push_back(revenue);
        }
    }
    return out;
}

OrderedJson rounded(const std::vector<double>& v) {
    OrderedJson out = OrderedJson::array();
    for (double x : v)
        out.push_back(round_significant(x));
    return out;
}

/**
 * Demand of a service in busy GPUs: units per second times the GPU-seconds a unit took in that
 * interval (busy / served, exact on any pool mix); where nothing was served, the class's
 * average over the run.
 */
std::optional<std::vector<double>> demand_in_gpus(const Series::PerClass& c,
                                                  const ClassFigures& summary) {
    std::optional<double> average;
    if (summary.busy_gpu_h && summary.served_units > 0)
        average = *summary.busy_gpu_h * 3600.0 / summary.served_units;
    std::vector<double> out;
    for (std::size_t i = 0; i < c.demand.size(); ++i) {
        if (c.served[i] > 0)
            out.push_back(c.demand[i] * c.busy[i] / c.served[i]);
        else if (c.demand[i] == 0)
            out.push_back(0);
        else if (average)
            out.push_back(c.demand[i] * *average);
        else
            return std::nullopt;  // never served: no measure of a unit's GPU time
    }
    return out;
}

/**
 * failures.csv's rows (one per node taken down) counted per interval of `t_s` and per cause,
 * the causes in the order they first occur. Counts, not down GPUs: the file has no GPUs per
 * node, and timeseries.csv's `gpus_down` already has the down GPUs exactly.
 */
OrderedJson node_failures_per_interval(const std::string& path, const std::vector<double>& t_s) {
    using F = FailureLogRecord;
    CsvReader reader(path);
    const std::size_t t = reader.column(name_of(&F::t_s)),
                      cause = reader.column(name_of(&F::cause));
    std::vector<std::string> causes;
    std::vector<std::vector<long long>> counts;
    reader.for_each_row([&](const CsvRow& row) {
        const double at = row.number(t);
        // The interval holding `at`: the last start at or before it.
        const auto it = std::upper_bound(t_s.begin(), t_s.end(), at);
        if (it == t_s.begin())
            row.fail(t, "expected a time within the run");
        const std::size_t i = static_cast<std::size_t>(it - t_s.begin()) - 1;
        const std::string& c = row.text(cause);
        const auto known = std::find(causes.begin(), causes.end(), c);
        const std::size_t k = static_cast<std::size_t>(known - causes.begin());
        if (known == causes.end()) {
            causes.push_back(c);
            counts.emplace_back(t_s.size(), 0);
        }
        counts[k][i] += 1;
    });
    OrderedJson out = OrderedJson::object();
    for (std::size_t k = 0; k < causes.size(); ++k)
        out[causes[k]] = counts[k];
    return out;
}

}  // namespace

double round_significant(double x, int digits) {
    if (x == 0 || !std::isfinite(x))
        return x;
    const double scale = std::pow(10.0, digits - std::ceil(std::log10(std::fabs(x))));
    return std::round(x * scale) / scale;
}

OrderedJson build_run_data(const std::string& dir) {
    const fs::path root(dir);
    const SummaryFile file = read_run_summary((root / "summary.json").string());
    const RunSummary& summary = file.summary;
    Series series = read_series((root / "timeseries.csv").string(), summary);
    const std::size_t rows_per_point = (series.t_s.size() + kMaxChartPoints - 1) / kMaxChartPoints;
    if (rows_per_point > 1)
        series = coarsen(series, rows_per_point);

    OrderedJson data;
    data["kind"] = "run";
    OrderedJson meta;
    meta["scenario"] = summary.scenario;
    meta["policy"] = summary.policy;
    meta["seed"] = static_cast<double>(summary.seed);  // as ever: the page's data stays the same
    meta["horizon_s"] = summary.horizon_s;
    meta["version"] = summary.version;
    meta["timeseries_rows_per_point"] = std::max<std::size_t>(rows_per_point, 1);
    // Batch revenue is booked when work is saved (checkpoints, completions), so its per-interval
    // rate jumps; a trailing day (or a sixth of a short run) shows the rate a planner means.
    meta["rate_window_s"] = std::min(86400.0, std::max(summary.horizon_s / 6, 1.0));
    data["meta"] = meta;
    // The figures as the file has them: the page shows what an older output holds, no
    // defaults for what it lacks.
    data["fleet"] = file.json.at(std::string(name_of(&RunSummary::fleet)));
    data["totals"] = file.json.at(std::string(name_of(&RunSummary::totals)));
    OrderedJson classes = OrderedJson::array();
    const OrderedJson& written = file.json.at(std::string(name_of(&RunSummary::classes)));
    for (const auto& c : summary.classes) {
        OrderedJson j;
        j["name"] = c.name;
        for (const auto& [k, v] : written.at(c.name).items())
            j[k] = v;
        classes.push_back(j);
    }
    data["classes"] = classes;
    data["headline"] = sentences_json(compute_headline(summary));

    OrderedJson ts;
    ts["t_s"] = series.t_s;
    ts["length_s"] = series.length_s;
    ts["shadow_price_usd_per_gpu_h"] = rounded(series.shadow);
    OrderedJson per_class = OrderedJson::object();
    for (std::size_t i = 0; i < summary.classes.size(); ++i) {
        const auto& c = series.classes[i];
        OrderedJson j;
        j["gpus_allocated"] = rounded(c.allocated);
        j["gpus_busy"] = rounded(c.busy);
        j["revenue_usd"] = rounded(c.revenue);
        if (summary.classes[i].kind == "service") {
            auto demand = demand_in_gpus(c, summary.classes[i]);
            j["demand_gpus"] = demand ? rounded(*demand) : OrderedJson(nullptr);
        }
        per_class[summary.classes[i].name] = j;
    }
    ts["classes"] = per_class;
    data["timeseries"] = ts;
    // Per pool: only a fleet of several pools has the columns (one pool's are the fleet's).
    if (!series.pools.empty()) {
        OrderedJson per_pool = OrderedJson::array();
        for (const auto& p : series.pools) {
            OrderedJson j;
            j["name"] = p.name;
            j["gpus"] = rounded(p.gpus);
            j["gpus_busy"] = rounded(p.busy);
            j["shadow_price_usd_per_gpu_h"] = rounded(p.shadow);
            per_pool.push_back(j);
        }
        data["pools"] = per_pool;
    }
    // With a failure model only (a run without one keeps its page byte for byte): the down GPUs
    // per interval and the nodes taken down per interval by cause. What each class lost is in
    // its figures already (classes[].failures), the fleet's in fleet.failures.
    if (series.gpus_down) {
        OrderedJson failures;
        failures["gpus_down"] = rounded(*series.gpus_down);
        const fs::path log = root / "failures.csv";
        failures["node_failures"] = fs::exists(log)
                                        ? node_failures_per_interval(log.string(), series.t_s)
                                        : OrderedJson(nullptr);
        data["failures"] = failures;
    }
    // A fleet that changes over time: its composition by GPU type.
    if (!series.owned.empty()) {
        OrderedJson owned = OrderedJson::array();
        for (const auto& o : series.owned)
            owned.push_back({{"gpu_type", o.name}, {"gpus", rounded(o.gpus)}});
        data["gpus_owned"] = owned;
    }

    const fs::path jobs = root / "jobs.csv";
    std::vector<std::string> batch;
    for (const auto& c : summary.classes) {
        if (c.kind == "batch")
            batch.push_back(c.name);
    }
    if (fs::exists(jobs) && !batch.empty()) {
        std::vector<std::string> all;
        for (const auto& c : summary.classes)
            all.push_back(c.name);
        OrderedJson waits;
        waits["bins"] = wait_bin_labels();
        OrderedJson hs = OrderedJson::array();
        for (const auto& h : read_wait_histograms(jobs.string(), all)) {
            if (std::find(batch.begin(), batch.end(), h.cls) == batch.end())
                continue;
            hs.push_back({{"name", h.cls}, {"counts", h.counts}, {"rejected", h.rejected}});
        }
        waits["classes"] = hs;
        data["waits"] = waits;
    } else {
        data["waits"] = nullptr;
    }
    return data;
}

OrderedJson sentences_json(const std::vector<HeadlineSentence>& sentences) {
    OrderedJson out = OrderedJson::array();
    for (const auto& sentence : sentences) {
        OrderedJson parts = OrderedJson::array();
        for (const auto& p : sentence) {
            OrderedJson part;
            part["text"] = p.text;
            if (p.value) {
                part["key"] = p.key;
                part["value"] = *p.value;
            }
            parts.push_back(part);
        }
        out.push_back(parts);
    }
    return out;
}

}  // namespace fleetsim
