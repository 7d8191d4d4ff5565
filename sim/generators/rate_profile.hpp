#pragma once
// Time-varying demand: a base rate times a profile multiplier. The integral is exact for every
// shape, so fluid demand over a tick and Poisson thinning agree with the configured mean.

#include "sim/config/spec.hpp"

namespace fleetsim {

class RateProfile {
public:
    explicit RateProfile(RateProfileSpec spec) : spec_(std::move(spec)) {}

    /** Multiplier at time t_s (>= 0). */
    double factor(double t_s) const;
    /** Integral of the multiplier over [t0_s, t1_s]. */
    double integral(double t0_s, double t1_s) const;
    /** An upper bound of the multiplier (for thinning). */
    double max_factor() const;

private:
    double trace_integral_from_zero(double t_s) const;
    RateProfileSpec spec_;
};

}  // namespace fleetsim
