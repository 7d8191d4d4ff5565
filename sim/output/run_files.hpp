#pragma once
// The files of a run's output folder (design.md section 4, docs/metrics.md): summary.json,
// classes.csv, timeseries.csv, jobs.csv and scenario.resolved.yaml,
// written from the output schema's records (sim/schema/schema.hpp); and the short table
// `fleetsim run` prints.

#include "sim/config/spec.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/schema/schema.hpp"

#include <string>

namespace fleetsim {

/**
 * Writes the files of a run into the existing folder `dir`: the staging folder of
 * sim/config/output_folder.hpp, which is swapped into place only when the whole result (with
 * bound.json and report.html) is there. `summary` is what compute_figures() gave, with wall_s
 * set.
 */
void write_outputs(const ScenarioSpec& scenario,
                   const RunResult& result,
                   const RunSummary& summary,
                   const std::string& dir);

/** The short table printed by `fleetsim run`. */
std::string format_table(const RunSummary& summary);

}  // namespace fleetsim
