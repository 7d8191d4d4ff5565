#include "sim/output/run_report.hpp"

#include "sim/config/input_error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

#ifndef FLEETSIM_VERSION
#define FLEETSIM_VERSION "0.0.0"
#endif

namespace fleetsim {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

/** Nearest-rank percentile of sorted values. */
double percentile_sorted(const std::vector<double>& sorted, double q) {
    const auto n = sorted.size();
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(n)));
    rank = std::clamp<std::size_t>(rank, 1, n);
    return sorted[rank - 1];
}

/** Weighted nearest-rank percentile over (value -> weight), values ascending. */
double percentile_weighted(const std::map<double, double>& weights, double total, double q) {
    double seen = 0;
    for (const auto& [v, w] : weights) {
        seen += w;
        if (seen >= q * total - 1e-12)
            return v;
    }
    return weights.rbegin()->first;
}

Json opt(const std::optional<double>& v) {
    return v ? Json(*v) : Json(nullptr);
}

std::string csv_num(double v) {
    return fmt::format("{}", v);
}
std::string csv_opt(const std::optional<double>& v) {
    return v ? csv_num(*v) : std::string();
}

void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
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

const char* fleetsim_version() {
    return FLEETSIM_VERSION;
}

RunFigures compute_figures(const ScenarioSpec& scenario, const RunResult& result) {
    const SchedulerState& state = *result.state;
    const Ledger& ledger = *result.ledger;
    RunFigures f;
    f.scenario = scenario.name;
    f.policy = scenario.policy.name;
    f.seed = scenario.seed;
    f.horizon_s = scenario.horizon_s;
    f.gpus = state.fleet.total_gpus();
    f.gpu_h_capacity = f.gpus * scenario.horizon_s / 3600.0;
    f.events = result.events;

    std::vector<long long> running_at_end(state.classes.size(), 0),
        waiting_at_end(state.classes.size(), 0);
    for (const auto& j : state.jobs) {
        if (j.status == JobStatus::running_at_end)
            running_at_end[static_cast<std::size_t>(j.cls)] += 1;
        if (j.status == JobStatus::waiting_at_end)
            waiting_at_end[static_cast<std::size_t>(j.cls)] += 1;
    }

    double busy_s = 0, held_s = 0, energy_j = 0;
    for (const auto& c : state.classes) {
        const ClassBook& b = ledger.classes()[static_cast<std::size_t>(c.id)];
        ClassFigures cf;
        cf.name = c.name;
        cf.family = to_string(c.family);
        cf.kind = to_string(c.kind);
        cf.unit =
            c.kind == Kind::service ? c.spec->service.unit : "GPU-hour of work (reference GPU)";
        cf.gpu_h = b.held_gpu_s / 3600.0;
        cf.busy_gpu_h = b.busy_gpu_s / 3600.0;
        cf.revenue_usd = b.revenue_usd;
        cf.cost_usd = b.cost_usd;
        cf.profit_usd = b.revenue_usd - b.cost_usd;
        if (cf.gpu_h > 0)
            cf.revenue_usd_per_gpu_h = cf.revenue_usd / cf.gpu_h;
        cf.opportunity_cost_usd = b.opportunity_cost_usd;
        cf.energy_kwh = b.energy_facility_j / 3.6e6;
        cf.demand_units = b.demand_units;
        cf.served_units = b.served_units;
        cf.lost_units = b.lost_units;
        if (b.demand_units > 0)
            cf.served_fraction = std::min(1.0, b.served_units / b.demand_units);
        cf.jobs_submitted = b.jobs_submitted;
        cf.jobs_completed = b.jobs_completed;
        cf.jobs_rejected = b.jobs_rejected;
        cf.jobs_running_at_end = running_at_end[static_cast<std::size_t>(c.id)];
        cf.jobs_waiting_at_end = waiting_at_end[static_cast<std::size_t>(c.id)];
        cf.preemptions = b.preemptions;
        cf.lost_work_gpu_h = b.lost_work_gpu_h;
        if (c.kind == Kind::batch) {
            cf.queue_len_mean = b.waiting_job_s / scenario.horizon_s;
            cf.jobs_in_system_mean = b.in_system_job_s / scenario.horizon_s;
            if (!b.job_waits_s.empty()) {
                std::vector<double> w = b.job_waits_s;
                std::sort(w.begin(), w.end());
                double sum = 0;
                for (double x : w)
                    sum += x;
                cf.wait_s_mean = sum / static_cast<double>(w.size());
                cf.wait_s_p50 = percentile_sorted(w, 0.50);
                cf.wait_s_p99 = percentile_sorted(w, 0.99);
            }
        } else if (!b.unit_waits_s.empty()) {
            double total = 0, sum = 0;
            for (const auto& [wait, units] : b.unit_waits_s) {
                total += units;
                sum += wait * units;
            }
            if (total > 0) {
                cf.wait_s_mean = sum / total;
                cf.wait_s_p50 = percentile_weighted(b.unit_waits_s, total, 0.50);
                cf.wait_s_p99 = percentile_weighted(b.unit_waits_s, total, 0.99);
            }
        }
        busy_s += b.busy_gpu_s;
        held_s += b.held_gpu_s;
        energy_j += b.energy_it_j;
        f.revenue_usd += cf.revenue_usd;
        f.cost_usd += cf.cost_usd;
        f.opportunity_cost_usd += cf.opportunity_cost_usd;
        f.classes.push_back(cf);
    }
    f.gpu_h_busy = busy_s / 3600.0;
    // Idle is integrated on its own (unallocated GPUs + allocated GPUs a service left idle),
    // so busy + idle = capacity checks the books rather than defining idle by subtraction.
    f.gpu_h_idle = (ledger.unallocated_gpu_s() + ledger.allocated_idle_gpu_s()) / 3600.0;
    f.gpu_h_allocated = held_s / 3600.0;
    f.gpu_h_unallocated = ledger.unallocated_gpu_s() / 3600.0;
    f.utilization = f.gpu_h_capacity > 0 ? f.gpu_h_busy / f.gpu_h_capacity : 0;
    f.idle_cost_usd = ledger.unallocated_cost_usd();
    f.cost_usd += f.idle_cost_usd;
    f.profit_usd = f.revenue_usd - f.cost_usd;
    f.energy_it_kwh = (energy_j + ledger.unallocated_energy_it_j()) / 3.6e6;
    double facility_j = ledger.unallocated_energy_facility_j();
    for (const auto& b : ledger.classes())
        facility_j += b.energy_facility_j;
    f.energy_kwh = facility_j / 3.6e6;
    if (result.energy_simgrid_it_j >= 0)
        f.energy_it_kwh_simgrid = result.energy_simgrid_it_j / 3.6e6;
    double shadow_x_s = 0;
    for (const auto& row : ledger.intervals())
        shadow_x_s += row.shadow_price_x_s;
    f.mean_shadow_price_usd_per_gpu_h =
        scenario.horizon_s > 0 ? shadow_x_s / scenario.horizon_s : 0;
    return f;
}

namespace {
fs::path partial_path(const std::string& dir) {
    return fs::path(dir + ".partial-" + std::to_string(::getpid()));
}
}  // namespace

void check_output_dir(const std::string& dir) {
    // Before the simulation, not after: a folder that cannot be made is the user's input
    // (--out, output.dir), and finding out after an hour-long run would waste the hour.
    const fs::path probe = partial_path(dir);
    std::error_code ec;
    fs::create_directories(probe, ec);
    if (ec)
        throw InputError(SourceSpan{dir, 0, 0}, "output.dir",
                         "cannot create the output folder: " + ec.message());
    fs::remove(probe, ec);
}

std::string write_outputs(const ScenarioSpec& scenario,
                          const RunResult& result,
                          const RunFigures& f,
                          const std::string& dir,
                          double wall_s) {
    const fs::path target = fs::path(dir);
    const fs::path partial = partial_path(dir);
    fs::remove_all(partial);
    fs::create_directories(partial);

    Json summary;
    summary["scenario"] = f.scenario;
    summary["policy"] = f.policy;
    summary["seed"] = f.seed;
    summary["horizon_s"] = f.horizon_s;
    Json fleet;
    fleet["gpus"] = f.gpus;
    fleet["gpu_h_capacity"] = f.gpu_h_capacity;
    fleet["gpu_h_busy"] = f.gpu_h_busy;
    fleet["gpu_h_idle"] = f.gpu_h_idle;
    fleet["utilization"] = f.utilization;
    fleet["energy_kwh"] = f.energy_kwh;
    fleet["cost_usd"] = f.cost_usd;
    fleet["gpu_h_allocated"] = f.gpu_h_allocated;
    fleet["gpu_h_unallocated"] = f.gpu_h_unallocated;
    fleet["energy_it_kwh"] = f.energy_it_kwh;
    fleet["energy_it_kwh_simgrid"] = opt(f.energy_it_kwh_simgrid);
    fleet["idle_cost_usd"] = f.idle_cost_usd;
    fleet["mean_shadow_price_usd_per_gpu_h"] = f.mean_shadow_price_usd_per_gpu_h;
    summary["fleet"] = fleet;
    Json classes = Json::object();
    for (const auto& c : f.classes) {
        Json j;
        j["family"] = c.family;
        j["kind"] = c.kind;
        j["unit"] = c.unit;
        j["gpu_h"] = c.gpu_h;
        j["busy_gpu_h"] = c.busy_gpu_h;
        j["revenue_usd"] = c.revenue_usd;
        j["cost_usd"] = c.cost_usd;
        j["profit_usd"] = c.profit_usd;
        j["revenue_usd_per_gpu_h"] = opt(c.revenue_usd_per_gpu_h);
        j["opportunity_cost_usd"] = c.opportunity_cost_usd;
        j["energy_kwh"] = c.energy_kwh;
        j["demand_units"] = c.demand_units;
        j["served_units"] = c.served_units;
        j["lost_units"] = c.lost_units;
        j["served_fraction"] = opt(c.served_fraction);
        j["jobs_submitted"] = c.jobs_submitted;
        j["jobs_completed"] = c.jobs_completed;
        j["jobs_rejected"] = c.jobs_rejected;
        j["jobs_running_at_end"] = c.jobs_running_at_end;
        j["jobs_waiting_at_end"] = c.jobs_waiting_at_end;
        j["wait_s_mean"] = opt(c.wait_s_mean);
        j["wait_s_p50"] = opt(c.wait_s_p50);
        j["wait_s_p99"] = opt(c.wait_s_p99);
        j["preemptions"] = c.preemptions;
        j["lost_work_gpu_h"] = c.lost_work_gpu_h;
        j["queue_len_mean"] = opt(c.queue_len_mean);
        j["jobs_in_system_mean"] = opt(c.jobs_in_system_mean);
        classes[c.name] = j;
    }
    summary["classes"] = classes;
    Json totals;
    totals["revenue_usd"] = f.revenue_usd;
    totals["cost_usd"] = f.cost_usd;
    totals["profit_usd"] = f.profit_usd;
    totals["opportunity_cost_usd"] = f.opportunity_cost_usd;
    totals["idle_cost_usd"] = f.idle_cost_usd;
    summary["totals"] = totals;
    if (f.bound_revenue_usd) {
        Json bound;
        bound["revenue_usd"] = *f.bound_revenue_usd;
        bound["revenue_fraction"] =
            *f.bound_revenue_usd > 0 ? Json(f.revenue_usd / *f.bound_revenue_usd) : Json(nullptr);
        summary["bound"] = bound;
    }
    summary["events"] = f.events;
    summary["wall_s"] = wall_s;
    summary["version"] = fleetsim_version();
    write_file(partial / "summary.json", summary.dump(2) + "\n");

    std::string csv = fmt::format("{}\n", fmt::join(classes_csv_columns(), ","));
    for (const auto& c : f.classes) {
        csv += fmt::format(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            c.name, c.family, c.kind, csv_num(c.gpu_h), csv_num(c.busy_gpu_h),
            csv_num(c.revenue_usd), csv_num(c.cost_usd), csv_num(c.profit_usd),
            csv_opt(c.revenue_usd_per_gpu_h), csv_num(c.opportunity_cost_usd),
            csv_num(c.energy_kwh), csv_num(c.demand_units), csv_num(c.served_units),
            csv_num(c.lost_units), csv_opt(c.served_fraction), c.jobs_submitted, c.jobs_completed,
            c.jobs_rejected, c.jobs_running_at_end, c.jobs_waiting_at_end, csv_opt(c.wait_s_mean),
            csv_opt(c.wait_s_p50), csv_opt(c.wait_s_p99), c.preemptions, csv_num(c.lost_work_gpu_h),
            csv_opt(c.queue_len_mean));
    }
    write_file(partial / "classes.csv", csv);

    std::string ts =
        "t_s,class,gpus_allocated,gpus_busy,demand_units_per_s,served_units_per_s,revenue_usd,"
        "shadow_price_usd_per_gpu_h,opportunity_cost_usd\n";
    for (const auto& row : result.ledger->intervals()) {
        if (row.length_s <= 0)
            continue;
        const double shadow = row.shadow_price_x_s / row.length_s;
        for (std::size_t i = 0; i < row.classes.size(); ++i) {
            const auto& r = row.classes[i];
            ts += fmt::format("{},{},{},{},{},{},{},{},{}\n", row.t_s, f.classes[i].name,
                              r.held_gpu_s / row.length_s, r.busy_gpu_s / row.length_s,
                              r.demand_units / row.length_s, r.served_units / row.length_s,
                              r.revenue_usd, shadow, r.opportunity_cost_usd);
        }
    }
    write_file(partial / "timeseries.csv", ts);

    if (scenario.output.jobs_csv) {
        std::ofstream jobs(partial / "jobs.csv", std::ios::binary);
        jobs << "job_id,class,submit_s,start_s,end_s,gpus,work_gpu_h,preemptions,status,pool,"
                "lost_work_gpu_h,racks\n";
        fmt::memory_buffer buf;
        std::vector<int> nodes;
        for (const auto& j : result.state->jobs) {
            const std::string start =
                j.first_start_s >= 0 ? fmt::format("{}", j.first_start_s) : "";
            const std::string end = j.end_s >= 0 ? fmt::format("{}", j.end_s) : "";
            const std::string pool =
                j.alloc.pool >= 0 ? result.state->fleet.pool(j.alloc.pool).name : "";
            // Racks the job's (last) placement spans: its locality in the fleet topology.
            std::string racks;
            if (!j.alloc.parts.empty()) {
                nodes.clear();
                for (const auto& part : j.alloc.parts)
                    nodes.push_back(part.first);
                racks = std::to_string(result.state->fleet.topology().racks_spanned(nodes));
            }
            fmt::format_to(std::back_inserter(buf), "{},{},{},{},{},{},{},{},{},{},{},{}\n", j.id,
                           f.classes[static_cast<std::size_t>(j.cls)].name, j.submit_s, start, end,
                           j.gpus, j.work_ref_gpu_s / 3600.0, j.preemptions, to_string(j.status),
                           pool, j.lost_ref_gpu_s / 3600.0, racks);
            if (buf.size() > (1 << 20)) {
                jobs.write(buf.data(), static_cast<std::streamsize>(buf.size()));
                buf.clear();
            }
        }
        jobs.write(buf.data(), static_cast<std::streamsize>(buf.size()));
        if (!jobs)
            throw std::runtime_error("cannot write jobs.csv");
    }
    write_file(partial / "scenario.resolved.yaml", scenario.resolved_yaml);

    // Swap into place only now: a folder at `dir` is always a complete run.
    if (fs::exists(target))
        fs::remove_all(target);
    if (target.has_parent_path())
        fs::create_directories(target.parent_path());
    fs::rename(partial, target);
    return target.string();
}

const std::vector<std::string>& classes_csv_columns() {
    // clang-format off
    static const std::vector<std::string> columns = {
        "class", "family", "kind", "gpu_h", "busy_gpu_h", "revenue_usd", "cost_usd", "profit_usd",
        "revenue_usd_per_gpu_h", "opportunity_cost_usd", "energy_kwh", "demand_units",
        "served_units", "lost_units", "served_fraction", "jobs_submitted", "jobs_completed",
        "jobs_rejected", "jobs_running_at_end", "jobs_waiting_at_end", "wait_s_mean", "wait_s_p50",
        "wait_s_p99", "preemptions", "lost_work_gpu_h", "queue_len_mean"};
    // clang-format on
    return columns;
}

std::string format_table(const RunFigures& f) {
    std::string out = fmt::format("{} under {}: {} GPUs, {:.1f} days, seed {}\n\n", f.scenario,
                                  f.policy, f.gpus, f.horizon_s / 86400, f.seed);
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
                       grouped(f.gpu_h_unallocated), "", money(f.idle_cost_usd),
                       money(-f.idle_cost_usd));
    out += fmt::format(
        "{:<16} {:>13} {:>14} {:>14} {:>14} {:>9} {:>14}\n", "total", grouped(f.gpu_h_capacity),
        money(f.revenue_usd), money(f.cost_usd), money(f.profit_usd),
        fmt::format("{:.2f}", f.gpu_h_capacity > 0 ? f.revenue_usd / f.gpu_h_capacity : 0),
        money(f.opportunity_cost_usd));
    out += fmt::format(
        "\nutilization {:.1f}% (busy GPU-hours / capacity), energy {:.0f} MWh, mean shadow price "
        "${:.2f}/GPU-h\n",
        100 * f.utilization, f.energy_kwh / 1000, f.mean_shadow_price_usd_per_gpu_h);
    if (f.bound_revenue_usd && *f.bound_revenue_usd > 0) {
        out += fmt::format("hindsight bound on revenue {}: this run reached {:.1f}% of it\n",
                           money(*f.bound_revenue_usd), 100 * f.revenue_usd / *f.bound_revenue_usd);
    }
    return out;
}

}  // namespace fleetsim
