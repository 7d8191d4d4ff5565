#pragma once
// `fleetsim compare RUN_DIR...`: runs side by side (docs/report.md, Comparing runs). For the
// whole lab, each family (llm, video) and each class: GPU-hours, served units, revenue, cost,
// profit and opportunity cost of every run, and each run's differences against the first; a
// headline in words ("B makes $X more profit than A: it moves Y GPU-hours from video-gen to
// coding"). Written as compare.csv (one row per row and run) and compare.html (the report's
// page, when this fleetsim has it). Reads only the runs' summary.json, never the engine.

#include "sim/report/headline.hpp"
#include "sim/schema/schema.hpp"

#include <optional>
#include <string>
#include <vector>

namespace fleetsim {

/** The figures compared, for the lab, a family or a class. */
struct ComparedFigures {
    double gpu_h = 0;
    /** Classes only: the units of different classes (tokens, video-seconds, jobs) do not add. */
    std::optional<double> served_units;
    double revenue_usd = 0;
    double cost_usd = 0;
    double profit_usd = 0;
    double opportunity_cost_usd = 0;
};

/** Each family's totals (llm, video): summary.json's `families`, or for an older summary.json
    without them its classes added up by the schema's family_figures(). */
struct FamilyTotals {
    std::string family;
    std::vector<std::string> classes;
    ComparedFigures figures;
};
std::vector<FamilyTotals> family_totals(const RunSummary& run);

/** One row of the comparison: the lab ("total"), a family or a class, in every run. */
struct CompareRow {
    std::string scope;   ///< "total", "family" or "class"
    std::string name;    ///< "all", the family, or the class
    std::string family;  ///< the family of a class or the family itself; "" for the total
    /** One entry per run, none where the run has no such class or family. */
    std::vector<std::optional<ComparedFigures>> runs;
};

struct Comparison {
    std::vector<std::string> labels;  ///< each run's name on the page and in the CSV
    std::vector<std::string> dirs;
    std::vector<RunSummary> summaries;
    std::vector<CompareRow> rows;  ///< the total, then families, then classes
    /** One sentence per run after the first, against the first. */
    std::vector<HeadlineSentence> headline;
    /** What makes the runs' totals hard to compare (horizons or seeds that differ). */
    std::vector<std::string> warnings;
};

/** Reads each folder's summary.json (an InputError names a bad one) and compares. */
Comparison compare_runs(const std::vector<std::string>& dirs);

/** compare.csv's text: one row per row of the comparison and run, its figures and their
    differences from the first run's (empty where either run lacks the row). */
std::string comparison_csv(const Comparison& c);

/** Writes OUT/compare.csv and, when the report is built in, OUT/compare.html (each replaced
    atomically); returns the files written. */
std::vector<std::string> write_comparison(const Comparison& c, const std::string& out_dir);

}  // namespace fleetsim
