#include "sim/generators/rate_profile.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace fleetsim {
namespace {
constexpr double kDay_s = 86400.0;
}

double RateProfile::factor(double t_s) const {
    switch (spec_.shape) {
        case RateProfileSpec::Shape::constant:
            return 1.0;
        case RateProfileSpec::Shape::diurnal: {
            const double omega = 2 * std::numbers::pi / kDay_s;
            return 1.0 + spec_.amplitude * std::cos(omega * (t_s - spec_.peak_h * 3600.0));
        }
        case RateProfileSpec::Shape::trace: {
            double t = t_s;
            if (spec_.period_s > 0)
                t = std::fmod(t_s, spec_.period_s);
            const auto& ts = spec_.points_t_s;
            auto it = std::upper_bound(ts.begin(), ts.end(), t);
            if (it == ts.begin())
                return spec_.points_factor.front();
            return spec_.points_factor[static_cast<std::size_t>(it - ts.begin() - 1)];
        }
    }
    return 1.0;
}

double RateProfile::trace_integral_from_zero(double t_s) const {
    // Piecewise constant; before the first point the first factor holds.
    const auto& ts = spec_.points_t_s;
    const auto& fs = spec_.points_factor;
    double total = 0;
    double from = 0;
    double current = fs.front();
    for (std::size_t i = 0; i < ts.size(); ++i) {
        if (ts[i] >= t_s)
            break;
        total += current * (ts[i] - from);
        from = ts[i];
        current = fs[i];
    }
    return total + current * (t_s - from);
}

double RateProfile::integral(double t0_s, double t1_s) const {
    if (t1_s <= t0_s)
        return 0;
    switch (spec_.shape) {
        case RateProfileSpec::Shape::constant:
            return t1_s - t0_s;
        case RateProfileSpec::Shape::diurnal: {
            const double omega = 2 * std::numbers::pi / kDay_s;
            const double peak = spec_.peak_h * 3600.0;
            return (t1_s - t0_s) +
                   spec_.amplitude / omega *
                       (std::sin(omega * (t1_s - peak)) - std::sin(omega * (t0_s - peak)));
        }
        case RateProfileSpec::Shape::trace: {
            if (spec_.period_s <= 0)
                return trace_integral_from_zero(t1_s) - trace_integral_from_zero(t0_s);
            const double P = spec_.period_s;
            const double per_period = trace_integral_from_zero(P);
            auto cumulative = [&](double t) {
                double periods = std::floor(t / P);
                return periods * per_period + trace_integral_from_zero(t - periods * P);
            };
            return cumulative(t1_s) - cumulative(t0_s);
        }
    }
    return t1_s - t0_s;
}

double RateProfile::max_factor() const {
    switch (spec_.shape) {
        case RateProfileSpec::Shape::constant:
            return 1.0;
        case RateProfileSpec::Shape::diurnal:
            return 1.0 + spec_.amplitude;
        case RateProfileSpec::Shape::trace:
            return *std::max_element(spec_.points_factor.begin(), spec_.points_factor.end());
    }
    return 1.0;
}

}  // namespace fleetsim
