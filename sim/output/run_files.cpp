#include "sim/output/run_files.hpp"

#include "sim/schema/csv_records.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fleetsim {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

/** Creates `path`, lets `write` fill it through a CsvWriter, and checks that it was written. */
template <class F>
void write_csv_file(const fs::path& path, F&& write) {
    std::ofstream out(path, std::ios::binary);
    CsvWriter csv(out);
    write(csv);
    csv.finish();
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

void write_summary_json(const fs::path& path, const RunSummary& summary) {
    const nlohmann::ordered_json json = summary;
    write_file(path, json.dump(2) + "\n");
}

/** The header of record R, followed by Extra's columns when `extra` (the failure columns). */
template <Described R, Described Extra>
void write_csv_header_with(CsvWriter& csv, bool extra, const R* example = nullptr) {
    std::vector<std::string> columns = csv_columns<R>(example);
    if (extra) {
        const std::vector<std::string> more = csv_columns<Extra>();
        columns.insert(columns.end(), more.begin(), more.end());
    }
    csv.row(columns);
}

void write_classes_csv(const fs::path& path, const std::vector<ClassFigures>& classes) {
    const bool failures = !classes.empty() && classes.front().failures.has_value();
    write_csv_file(path, [&](CsvWriter& csv) {
        write_csv_header_with<ClassFigures, ClassFailureFigures>(csv, failures);
        for (const auto& c : classes) {
            write_csv_fields(csv, c);
            if (failures)
                write_csv_fields(csv, *c.failures);
            csv.end_row();
        }
    });
}

/**
 * One row per interval and class; rates are the interval's averages. A fleet of several pools
 * adds each pool's GPUs, busy GPUs and shadow price (the same on every class's row).
 */
void write_timeseries_csv(const fs::path& path,
                          const Ledger& ledger,
                          const std::vector<ClassFigures>& classes,
                          const Fleet& fleet,
                          bool failures,
                          bool changes) {
    write_csv_file(path, [&](CsvWriter& csv) {
        TimeseriesRow out;
        TimeseriesFailureColumns fault;
        const bool per_pool = fleet.pool_count() > 1;
        if (per_pool) {
            for (const auto& p : fleet.pools()) {
                for (auto* v :
                     {&out.pool_gpus, &out.pool_gpus_busy, &out.pool_shadow_price_usd_per_gpu_h})
                    v->items.emplace_back(p.name, 0.0);
            }
        }
        // The fleet's composition by GPU type, when it changes over time.
        std::vector<int> type_of_pool;
        if (changes) {
            for (const auto& p : fleet.pools()) {
                const std::string& type = p.gpu_type->name;
                auto it = std::find_if(out.gpus_owned.items.begin(), out.gpus_owned.items.end(),
                                       [&](const auto& item) { return item.first == type; });
                type_of_pool.push_back(static_cast<int>(it - out.gpus_owned.items.begin()));
                if (it == out.gpus_owned.items.end())
                    out.gpus_owned.items.emplace_back(type, 0.0);
            }
        }
        write_csv_header_with<TimeseriesRow, TimeseriesFailureColumns>(csv, failures, &out);
        for (const auto& row : ledger.intervals()) {
            if (row.length_s <= 0)
                continue;
            out.t_s = row.t_s;
            out.shadow_price_usd_per_gpu_h = row.shadow_price_x_s / row.length_s;
            if (per_pool) {
                for (std::size_t p = 0; p < row.pools.size(); ++p) {
                    const auto& r = row.pools[p];
                    out.pool_gpus.items[p].second = r.gpu_s / row.length_s;
                    out.pool_gpus_busy.items[p].second = r.busy_gpu_s / row.length_s;
                    out.pool_shadow_price_usd_per_gpu_h.items[p].second =
                        r.shadow_price_x_s / row.length_s;
                }
            }
            if (changes) {
                for (auto& item : out.gpus_owned.items)
                    item.second = 0;
                for (std::size_t p = 0; p < row.pools.size(); ++p)
                    out.gpus_owned.items[static_cast<std::size_t>(type_of_pool[p])].second +=
                        row.pools[p].gpu_s / row.length_s;
            }
            for (std::size_t i = 0; i < row.classes.size(); ++i) {
                const auto& r = row.classes[i];
                out.cls = classes[i].name;
                out.gpus_allocated = r.held_gpu_s / row.length_s;
                out.gpus_busy = r.busy_gpu_s / row.length_s;
                out.demand_units_per_s = r.demand_units / row.length_s;
                out.served_units_per_s = r.served_units / row.length_s;
                out.revenue_usd = r.revenue_usd;
                out.opportunity_cost_usd = r.opportunity_cost_usd;
                write_csv_fields(csv, out);
                if (failures) {
                    fault.gpus_down = row.down_gpu_s / row.length_s;
                    fault.interruptions = r.faults.interruptions;
                    fault.failure_lost_work_gpu_h = r.faults.lost_work_ref_gpu_s / 3600.0;
                    fault.restart_gpu_h = r.faults.restart_gpu_s / 3600.0;
                    fault.revenue_lost_usd = r.faults.revenue_lost_usd;
                    write_csv_fields(csv, fault);
                }
                csv.end_row();
            }
        }
    });
}

/** One row per batch job, in id order. */
void write_jobs_csv(const fs::path& path,
                    const SchedulerState& state,
                    const std::vector<ClassFigures>& classes,
                    bool failures) {
    write_csv_file(path, [&](CsvWriter& csv) {
        write_csv_header_with<JobRow, JobFailureColumns>(csv, failures);
        JobRow out;
        JobFailureColumns fault;
        std::vector<int> nodes;
        for (const auto& j : state.jobs) {
            out.job_id = j.id;
            out.cls = classes[static_cast<std::size_t>(j.cls)].name;
            out.submit_s = j.submit_s;
            out.start_s = j.first_start_s >= 0 ? std::optional(j.first_start_s) : std::nullopt;
            out.end_s = j.end_s >= 0 ? std::optional(j.end_s) : std::nullopt;
            out.gpus = j.gpus;
            out.work_gpu_h = j.work_ref_gpu_s / 3600.0;
            out.preemptions = j.preemptions;
            out.status = to_string(j.status);
            out.pool = j.alloc.pool >= 0 ? state.fleet.pool(j.alloc.pool).name : "";
            out.lost_work_gpu_h = j.lost_ref_gpu_s / 3600.0;
            // Racks the job's (last) placement spans: its locality in the fleet topology.
            out.racks.reset();
            if (!j.alloc.parts.empty()) {
                nodes.clear();
                for (const auto& part : j.alloc.parts)
                    nodes.push_back(part.first);
                out.racks = state.fleet.topology().racks_spanned(nodes);
            }
            write_csv_fields(csv, out);
            if (failures) {
                fault.interruptions = j.faults.interruptions;
                fault.failure_lost_work_gpu_h = j.faults.lost_ref_gpu_s / 3600.0;
                write_csv_fields(csv, fault);
            }
            csv.end_row();
        }
    });
}

/** failures.csv: one row per node a failure took down, in time order; a failure log that
    platform.failures.log replays as it is (so two policies can face the same failures). */
void write_failures_csv(const fs::path& path, const RunResult& result) {
    write_csv_file(path, [&](CsvWriter& csv) {
        write_csv_header<FailureLogRecord>(csv);
        FailureLogRecord out;
        for (const auto& f : result.failures) {
            out.t_s = f.t_s;
            out.node = result.state->fleet.node_name(f.node);
            out.duration_s = f.duration_s;
            out.gpu = f.gpu >= 0 ? std::optional(f.gpu) : std::nullopt;
            out.cause = to_string(f.cause);
            out.event = f.event;
            out.jobs_interrupted = f.jobs_interrupted;
            write_csv_row(csv, out);
        }
    });
}

std::string money(double usd) {
    // $1,234,567 for the table: whole dollars with thousands separators.
    const bool negative = usd < 0;
    auto whole = static_cast<long long>(std::llround(std::fabs(usd)));
    std::string digits = std::to_string(whole);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return (negative ? "-$" : "$") + out;
}

std::string grouped(double x) {
    std::string m = money(x);
    return m.substr(m.find('$') + 1).insert(0, x < 0 ? "-" : "");
}

}  // namespace

void write_outputs(const ScenarioSpec& scenario,
                   const RunResult& result,
                   const RunSummary& summary,
                   const std::string& dir) {
    const fs::path folder(dir);
    write_summary_json(folder / "summary.json", summary);
    write_classes_csv(folder / "classes.csv", summary.classes);
    const bool failures = scenario.platform.failures.enabled();
    write_timeseries_csv(folder / "timeseries.csv", *result.ledger, summary.classes,
                         result.state->fleet, failures, scenario.platform.fleet_changes());
    if (scenario.output.jobs_csv)
        write_jobs_csv(folder / "jobs.csv", *result.state, summary.classes, failures);
    if (failures)
        write_failures_csv(folder / "failures.csv", result);
    write_file(folder / "scenario.resolved.yaml", scenario.resolved_yaml);
}

std::string format_table(const RunSummary& f) {
    const FleetFigures& fleet = f.fleet;
    const RunTotals& totals = f.totals;
    std::string out = fmt::format("{} under {}: {} GPUs, {:.1f} days, seed {}\n\n", f.scenario,
                                  f.policy, fleet.gpus, f.horizon_s / 86400, f.seed);
    out += fmt::format("{:<16} {:>13} {:>14} {:>14} {:>14} {:>9} {:>14} {:>8} {:>10}\n", "class",
                       "GPU-h", "revenue", "cost", "profit", "$/GPU-h", "opp. cost", "served",
                       "wait p50");
    for (const auto& c : f.classes) {
        std::string served =
            c.served_fraction ? fmt::format("{:.1f}%", 100 * *c.served_fraction) : "-";
        std::string wait = c.wait_s_p50 ? fmt::format("{:.0f} s", *c.wait_s_p50) : "-";
        std::string rate =
            c.revenue_usd_per_gpu_h ? fmt::format("{:.2f}", *c.revenue_usd_per_gpu_h) : "-";
        out += fmt::format("{:<16} {:>13} {:>14} {:>14} {:>14} {:>9} {:>14} {:>8} {:>10}\n", c.name,
                           grouped(c.gpu_h), money(c.revenue_usd), money(c.cost_usd),
                           money(c.profit_usd), rate, money(c.opportunity_cost_usd), served, wait);
    }
    out += fmt::format("{:<16} {:>13} {:>14} {:>14} {:>14}\n", "idle GPUs",
                       grouped(fleet.gpu_h_unallocated), "", money(totals.idle_cost_usd),
                       money(-totals.idle_cost_usd));
    out += fmt::format(
        "{:<16} {:>13} {:>14} {:>14} {:>14} {:>9} {:>14}\n", "total", grouped(fleet.gpu_h_capacity),
        money(totals.revenue_usd), money(totals.cost_usd), money(totals.profit_usd),
        fmt::format("{:.2f}",
                    fleet.gpu_h_capacity > 0 ? totals.revenue_usd / fleet.gpu_h_capacity : 0),
        money(totals.opportunity_cost_usd));
    out += fmt::format(
        "\nutilization {:.1f}% (busy GPU-hours / capacity), energy {:.0f} MWh, mean shadow price "
        "${:.2f}/GPU-h\n",
        100 * fleet.utilization, fleet.energy_kwh / 1000,
        fleet.mean_shadow_price_usd_per_gpu_h.value_or(0));
    if (f.bound && f.bound->revenue_usd > 0) {
        out += fmt::format("hindsight bound on revenue {}: this run reached {:.1f}% of it\n",
                           money(f.bound->revenue_usd),
                           100 * totals.revenue_usd / f.bound->revenue_usd);
    }
    return out;
}

}  // namespace fleetsim
