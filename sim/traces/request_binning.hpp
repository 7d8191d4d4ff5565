#pragma once
// A service's demand from a request log (docs/traces.md, "Services from a request log"): each
// request asks for (input tokens x gpu_s_per_input_token + output tokens x
// gpu_s_per_output_token) reference-GPU seconds, which is that / gpu_s_per_unit units of the
// service; requests are summed into bins (the scenario's tick by default) of simulated time,
// and each bin's rate becomes a piecewise-constant multiplier of the service's mean rate
// (a `trace` rate profile, whose integral is exact). The window maps to simulated time as a
// job log's does ((t - origin) x time_scale + shift_s); with `repeat` it repeats with its own
// length, shifted by shift_s, to fill the horizon.

#include "sim/traces/trace_options.hpp"

#include <vector>

namespace fleetsim {

struct BinnedDemand {
    std::vector<double> points_t_s;  ///< simulated time where each factor starts
    std::vector<double> factors;     ///< rate / mean rate
    double period_s = 0;             ///< > 0 with repeat
    double mean_units_per_s = 0;     ///< the window's demand / its simulated length
    RequestTraceScan scan;
};

/** Reads the log once. Throws TraceError on a bad row or an empty window. */
BinnedDemand bin_requests(const RequestTraceOptions& options, double gpu_s_per_unit, double bin_s);

}  // namespace fleetsim
