#pragma once
// The data of a run's report, read back from the run's folder (summary.json, timeseries.csv,
// jobs.csv): what `fleetsim run` just wrote, or an old folder given to `fleetsim report`.

#include "sim/report/headline.hpp"
#include "sim/report/json_file.hpp"

#include <string>

namespace fleetsim {

/** Most time points a chart gets; longer timeseries are averaged over equal groups of rows. */
inline constexpr std::size_t kMaxChartPoints = 2000;

/**
 * Builds the JSON the page draws from: run metadata, fleet and totals, every class's figures,
 * the headline, the timeseries in columns (one array per class and figure, demand of services
 * in GPU terms), and wait histograms of batch classes. Bad or missing files are InputErrors.
 */
OrderedJson build_run_data(const std::string& dir);

/** Headline sentences as the page reads them: each a list of parts {text, key, value}. */
OrderedJson sentences_json(const std::vector<HeadlineSentence>& sentences);

/** Rounds to `digits` significant digits: chart data needs no more, and the page gets smaller. */
double round_significant(double x, int digits = 6);

}  // namespace fleetsim
