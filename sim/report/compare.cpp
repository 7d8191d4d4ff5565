#include "sim/report/compare.hpp"

#include "sim/config/input_error.hpp"
#include "sim/config/output_folder.hpp"
#include "sim/io/csv.hpp"
#include "sim/report/html_page.hpp"
#include "sim/report/report.hpp"
#include "sim/report/run_data.hpp"
#include "sim/report/run_summary.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace fleetsim {
namespace {

namespace fs = std::filesystem;

ComparedFigures figures_of(const ClassFigures& c) {
    return {c.gpu_h,    c.served_units, c.revenue_usd,
            c.cost_usd, c.profit_usd,   c.opportunity_cost_usd};
}

/** The lab: GPU-hours held by classes; the books of `totals` (its cost counts idle GPUs). */
ComparedFigures total_of(const RunSummary& s) {
    ComparedFigures f;
    for (const auto& c : s.classes)
        f.gpu_h += c.gpu_h;
    f.revenue_usd = s.totals.revenue_usd;
    f.cost_usd = s.totals.cost_usd;
    f.profit_usd = s.totals.profit_usd;
    f.opportunity_cost_usd = s.totals.opportunity_cost_usd;
    return f;
}

/** A folder's last name ("baseline" of "out/baseline/"); the whole path when two share it. */
std::vector<std::string> labels_of(const std::vector<std::string>& dirs) {
    std::vector<std::string> labels;
    for (const auto& d : dirs) {
        fs::path p = fs::path(d).lexically_normal();
        if (p.filename().empty())
            p = p.parent_path();
        labels.push_back(p.filename().string());
    }
    for (std::size_t i = 0; i < labels.size(); ++i) {
        for (std::size_t j = 0; j < labels.size(); ++j) {
            if (i != j && labels[i] == labels[j]) {
                for (std::size_t k = 0; k < labels.size(); ++k)
                    labels[k] = dirs[k];
                return labels;
            }
        }
    }
    return labels;
}

/** Rows in the order: total, each family, each class (first-seen order over the runs). */
std::vector<CompareRow> rows_of(const std::vector<RunSummary>& runs) {
    const std::size_t n = runs.size();
    std::vector<CompareRow> rows;
    CompareRow total{"total", "all", "", {}};
    for (const auto& s : runs)
        total.runs.emplace_back(total_of(s));
    rows.push_back(total);
    std::map<std::string, std::size_t> family_row, class_row;
    std::vector<CompareRow> families, classes;
    for (std::size_t r = 0; r < n; ++r) {
        for (const auto& f : family_totals(runs[r])) {
            auto [it, fresh] = family_row.try_emplace(f.family, families.size());
            if (fresh)
                families.push_back(
                    {"family", f.family, f.family, std::vector<std::optional<ComparedFigures>>(n)});
            families[it->second].runs[r] = f.figures;
        }
        for (const auto& c : runs[r].classes) {
            auto [it, fresh] = class_row.try_emplace(c.name, classes.size());
            if (fresh)
                classes.push_back(
                    {"class", c.name, c.family, std::vector<std::optional<ComparedFigures>>(n)});
            classes[it->second].runs[r] = figures_of(c);
        }
    }
    rows.insert(rows.end(), families.begin(), families.end());
    rows.insert(rows.end(), classes.begin(), classes.end());
    return rows;
}

/** "1 day", "2 days", "0.5 days". */
std::string days_text(double horizon_s) {
    const double days = horizon_s / 86400;
    return fmt::format("{:g} {}", days, days == 1 ? "day" : "days");
}

HeadlinePart words(std::string text) {
    return {std::move(text), "", std::nullopt};
}

HeadlinePart number(std::string text, std::string key, double value) {
    return {std::move(text), std::move(key), value};
}

/** GPU-hour moves below this are rounding, not a policy's doing. */
constexpr double kWholeGpuHour = 0.5;

/** The difference of one figure of a row between run r and the first run, if both have it. */
std::optional<double> diff(const CompareRow& row, std::size_t r, double ComparedFigures::*figure) {
    if (!row.runs[r] || !row.runs[0])
        return std::nullopt;
    return (*row.runs[r]).*figure - (*row.runs[0]).*figure;
}

/** "B makes $X more profit than A ($P_B against $P_A): it moves Y GPU-hours from c1 to c2;
    LLM revenue falls by $Z and video revenue rises by $W." */
HeadlineSentence sentence_for(const Comparison& c, std::size_t r) {
    const std::string& a = c.labels[0];
    const std::string& b = c.labels[r];
    const std::string key = "run:" + b + ":";
    const CompareRow& total = c.rows.front();
    const double d = *diff(total, r, &ComparedFigures::profit_usd);
    HeadlineSentence out = {words(b + " makes ")};
    if (std::fabs(d) < 0.5) {
        out.push_back(words("the same profit as " + a + " ("));
    } else {
        out.push_back(number(format_usd(std::fabs(d)), key + "profit_usd_diff", d));
        out.push_back(
            words(d > 0 ? " more profit than " + a + " (" : " less profit than " + a + " ("));
    }
    out.push_back(number(format_usd(total.runs[r]->profit_usd), key + "profit_usd",
                         total.runs[r]->profit_usd));
    out.push_back(words(" against "));
    out.push_back(number(format_usd(total.runs[0]->profit_usd), "run:" + a + ":profit_usd",
                         total.runs[0]->profit_usd));
    out.push_back(words(")"));
    // The class that gained most GPU-hours and the one that lost most.
    const CompareRow* gained = nullptr;
    const CompareRow* lost = nullptr;
    double up = 0, down = 0;
    for (const auto& row : c.rows) {
        if (row.scope != "class")
            continue;
        const double g =
            (row.runs[r] ? row.runs[r]->gpu_h : 0) - (row.runs[0] ? row.runs[0]->gpu_h : 0);
        if (g > up) {
            up = g;
            gained = &row;
        }
        if (-g > down) {
            down = -g;
            lost = &row;
        }
    }
    if (gained && lost && up >= kWholeGpuHour && down >= kWholeGpuHour) {
        const double moved = std::min(up, down);
        out.push_back(words(": it moves "));
        out.push_back(number(format_count(moved), key + "gpu_h_moved", moved));
        out.push_back(words(" GPU-hours from " + lost->name + " to " + gained->name));
    } else if (gained && up >= kWholeGpuHour) {
        out.push_back(words(": " + gained->name + " holds "));
        out.push_back(number(format_count(up), key + "class:" + gained->name + ":gpu_h_diff", up));
        out.push_back(words(" more GPU-hours"));
    } else if (lost && down >= kWholeGpuHour) {
        out.push_back(words(": " + lost->name + " holds "));
        out.push_back(
            number(format_count(down), key + "class:" + lost->name + ":gpu_h_diff", -down));
        out.push_back(words(" fewer GPU-hours"));
    } else {
        out.push_back(words(", with the same GPU-hours per class"));
    }
    // Revenue by family: what one product's launch costs the other.
    bool first = true;
    for (const auto& row : c.rows) {
        if (row.scope != "family")
            continue;
        const double rev = (row.runs[r] ? row.runs[r]->revenue_usd : 0) -
                           (row.runs[0] ? row.runs[0]->revenue_usd : 0);
        const std::string name = row.name == "llm" ? "LLM" : row.name;
        out.push_back(words(first ? "; " + name + " revenue " : " and " + name + " revenue "));
        first = false;
        if (std::fabs(rev) < 0.5) {
            out.push_back(words("is the same"));
            continue;
        }
        out.push_back(words(rev > 0 ? "rises by " : "falls by "));
        out.push_back(number(format_usd(std::fabs(rev)),
                             key + "family:" + row.name + ":revenue_usd_diff", rev));
    }
    out.push_back(words("."));
    return out;
}

OrderedJson figures_json(const std::optional<ComparedFigures>& f) {
    if (!f)
        return nullptr;
    OrderedJson o;
    o["gpu_h"] = f->gpu_h;
    o["served_units"] = f->served_units ? OrderedJson(*f->served_units) : OrderedJson(nullptr);
    o["revenue_usd"] = f->revenue_usd;
    o["cost_usd"] = f->cost_usd;
    o["profit_usd"] = f->profit_usd;
    o["opportunity_cost_usd"] = f->opportunity_cost_usd;
    return o;
}

OrderedJson page_data(const Comparison& c) {
    OrderedJson data;
    data["kind"] = "compare";
    OrderedJson runs = OrderedJson::array();
    for (std::size_t r = 0; r < c.labels.size(); ++r) {
        const RunSummary& s = c.summaries[r];
        runs.push_back({{"label", c.labels[r]},
                        {"dir", c.dirs[r]},
                        {"scenario", s.scenario},
                        {"policy", s.policy},
                        {"seed", static_cast<double>(s.seed)},
                        {"horizon_s", s.horizon_s},
                        {"gpus", s.fleet.gpus}});
    }
    data["runs"] = runs;
    data["headline"] = sentences_json(c.headline);
    data["warnings"] = c.warnings;
    OrderedJson rows = OrderedJson::array();
    for (const auto& row : c.rows) {
        OrderedJson per_run = OrderedJson::array();
        for (const auto& f : row.runs)
            per_run.push_back(figures_json(f));
        rows.push_back(
            {{"scope", row.scope}, {"name", row.name}, {"family", row.family}, {"runs", per_run}});
    }
    data["rows"] = rows;
    return data;
}

}  // namespace

std::vector<FamilyTotals> family_totals(const RunSummary& run) {
    // summary.json's `families` (an older one has none: the schema adds the classes up alike).
    const std::vector<FamilyFigures> families =
        run.families.empty() ? family_figures(run.classes) : run.families;
    std::vector<FamilyTotals> out;
    for (const auto& f : families) {
        FamilyTotals t{f.family,
                       {},
                       {f.gpu_h, std::nullopt, f.revenue_usd, f.cost_usd, f.profit_usd,
                        f.opportunity_cost_usd}};
        for (const auto& c : run.classes)
            if (c.family == f.family)
                t.classes.push_back(c.name);
        out.push_back(std::move(t));
    }
    return out;
}

Comparison compare_runs(const std::vector<std::string>& dirs) {
    if (dirs.size() < 2)
        throw InputError({"<command line>", 0, 0}, "RUN_DIR",
                         fmt::format("expected at least two run folders, found {}", dirs.size()));
    Comparison c;
    c.dirs = dirs;
    c.labels = labels_of(dirs);
    for (const auto& d : dirs) {
        const fs::path summary = fs::path(d) / "summary.json";
        if (!fs::exists(summary))
            throw InputError({d, 0, 0}, "",
                             "expected a run folder (summary.json), found no summary.json");
        c.summaries.push_back(read_run_summary(summary.string()).summary);
    }
    c.rows = rows_of(c.summaries);
    for (std::size_t r = 1; r < dirs.size(); ++r) {
        const RunSummary& a = c.summaries[0];
        const RunSummary& b = c.summaries[r];
        if (a.horizon_s != b.horizon_s)
            c.warnings.push_back(fmt::format(
                "{} covers {} and {} {}: their totals are over different times", c.labels[r],
                days_text(b.horizon_s), c.labels[0], days_text(a.horizon_s)));
        if (a.seed != b.seed)
            c.warnings.push_back(fmt::format(
                "{} has seed {} and {} seed {}: part of the difference is the random draws",
                c.labels[r], b.seed, c.labels[0], a.seed));
    }
    for (std::size_t r = 1; r < dirs.size(); ++r)
        c.headline.push_back(sentence_for(c, r));
    return c;
}

std::string comparison_csv(const Comparison& c) {
    using F = ComparedFigures;
    struct Column {
        const char* name;
        double F::*figure;
    };
    static const Column numeric[] = {{"gpu_h", &F::gpu_h},
                                     {"revenue_usd", &F::revenue_usd},
                                     {"cost_usd", &F::cost_usd},
                                     {"profit_usd", &F::profit_usd},
                                     {"opportunity_cost_usd", &F::opportunity_cost_usd}};
    std::ostringstream text;
    CsvWriter w(text);
    std::vector<std::string> header = {"scope", "name", "family", "run", "run_dir"};
    for (const auto& col : numeric)
        header.emplace_back(col.name);
    header.emplace_back("served_units");
    for (const auto& col : numeric)
        header.push_back(std::string(col.name) + "_diff");
    header.emplace_back("served_units_diff");
    w.row(header);
    for (const auto& row : c.rows) {
        for (std::size_t r = 0; r < row.runs.size(); ++r) {
            w.field(row.scope)
                .field(row.name)
                .field(row.family)
                .field(c.labels[r])
                .field(c.dirs[r]);
            const auto& f = row.runs[r];
            for (const auto& col : numeric)
                f ? w.field((*f).*col.figure) : w.empty();
            w.field(f ? f->served_units : std::nullopt);
            for (const auto& col : numeric)
                w.field(diff(row, r, col.figure));
            if (f && row.runs[0] && f->served_units && row.runs[0]->served_units)
                w.field(*f->served_units - *row.runs[0]->served_units);
            else
                w.empty();
            w.end_row();
        }
    }
    w.finish();
    return text.str();
}

std::vector<std::string> write_comparison(const Comparison& c, const std::string& out_dir) {
    // Prepared before anything is written and replaced whole, as a run's folder
    // (sim/config/output_folder.hpp): a folder of the user's is refused, never written into.
    const output_folder::Prepared prepared = output_folder::prepare(out_dir, "compare");
    const std::string staging = output_folder::begin_staging(prepared.dir, "compare");
    const fs::path out(prepared.dir);
    std::vector<std::string> written;
    try {
        write_atomically(fs::path(staging) / "compare.csv", comparison_csv(c));
        written.push_back((out / "compare.csv").string());
        if (report_available()) {
            std::string title = "fleetsim compare";
            for (std::size_t r = 0; r < c.labels.size(); ++r)
                title += (r == 0 ? " " : " / ") + c.labels[r];
            write_atomically(fs::path(staging) / "compare.html",
                             render_page(title, page_data(c), "report/src/compare.js"));
            written.push_back((out / "compare.html").string());
        }
        output_folder::commit(staging, prepared.dir);
    } catch (...) {
        output_folder::abandon(staging);
        throw;
    }
    return written;
}

}  // namespace fleetsim
