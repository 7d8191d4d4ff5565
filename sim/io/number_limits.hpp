#pragma once
// The one limit on the size of numbers fleetsim reads, shared by the YAML reader
// (sim/config), the command line and every job or request log (sim/traces).

namespace fleetsim {

/** The largest magnitude a number read from the inputs may have: YAML values, command-line
    numbers and every number in a job or request log (docs/config.md, "Limits"). Below it a
    product of a few values stays finite, so the books never overflow to infinity. */
inline constexpr double kMaxMagnitude = 1e30;

}  // namespace fleetsim
