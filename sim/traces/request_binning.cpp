#include "sim/traces/request_binning.hpp"

#include "sim/traces/request_trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace fleetsim {
namespace {

struct Segment {
    double start_s;
    double factor;
};

}  // namespace

BinnedDemand bin_requests(const RequestTraceOptions& o, double gpu_s_per_unit, double bin_s) {
    auto reader = open_request_trace(o.format, o.path);
    const TraceWindow& w = o;
    BinnedDemand out;
    std::vector<double> units;  ///< per bin
    TraceRequest r;
    bool first = true;
    double origin = 0;
    double last_t = 0;
    long long rows = 0;
    while (reader->next(r)) {
        ++rows;
        if (first) {
            origin = w.has_start() ? w.start_s : r.t_s;
            first = false;
        }
        if ((w.has_start() && r.t_s < w.start_s) || (w.has_end() && r.t_s >= w.end_s))
            continue;
        const double tau = (r.t_s - origin) * w.time_scale;
        const auto bin = static_cast<std::size_t>(std::floor(tau / bin_s));
        if (bin >= units.size())
            units.resize(bin + 1, 0.0);
        const double u = (r.input_tokens * o.gpu_s_per_input_token +
                          r.output_tokens * o.gpu_s_per_output_token) /
                         gpu_s_per_unit;
        units[bin] += u;
        out.scan.requests += 1;
        out.scan.units += u;
        out.scan.input_tokens += r.input_tokens;
        out.scan.output_tokens += r.output_tokens;
        last_t = r.t_s;
    }
    if (rows == 0)
        throw TraceError(o.path, 0, 0, "", "expected requests in the trace, found none");
    if (out.scan.requests == 0)
        throw TraceError(o.source.file, o.source.line, o.source.column, o.source.key,
                         "expected requests in the trace's window, found none");
    const double period = (w.has_end() ? w.end_s - origin : last_t - origin) * w.time_scale;
    if (!(period > 0))
        throw TraceError(o.source.file, o.source.line, o.source.column, o.source.key,
                         "expected a window that spans some time, found all requests at one "
                         "instant");
    if (out.scan.units <= 0)
        throw TraceError(o.source.file, o.source.line, o.source.column, o.source.key,
                         "expected demand in the window, found none (no tokens, or token costs "
                         "of 0)");
    // The last request lies at the end of a window without end_s: it belongs to the last bin.
    const auto bins = static_cast<std::size_t>(std::ceil(period / bin_s - 1e-9));
    if (units.size() > bins) {
        for (std::size_t k = bins; k < units.size(); ++k)
            units[bins - 1] += units[k];
        units.resize(bins);
    }
    units.resize(bins, 0.0);
    out.scan.period_s = period;
    out.mean_units_per_s = out.scan.units / period;
    std::vector<Segment> segments;
    for (std::size_t k = 0; k < bins; ++k) {
        const double a = static_cast<double>(k) * bin_s;
        const double b = std::min(period, a + bin_s);
        segments.push_back({a, units[k] / (b - a) / out.mean_units_per_s});
    }
    if (o.repeat) {
        // Rotate by shift_s within the period: the window starts at shift_s, and repeats.
        const double phase = std::fmod(w.shift_s, period);
        std::vector<Segment> rotated;
        for (std::size_t k = 0; k < segments.size(); ++k) {
            const double a = segments[k].start_s + phase;
            const double b = (k + 1 < segments.size() ? segments[k + 1].start_s : period) + phase;
            if (a < period && b > period) {
                rotated.push_back({a, segments[k].factor});
                rotated.push_back({0, segments[k].factor});
            } else {
                rotated.push_back({a >= period ? a - period : a, segments[k].factor});
            }
        }
        std::stable_sort(rotated.begin(), rotated.end(),
                         [](const Segment& x, const Segment& y) { return x.start_s < y.start_s; });
        for (const auto& s : rotated) {
            if (!out.points_t_s.empty() && s.start_s <= out.points_t_s.back())
                continue;  // a zero-length piece at a wrap
            out.points_t_s.push_back(s.start_s);
            out.factors.push_back(s.factor);
        }
        out.period_s = period;
    } else {
        if (w.shift_s > 0) {
            out.points_t_s.push_back(0);
            out.factors.push_back(0);
        }
        for (const auto& s : segments) {
            out.points_t_s.push_back(w.shift_s + s.start_s);
            out.factors.push_back(s.factor);
        }
        out.points_t_s.push_back(w.shift_s + period);
        out.factors.push_back(0);
    }
    return out;
}

}  // namespace fleetsim
