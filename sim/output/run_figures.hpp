#pragma once
// A run's figures, computed once from its books (sim/metrics/ledger) and final state, into the
// output schema's RunSummary (sim/schema/schema.hpp), so that summary.json, classes.csv and the
// table on stdout agree. docs/metrics.md gives each formula.

#include "sim/config/spec.hpp"
#include "sim/engine/simulation.hpp"
#include "sim/schema/schema.hpp"

#include <optional>

namespace fleetsim {

/**
 * Everything summary.json holds but `wall_s`, which the caller sets when the run is over.
 * `bound_revenue_usd` is the hindsight bound (`fleetsim run --bound`): it fills `bound`.
 */
RunSummary compute_figures(const ScenarioSpec& scenario,
                           const RunResult& result,
                           std::optional<double> bound_revenue_usd = std::nullopt);

}  // namespace fleetsim
