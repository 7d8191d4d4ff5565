#include "sim/sweep/breakeven.hpp"

#include "sim/config/output_folder.hpp"
#include "sim/io/csv.hpp"
#include "sim/sweep/point_runner.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace fleetsim::sweep {
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

/** The marker that OUT was written by breakeven (and may be replaced by it). */
constexpr const char* kResultFile = "breakeven.json";

InputError option_error(const std::string& option, const std::string& message) {
    return InputError(SourceSpan{"<command line: " + option + ">", 0, 0}, option, message);
}

Json read_json_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(SourceSpan{path.string(), 0, 0}, "", "cannot read the file");
    std::stringstream text;
    text << in.rdbuf();
    try {
        return Json::parse(text.str());
    } catch (const Json::exception& e) {
        throw InputError(SourceSpan{path.string(), 0, 0}, "",
                         std::string("expected JSON, found: ") + e.what());
    }
}

/** One run of the bisection. */
struct Step {
    int run = 0;
    double x = 0;
    double figure = 0;
    double diff = 0;  ///< figure - target
};

int sign(double d) {
    return (d > 0) - (d < 0);
}

class Bisection {
public:
    Bisection(const BreakevenOptions& o, const ScenarioSpec& scenario, std::string dir)
        : o_(o), dir_(std::move(dir)) {
        plan_.name = "breakeven";
        plan_.base = o.scenario.empty() ? kBuiltinScenario : o.scenario;
        plan_.fixed = o.overrides;
        plan_.keys = {o.key};
        plan_.keep_point_outputs = true;
        seed_ = scenario.seed;
        runner_ = std::make_unique<PointRunner>(
            plan_,
            RunnerConfig{self_exe(), dir_, (fs::path(dir_) / "work").string(),
                         std::to_string(getpid()), 0},
            1);
    }

    /** Runs the scenario with the key at `x`; the figure of its summary.json. */
    Step evaluate(double x, double target) {
        SweepPoint point;
        point.id = static_cast<long long>(plan_.points.size());
        SweptValue v;
        v.kind = SweptValue::Kind::real;
        v.real = x;
        v.override_text = fmt::format("{}", x);
        point.values = {v};
        point.seed = seed_;
        plan_.points.push_back(point);
        runner_->start(point.id);
        std::vector<PointOutcome> done;
        while (done.empty()) {
            done = runner_->collect(std::chrono::seconds(3600));
            if (runner_->interrupted()) {
                runner_->stop_all();
                throw Interrupted{runner_->interrupted()};
            }
        }
        const PointOutcome& r = done.front();
        if (r.status != PointOutcome::Status::done) {
            const std::string what =
                fmt::format("the run with {} = {} failed: {}", o_.key, v.override_text, r.error);
            if (r.exit_code && *r.exit_code == 2)
                throw option_error("--key", what);
            throw std::runtime_error(what);
        }
        Step s;
        s.run = static_cast<int>(point.id) + 1;
        s.x = x;
        s.figure = summary_figure((fs::path(dir_) / "points" / std::to_string(point.id)).string(),
                                  o_.figure);
        s.diff = s.figure - target;
        steps_.push_back(s);
        return s;
    }

    const std::vector<Step>& steps() const { return steps_; }

    struct Interrupted {
        int signal;
    };

private:
    const BreakevenOptions& o_;
    std::string dir_;
    SweepPlan plan_;
    std::uint64_t seed_ = 0;
    std::unique_ptr<PointRunner> runner_;
    std::vector<Step> steps_;
};

void print_step(const Step& s, const BreakevenOptions& o, double lo, double hi) {
    std::cout << fmt::format(
                     "run {:>2}  {} = {:<12} {} = {:<16.6g} {:+.6g} from the target   "
                     "crossing in [{:.8g}, {:.8g}]\n",
                     s.run, o.key, fmt::format("{:.8g}", s.x), o.figure, s.figure, s.diff, lo, hi)
              << std::flush;
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

double summary_figure(const std::string& run_dir, const std::string& path) {
    const fs::path file = fs::path(run_dir) / "summary.json";
    const Json summary = read_json_file(file);
    const Json* at = &summary;
    std::string walked;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t dot = path.find('.', start);
        const std::string part =
            path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!at->is_object() || !at->contains(part)) {
            std::string keys;
            if (at->is_object()) {
                for (const auto& [k, v] : at->items())
                    keys += (keys.empty() ? "" : ", ") + k;
            }
            throw InputError(SourceSpan{file.string(), 0, 0}, path,
                             "no '" + part + "' under '" + (walked.empty() ? "<top>" : walked) +
                                 "'" + (keys.empty() ? "" : "; it has " + keys));
        }
        at = &(*at)[part];
        walked += (walked.empty() ? "" : ".") + part;
        if (dot == std::string::npos)
            break;
        start = dot + 1;
    }
    if (!at->is_number())
        throw InputError(SourceSpan{file.string(), 0, 0}, path,
                         "expected a number, found " + at->dump());
    return at->get<double>();
}

int run_breakeven(const BreakevenOptions& o) {
    if (!(o.low < o.high))
        throw option_error("--low",
                           fmt::format("expected --low < --high, found {} and {}", o.low, o.high));
    if (o.target.has_value() == !o.target_from.empty())
        throw option_error("--target", "expected exactly one of --target and --target-from");
    if (o.max_runs < 3)
        throw option_error("--max-runs", "expected at least 3 runs (two ends and a middle)");
    const double tolerance = o.tolerance > 0 ? o.tolerance : (o.high - o.low) / 1024;
    // The scenario must load with the key at both ends: a misspelt key or a value out of its
    // range is refused here, with the loader's message, before any run.
    Diagnostics diagnostics;
    const std::string path = o.scenario.empty() ? kBuiltinScenario : o.scenario;
    ScenarioSpec scenario;
    for (double x : {o.low, o.high}) {
        std::vector<Override> with = o.overrides;
        with.push_back(Override{o.key, fmt::format("{}", x)});
        scenario = load_scenario(path, with, diagnostics);
    }
    const double target = o.target ? *o.target : summary_figure(o.target_from, o.figure);
    // Checked before the first run (sim/config/output_folder.hpp): a folder of the user's is
    // refused, a previous breakeven result is replaced whole once this one is complete.
    const output_folder::Prepared prepared = output_folder::prepare(
        o.out.empty() ? "results/breakeven-" + scenario.name : o.out, "breakeven");
    for (const auto& c : prepared.cleaned)
        spdlog::info("removed {}, left by a killed fleetsim", c);
    const std::string out = prepared.dir;
    const std::string partial = output_folder::begin_staging(out, "breakeven");

    if (!o.quiet)
        std::cout << fmt::format("breakeven: {} in [{}, {}] where {} = {:.6g}{}\n", o.key, o.low,
                                 o.high, o.figure, target,
                                 o.target_from.empty() ? "" : " (as in " + o.target_from + ")");
    SignalGuard signals;
    Bisection b(o, scenario, partial);
    double lo = o.low, hi = o.high;
    Step s_lo, s_hi;
    std::optional<double> exact;
    try {
        s_lo = b.evaluate(lo, target);
        if (!o.quiet)
            print_step(s_lo, o, lo, hi);
        s_hi = b.evaluate(hi, target);
        if (!o.quiet)
            print_step(s_hi, o, lo, hi);
        if (s_lo.diff == 0)
            exact = lo;
        else if (s_hi.diff == 0)
            exact = hi;
        else if (sign(s_lo.diff) == sign(s_hi.diff)) {
            throw option_error(
                "--low",
                fmt::format("no crossing in [{}, {}]: {} - target is {:+.6g} at {} and {:+.6g} "
                            "at {}; widen the interval",
                            o.low, o.high, o.figure, s_lo.diff, o.low, s_hi.diff, o.high));
        }
        while (!exact && hi - lo > tolerance && static_cast<int>(b.steps().size()) < o.max_runs) {
            const double mid = lo + (hi - lo) / 2;
            const Step s = b.evaluate(mid, target);
            if (s.diff == 0) {
                exact = mid;
            } else if (sign(s.diff) == sign(s_lo.diff)) {
                lo = mid;
                s_lo = s;
            } else {
                hi = mid;
                s_hi = s;
            }
            if (!o.quiet)
                print_step(s, o, lo, hi);
        }
    } catch (const Bisection::Interrupted& i) {
        output_folder::abandon(partial);
        std::cerr << "fleetsim breakeven: interrupted\n";
        return 128 + i.signal;
    } catch (...) {
        output_folder::abandon(partial);
        throw;
    }
    output_folder::remove_marked((fs::path(partial) / "work").string(), "work");
    // Between the last two ends the figure is taken as linear in the key.
    const double crossing = exact ? *exact : lo - s_lo.diff * (hi - lo) / (s_hi.diff - s_lo.diff);

    std::ostringstream csv;
    {
        CsvWriter w(csv);
        w.row({"run", "value", "figure", "figure_minus_target"});
        for (const auto& s : b.steps()) {
            w.field(s.run).field(s.x).field(s.figure).field(s.diff);
            w.end_row();
        }
        w.finish();
    }
    Json result;
    result["key"] = o.key;
    result["figure"] = o.figure;
    result["target"] = target;
    result["target_from"] = o.target_from.empty() ? Json(nullptr) : Json(o.target_from);
    result["low"] = o.low;
    result["high"] = o.high;
    result["crossing"] = crossing;
    result["bracket"] = {lo, hi};
    result["exact"] = exact.has_value();
    result["runs"] = b.steps().size();
    try {
        write_text(fs::path(partial) / "breakeven.csv", csv.str());
        write_text(fs::path(partial) / kResultFile, result.dump(2) + "\n");
        output_folder::commit(partial, out);
    } catch (...) {
        output_folder::abandon(partial);
        throw;
    }
    if (!o.quiet) {
        if (exact)
            std::cout << fmt::format("crossing: {} = {} exactly ({} runs); wrote {}/\n", o.key,
                                     crossing, b.steps().size(), out);
        else
            std::cout << fmt::format(
                "crossing: {} = {:.6g} (linear between {:.8g} and {:.8g}{}, {} runs); wrote {}/\n",
                o.key, crossing, lo, hi,
                hi - lo > tolerance ? ": stopped at --max-runs, wider than the tolerance" : "",
                b.steps().size(), out);
    }
    return 0;
}

}  // namespace fleetsim::sweep
