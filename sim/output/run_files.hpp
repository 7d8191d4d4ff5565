#pragma once
// The files of a run's output folder (design.md section 4, docs/metrics.md): summary.json,
// classes.csv, timeseries.csv, jobs.csv and scenario.resolved.yaml, written from the output
// schema's records (sim/schema/schema.hpp); and the short table `fleetsim run` prints.

#include "sim/config/spec.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/schema/schema.hpp"

#include <string>

namespace fleetsim {

/** Throws InputError (key output.dir) when the output folder `dir` cannot be created. */
void check_output_dir(const std::string& dir);

/**
 * Writes the output folder atomically: everything goes to a temporary sibling folder that is
 * renamed into place only when complete, so an interrupted run never leaves a folder that
 * looks finished. `summary` is what compute_figures() gave, with wall_s set. Returns the folder written.
 */
std::string write_outputs(const ScenarioSpec& scenario,
                          const RunResult& result,
                          const RunSummary& summary,
                          const std::string& dir);

/** The short table printed by `fleetsim run`. */
std::string format_table(const RunSummary& summary);

}  // namespace fleetsim
