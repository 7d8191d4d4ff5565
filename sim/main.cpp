// fleetsim: the command line (design.md section 5). Exit codes: 0 success, 2 bad input,
// 1 internal error. Logs go to stderr; stdout carries only the report table.

#include "policies/registry.hpp"
#include "sim/bound/hindsight_bound.hpp"
#include "sim/config/output_folder.hpp"
#include "sim/config/cli_number.hpp"
#include "sim/config/scenario_loader.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/generators/job_source.hpp"
#include "sim/io/csv.hpp"
#include "sim/output/run_figures.hpp"
#include "sim/output/run_files.hpp"
#include "sim/report/compare.hpp"
#include "sim/report/report.hpp"
#include "sim/sweep/breakeven.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/sweep_run.hpp"
#include "sim/traces/trace_commands.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>

namespace fleetsim {
namespace {

struct Options {
    std::string scenario;
    std::vector<std::string> sets;
    std::string seed;
    std::string scale;
    std::string out;
    int verbosity = 0;
    bool quiet = false;
    bool markdown = false;
    bool no_report = false;
    ReportOptions report;
    bool bound = false;
    double interval_s = 0;
};

constexpr const char* kScaleHelp =
    "scale the fleet and every demand and arrival rate together (same as --set scale=X; "
    "prices, job sizes and per-unit costs do not scale)";

/**
 * The command line's numbers: CLI11 takes each as text, and after parsing every given one is
 * converted by the one checked parser (sim/config/cli_number.hpp), like a YAML value: "nan",
 * "0" where a positive number is expected or "1e9" for a count are refused with exit 2, never
 * replaced by the default.
 */
class NumberOptions {
public:
    CLI::Option* add(CLI::App* cmd,
                     const std::string& name,
                     double& target,
                     Range range,
                     const std::string& help) {
        auto& n = numbers_.emplace_back();
        n.target = &target;
        n.range = range;
        n.option = cmd->add_option(name, n.text, help);
        return n.option;
    }
    template <class Int>
    CLI::Option* add_integer(
        CLI::App* cmd, const std::string& name, Int& target, Range range, const std::string& help) {
        auto& n = numbers_.emplace_back();
        n.set_integer = [&target](long long v) { target = static_cast<Int>(v); };
        n.range = range;
        n.option = cmd->add_option(name, n.text, help);
        return n.option;
    }
    /** Converts every option given; throws InputError for the first bad one. */
    void convert() const {
        for (const auto& n : numbers_) {
            if (n.option->count() == 0)
                continue;
            const std::string name = n.option->get_name();  // the long name: --jobs
            if (n.set_integer)
                n.set_integer(parse_cli_integer(name, n.text, n.range));
            else
                *n.target = parse_cli_number(name, n.text, n.range);
        }
    }

private:
    struct Number {
        std::string text;
        double* target = nullptr;
        std::function<void(long long)> set_integer;
        Range range;
        CLI::Option* option = nullptr;
    };
    std::deque<Number> numbers_;  // stable addresses: CLI11 keeps a pointer to each text
};

void setup_logging(int verbosity) {
    auto logger = spdlog::stderr_color_mt("fleetsim");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("[%l] %v");
    spdlog::set_level(verbosity >= 2   ? spdlog::level::debug
                      : verbosity == 1 ? spdlog::level::info
                                       : spdlog::level::warn);
}

std::vector<Override> collect_overrides(const Options& o) {
    std::vector<Override> out;
    for (const auto& s : o.sets)
        out.push_back(parse_override(s));
    // --seed, --scale and --out are shorthands for --set seed=N, --set scale=X and
    // --set output.dir=DIR.
    if (!o.seed.empty())
        out.push_back(Override{"seed", o.seed});
    if (!o.scale.empty())
        out.push_back(Override{"scale", o.scale});
    if (!o.out.empty())
        out.push_back(Override{"output.dir", o.out});
    return out;
}

void write_text_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

/** output_folder::prepare(), with the leftovers of killed runs it removed in the log. */
std::string prepare_output(const std::string& dir, const std::string& kind) {
    const output_folder::Prepared p = output_folder::prepare(dir, kind);
    for (const auto& c : p.cleaned)
        spdlog::info("removed {}, left by a killed fleetsim", c);
    return p.dir;
}

int run(const Options& o) {
    const auto t0 = std::chrono::steady_clock::now();
    Diagnostics diagnostics;
    const std::string path = o.scenario.empty() ? kBuiltinScenario : o.scenario;
    ScenarioSpec scenario = load_scenario(path, collect_overrides(o), diagnostics);
    PolicyInstance policy = PolicyRegistry::instance().create(scenario);
    // Before the simulation: a path that holds the user's files is refused now, not after an
    // hour-long run (and never cleared).
    const std::string dir = prepare_output(scenario.output.dir, "run");
    spdlog::info(
        "running {} ({} GPUs, {} classes, horizon {} s) under {}", scenario.name,
        [&] {
            long long g = 0;
            for (const auto& p : scenario.platform.pools)
                g += static_cast<long long>(p.nodes) * p.gpus_per_node;
            return g;
        }(),
        scenario.workload.classes.size(), scenario.horizon_s, scenario.policy.name);
    std::optional<BoundResult> bound;
    if (o.bound)
        bound = hindsight_bound(scenario, BoundOptions{o.interval_s});
    RunResult result = run_simulation(scenario, std::move(policy));
    RunSummary figures =
        compute_figures(scenario, result, bound ? std::optional(bound->revenue_usd) : std::nullopt);
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    figures.wall_s = wall_s;
    // The whole result, report.html included, goes into a staging folder that is swapped in
    // only when complete: a kill or a full disk leaves the old result, never a half new one.
    const bool with_report = !o.no_report && report_available();
    const std::string staging = output_folder::begin_staging(dir, "run");
    try {
        write_outputs(scenario, result, figures, staging);
        if (bound)
            write_text_file(staging + "/bound.json", bound_json(scenario, *bound));
        // The report reads the folder just written, as `fleetsim report DIR` would. A build
        // without the report still runs: the firm files are written, and it says why there is
        // no page.
        if (with_report)
            write_report(staging);
        output_folder::commit(staging, dir);
    } catch (...) {
        output_folder::abandon(staging);
        throw;
    }
    if (!with_report && !o.no_report)
        spdlog::warn("report.html not written: {} (--no-report silences this)",
                     report_unavailable_reason());
    if (!o.quiet) {
        std::cout << format_table(figures);
        std::cout << fmt::format(
            "wrote {}/ (summary.json, classes.csv, timeseries.csv{}{}) in {:.2f} s\n", dir,
            scenario.output.jobs_csv ? ", jobs.csv" : "", with_report ? ", report.html" : "",
            wall_s);
    }
    return 0;
}

int report(const Options& o) {
    if (!report_available()) {
        // Not an internal error and nothing wrong with DIR: a request this build cannot serve,
        // like an unknown command (exit 2, docs/report.md).
        std::cerr << "fleetsim report: " << report_unavailable_reason() << "\n";
        return 2;
    }
    const std::string path = write_report(o.scenario, o.report);
    if (!o.quiet)
        std::cout << "wrote " << path << "\n";
    return 0;
}

/** `fleetsim compare RUN_DIR...`: the headline on stdout, compare.csv and compare.html. */
int compare(const std::vector<std::string>& dirs, const std::string& out_dir, bool quiet) {
    const Comparison c = compare_runs(dirs);
    const std::string out = out_dir.empty() ? "results/compare" : out_dir;
    const std::vector<std::string> written = write_comparison(c, out);
    if (quiet)
        return 0;
    for (const auto& sentence : c.headline) {
        for (const auto& part : sentence)
            std::cout << part.text;
        std::cout << "\n";
    }
    for (const auto& w : c.warnings)
        std::cout << "note: " << w << "\n";
    for (const auto& path : written)
        std::cout << "wrote " << path << "\n";
    if (!report_available())
        std::cout << "no compare.html: " << report_unavailable_reason() << "\n";
    return 0;
}

int bound(const Options& o) {
    Diagnostics diagnostics;
    Options scenario_only = o;
    scenario_only.out.clear();  // --out names the bound's folder, not the run's
    const std::string path = o.scenario.empty() ? kBuiltinScenario : o.scenario;
    ScenarioSpec scenario = load_scenario(path, collect_overrides(scenario_only), diagnostics);
    const std::string dir =
        prepare_output(o.out.empty() ? "results/" + scenario.name + "-bound" : o.out, "bound");
    const BoundResult b = hindsight_bound(scenario, BoundOptions{o.interval_s});
    const std::string staging = output_folder::begin_staging(dir, "bound");
    try {
        write_text_file(staging + "/bound.json", bound_json(scenario, b));
        output_folder::commit(staging, dir);
    } catch (...) {
        output_folder::abandon(staging);
        throw;
    }
    if (!o.quiet) {
        std::cout << fmt::format(
            "{}: hindsight bound on revenue ${:.0f} (LP: {} intervals of {:.0f} s, {} variables, "
            "{} constraints; {} jobs); wrote {}/bound.json\n",
            scenario.name, b.revenue_usd, b.intervals, b.interval_s, b.variables, b.constraints,
            b.jobs, dir);
    }
    return 0;
}

int validate(const Options& o) {
    Diagnostics diagnostics(/*collect_all=*/true);
    std::vector<std::string> problems;
    try {
        ScenarioSpec scenario = load_scenario(o.scenario, collect_overrides(o), diagnostics);
        (void)PolicyRegistry::instance().create(scenario);
        std::cout << fmt::format("{}: valid ({} pools, {} classes, policy {})\n", o.scenario,
                                 scenario.platform.pools.size(), scenario.workload.classes.size(),
                                 scenario.policy.name);
        return 0;
    } catch (const InputErrors& e) {
        for (const auto& err : e.errors())
            problems.emplace_back(err.what());
    } catch (const InputError& e) {
        for (const auto& err : diagnostics.errors())
            problems.emplace_back(err.what());
        problems.emplace_back(e.what());
    }
    for (const auto& p : problems)
        std::cerr << p << "\n";
    std::cerr << fmt::format("{}: {} problem{}\n", o.scenario, problems.size(),
                             problems.size() == 1 ? "" : "s");
    return 2;
}

/** `trace generate`: the scenario's batch jobs, as JobSource draws them, written as a log. */
int trace_generate(const Options& o, const TraceCommandOptions& to) {
    Diagnostics diagnostics;
    const ScenarioSpec scenario = load_scenario(o.scenario, collect_overrides(o), diagnostics);
    const TraceOutputFormat format = parse_output_format(to.to);
    // A first pass for the largest gang (SWF MaxProcs, Batsim nb_res).
    long long max_gpus = 0, jobs = 0;
    for (JobSource source(scenario); source.next_time() < scenario.horizon_s; ++jobs)
        max_gpus = std::max<long long>(max_gpus, source.pop().gpus);
    write_file_atomically(to.output, [&](std::ostream& out) {
        auto writer = make_trace_writer(
            format, out,
            TraceWriterInfo{fmt::format("the batch jobs of scenario {} (seed {}) drawn by fleetsim",
                                        scenario.name, scenario.seed),
                            max_gpus});
        JobSource source(scenario);
        TraceJob t;
        for (long long id = 1; source.next_time() < scenario.horizon_s; ++id) {
            const JobArrival j = source.pop();
            t.id = std::to_string(id);
            t.submit_s = j.submit_s;
            t.size = j.gpus;
            t.run_s = j.work_ref_gpu_s / j.gpus;
            t.requested_s = j.requested_s;
            t.wait_s = -1;
            t.status.clear();
            writer->write(t);
        }
        writer->finish();
    });
    if (!o.quiet)
        std::cout << fmt::format("wrote {} jobs of {} to {} ({})\n", jobs, scenario.name, to.output,
                                 to.to);
    return 0;
}

int list_policies(const Options& o) {
    for (const auto& info : PolicyRegistry::instance().list()) {
        if (o.markdown) {
            std::cout << fmt::format("### `{}`\n\n{}\n\nSource: {}.\n\n", info.name, info.summary,
                                     info.source);
            std::cout << "| parameter | type | default | unit | meaning |\n|---|---|---|---|---|\n";
            for (const auto& p : info.params) {
                std::cout << fmt::format(
                    "| `{}` | {} | {} | {} | {} |\n", p.key, p.type,
                    p.default_value.empty() ? "required" : "`" + p.default_value + "`", p.unit,
                    p.help);
            }
            std::cout << "\n";
            continue;
        }
        std::cout << fmt::format("{:<18} {}\n", info.name, info.summary);
        for (const auto& p : info.params) {
            std::cout << fmt::format("    {:<14} {} (default {}{}) {}\n", p.key, p.type,
                                     p.default_value.empty() ? "required" : p.default_value,
                                     p.unit.empty() ? "" : ", " + p.unit, p.help);
        }
    }
    return 0;
}

}  // namespace
}  // namespace fleetsim

int main(int argc, char** argv) {
    using namespace fleetsim;
    sweep::die_with_sweep();
    CLI::App app{
        "fleetsim: a discrete-event simulator of a GPU fleet shared by LLM and video work"};
    app.require_subcommand(1);
    Options o;
    NumberOptions numbers;
    auto* run_cmd = app.add_subcommand(
        "run", "run a scenario (no scenario: the built-in default) and write its results");
    run_cmd->add_option("scenario", o.scenario, "scenario YAML file");
    run_cmd->add_option("--set", o.sets, "override any scenario value by its dotted key: KEY=VALUE")
        ->take_all();
    run_cmd->add_option("--seed", o.seed, "random seed (same as --set seed=N)");
    run_cmd->add_option("--scale", o.scale, kScaleHelp);
    run_cmd->add_option("--out", o.out, "output folder (same as --set output.dir=DIR)");
    run_cmd->add_flag("-v,--verbose", o.verbosity, "more logging on stderr (-vv: every event)");
    run_cmd->add_flag("-q,--quiet", o.quiet, "print nothing on success");
    run_cmd->add_flag("--no-report", o.no_report, "do not write report.html");
    run_cmd->add_flag("--bound", o.bound,
                      "also compute the hindsight bound on revenue (summary.json \"bound\", "
                      "bound.json)");
    numbers.add(run_cmd, "--bound-interval-s", o.interval_s, Range::positive,
                "the bound's LP interval (default: output.timeseries_interval_s)");
    auto* bound_cmd = app.add_subcommand(
        "bound", "an upper bound on the revenue any policy can earn from the scenario's demand");
    bound_cmd->add_option("scenario", o.scenario, "scenario YAML file");
    bound_cmd->add_option("--set", o.sets, "override any scenario value by its dotted key")
        ->take_all();
    bound_cmd->add_option("--seed", o.seed, "random seed (same as --set seed=N)");
    bound_cmd->add_option("--scale", o.scale, kScaleHelp);
    bound_cmd->add_option("--out", o.out, "folder for bound.json (default results/NAME-bound)");
    numbers.add(bound_cmd, "--interval-s", o.interval_s, Range::positive,
                "LP interval, a whole multiple of tick_s, at most horizon_s (default: "
                "output.timeseries_interval_s)");
    bound_cmd->add_flag("-q,--quiet", o.quiet, "print nothing on success");
    auto* validate_cmd = app.add_subcommand(
        "validate", "check a scenario and every file it names; exit 2 on problems");
    validate_cmd->add_option("scenario", o.scenario, "scenario YAML file")->required();
    validate_cmd->add_option("--set", o.sets, "override a value by its dotted key: KEY=VALUE")
        ->take_all();
    validate_cmd->add_option("--scale", o.scale, kScaleHelp);
    auto* policies_cmd =
        app.add_subcommand("policies", "list the registered policies and their parameters");
    policies_cmd->add_flag("--markdown", o.markdown, "print as Markdown (docs/policies.md)");
    auto* config_keys_cmd = app.add_subcommand(
        "config-keys", "list every key of the scenario, platform and workload files");
    config_keys_cmd->add_flag("--markdown", o.markdown, "print as Markdown (docs/config.md)");
    auto* report_cmd = app.add_subcommand(
        "report", "write report.html for a run folder or a sweep folder (docs/report.md)");
    report_cmd->add_option("dir", o.scenario, "the folder a run or a sweep wrote")->required();
    report_cmd->add_option("--x", o.report.x_key, "sweep: the swept key across the heat maps");
    report_cmd->add_option("--y", o.report.y_key, "sweep: the swept key down the heat maps");
    report_cmd->add_flag("-q,--quiet", o.quiet, "print nothing on success");
    TraceCommandOptions to;
    auto* trace_cmd = app.add_subcommand(
        "trace", "look at, convert and write job and request logs (docs/traces.md)");
    trace_cmd->require_subcommand(1);
    auto add_map_options = [&](CLI::App* cmd) {
        cmd->add_option("--format", to.format,
                        "swf, itp, batsim, csv, azure or mooncake (default: from the file)");
        numbers.add(cmd, "--flops-per-s", to.flops_per_s, Range::positive,
                    "batsim: host speed that turns a parallel task's flops into seconds");
        cmd->add_option("--map", to.maps,
                        "csv: KEY=COLUMN[-COLUMN][*COLUMN][*NUMBER] for submit_s, run_s, gpus, "
                        "requested_s, wait_s, id, status")
            ->take_all();
        cmd->add_option("--header", to.header,
                        "csv: the column names of a file without a header line, comma-separated");
    };
    auto* trace_stats_cmd = trace_cmd->add_subcommand(
        "stats", "the figures of a job or request log: counts, GPU-hours, percentiles, hours");
    trace_stats_cmd->add_option("file", to.input, "the log (a folder: ITP cluster*.csv files)")
        ->required();
    add_map_options(trace_stats_cmd);
    numbers.add_integer(trace_stats_cmd, "--capacity", to.capacity, Range{1, 1e12},
                        "processors or GPUs of the machine, for the offered utilization "
                        "(default: the log's header)");
    trace_stats_cmd->add_flag("--json", to.json, "print the figures as JSON");
    auto* trace_convert_cmd = trace_cmd->add_subcommand(
        "convert", "write a job log in another format (SWF, Batsim JSON or fleetsim's CSV)");
    trace_convert_cmd->add_option("in", to.input, "the job log")->required();
    trace_convert_cmd->add_option("out", to.output, "the file to write (must not exist)")
        ->required();
    trace_convert_cmd->add_option("--to", to.to, "swf, batsim or csv")->required();
    add_map_options(trace_convert_cmd);
    auto* trace_generate_cmd = trace_cmd->add_subcommand(
        "generate", "write the batch jobs a scenario's workload draws as a job log");
    trace_generate_cmd->add_option("scenario", o.scenario, "scenario YAML file")->required();
    trace_generate_cmd->add_option("out", to.output, "the file to write (must not exist)")
        ->required();
    trace_generate_cmd->add_option("--to", to.to, "swf, batsim or csv")->required();
    trace_generate_cmd->add_option("--set", o.sets, "override a value by its dotted key")
        ->take_all();
    trace_generate_cmd->add_option("--seed", o.seed, "random seed (same as --set seed=N)");
    std::vector<std::string> compare_dirs;
    std::string compare_out;
    auto* compare_cmd = app.add_subcommand(
        "compare",
        "runs side by side: per class and family, differences against the first run "
        "(docs/report.md)");
    compare_cmd->add_option("runs", compare_dirs, "two or more run folders; the first is the base")
        ->required();
    compare_cmd->add_option("--out", compare_out,
                            "folder for compare.csv and compare.html (default results/compare)");
    compare_cmd->add_flag("-q,--quiet", o.quiet, "print nothing on success");
    sweep::BreakevenOptions bo;
    double be_target = 0;
    auto* breakeven_cmd = app.add_subcommand(
        "breakeven",
        "the value of a key at which a figure of the run crosses a target, by bisection over "
        "runs (docs/planning.md)");
    breakeven_cmd->add_option("scenario", o.scenario, "scenario YAML file (none: the default)");
    breakeven_cmd->add_option("--key", bo.key, "the dotted key to vary")->required();
    numbers.add(breakeven_cmd, "--low", bo.low, Range::any, "one end of the interval searched")
        ->required();
    numbers.add(breakeven_cmd, "--high", bo.high, Range::any, "the other end")->required();
    breakeven_cmd
        ->add_option("--figure", bo.figure,
                     "a number of summary.json by its dotted path (default totals.profit_usd)")
        ->default_val("totals.profit_usd");
    auto* be_target_opt =
        numbers.add(breakeven_cmd, "--target", be_target, Range::any, "the figure's value sought");
    auto* be_from_opt = breakeven_cmd->add_option(
        "--target-from", bo.target_from, "a run folder: the target is its figure (a baseline)");
    be_target_opt->excludes(be_from_opt);
    numbers.add(breakeven_cmd, "--tolerance", bo.tolerance, Range::positive,
                "stop when the interval is this narrow, in the key's unit (default: its width / "
                "1024)");
    numbers.add_integer(breakeven_cmd, "--max-runs", bo.max_runs, Range{3, 100'000},
                        "at most this many runs (default 40)");
    breakeven_cmd->add_option("--set", o.sets, "override a value in every run: KEY=VALUE")
        ->take_all();
    breakeven_cmd->add_option("--seed", o.seed, "random seed (same as --set seed=N)");
    breakeven_cmd->add_option("--scale", o.scale, kScaleHelp);
    breakeven_cmd->add_option("--out", bo.out, "folder (default results/breakeven-<scenario>)");
    breakeven_cmd->add_flag("-q,--quiet", bo.quiet, "print nothing on success");
    sweep::SweepOptions so;
    sweep::MergeOptions mo;
    auto* sweep_cmd = app.add_subcommand(
        "sweep", "run many variations of a scenario (docs/sweeps.md) into one SQLite database");
    sweep_cmd->add_option("sweep_file", so.sweep_file, "sweep YAML file");
    numbers.add_integer(sweep_cmd, "-j,--jobs", so.jobs, Range{1, 1 << 16},
                        "points run at once (default: every core; 1 per rank under MPI)");
    sweep_cmd->add_option("--out", so.out, "sweep folder (default results/<sweep name>)");
    sweep_cmd->add_option("--shard", so.shard,
                          "I/N: run only the points whose id % N == I (join with sweep merge)");
    sweep_cmd->add_flag("--retry-failed", so.retry_failed, "run failed points again");
    sweep_cmd->add_flag("--list", so.list, "print the points as CSV and run nothing");
    sweep_cmd->add_option("--mpi", so.mpi, "auto (when started by mpirun or srun), on or off")
        ->check(CLI::IsMember({"auto", "on", "off"}));
    sweep_cmd->add_flag("-q,--quiet", so.quiet, "no progress line and no summary");
    bool sweep_no_report = false;
    sweep_cmd->add_flag("--no-report", sweep_no_report, "do not write report.html");
    numbers.add(sweep_cmd, "--progress-every", so.progress_every_s, Range{0, 1e9},
                "off a terminal (mpirun, Slurm, a pipe): a progress line every this many "
                "seconds (default 30; 0: only the first and the last)");
    sweep_cmd->add_flag("-v,--verbose", o.verbosity, "more logging on stderr");
    auto* merge_cmd = sweep_cmd->add_subcommand(
        "merge", "join the sweep folders of one sweep's shards into one folder");
    merge_cmd->add_option("out", mo.out, "the merged sweep folder")->required();
    merge_cmd->add_option("shards", mo.sources, "the shards' sweep folders")->required();
    merge_cmd->add_flag("-q,--quiet", mo.quiet, "no summary");
    bool merge_no_report = false;
    merge_cmd->add_flag("--no-report", merge_no_report, "do not write report.html");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    setup_logging(o.verbosity);
    try {
        numbers.convert();
        if (*run_cmd)
            return run(o);
        if (*validate_cmd)
            return validate(o);
        if (*bound_cmd)
            return bound(o);
        if (*policies_cmd)
            return list_policies(o);
        if (*config_keys_cmd) {
            std::cout << (o.markdown ? config_keys_markdown() : config_keys_text());
            return 0;
        }
        if (*report_cmd)
            return report(o);
        if (*trace_stats_cmd)
            return trace_stats_command(to);
        if (*trace_convert_cmd)
            return trace_convert_command(to);
        if (*trace_generate_cmd)
            return trace_generate(o, to);
        if (*compare_cmd)
            return compare(compare_dirs, compare_out, o.quiet);
        if (*breakeven_cmd) {
            bo.scenario = o.scenario;
            bo.overrides = collect_overrides(o);
            if (be_target_opt->count() > 0)
                bo.target = be_target;
            return sweep::run_breakeven(bo);
        }
        // A sweep folder gets its report as a run's folder does (`--no-report` to skip it); a
        // build without the report says why there is none, and the sweep goes on.
        const auto sweep_report = [](const std::string& dir) { (void)write_report(dir); };
        const auto with_report = [](bool no_report) {
            if (!no_report && !report_available())
                spdlog::warn("report.html not written: {} (--no-report silences this)",
                             report_unavailable_reason());
            return !no_report && report_available();
        };
        if (*merge_cmd) {
            if (with_report(merge_no_report))
                mo.write_report = sweep_report;
            return sweep::merge_sweeps(mo);
        }
        if (*sweep_cmd) {
            if (so.sweep_file.empty()) {
                std::cerr << "fleetsim sweep: a SWEEP file is required (see --help)\n";
                return 2;
            }
            // Every setting's policy is created once before any point runs: a misspelt name
            // or parameter stops the sweep with exit 2 instead of failing its points.
            so.check = [](const ScenarioSpec& s) { (void)PolicyRegistry::instance().create(s); };
            if (!so.list && with_report(sweep_no_report))
                so.write_report = sweep_report;
            return sweep::run_sweep(so);
        }
    } catch (const InputErrors& e) {
        std::cerr << "fleetsim: " << e.what() << "\n";
        return 2;
    } catch (const InputError& e) {
        std::cerr << "fleetsim: " << e.what() << "\n";
        return 2;
    } catch (const CsvError& e) {  // a CSV file read as input (fleetsim report): bad input too
        std::cerr << "fleetsim: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "fleetsim: internal error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
