#include "sim/config/range.hpp"

#include <fmt/format.h>

#include <cmath>

namespace fleetsim {
namespace {

/** A bound as people write it: whole numbers in full (2147483647, not 2.14748e+09). */
std::string bound_text(double v) {
    if (std::fabs(v) < 1e15 && v == std::floor(v))
        return fmt::format("{:.0f}", v);
    return fmt::format("{:g}", v);
}

/** "> 0", ">= 1", "<= 24", "in [0, 1]"; "" without bounds. */
std::string bounds_text(const Range& r) {
    const bool has_min = std::isfinite(r.min);
    const bool has_max = std::isfinite(r.max);
    if (has_min && has_max) {
        return fmt::format("in {}{}, {}{}", r.min_open ? "(" : "[", bound_text(r.min),
                           bound_text(r.max), r.max_open ? ")" : "]");
    }
    if (has_min)
        return (r.min_open ? "> " : ">= ") + bound_text(r.min);
    if (has_max)
        return (r.max_open ? "< " : "<= ") + bound_text(r.max);
    return "";
}

}  // namespace

bool Range::contains(double v) const {
    const bool above = min_open ? v > min : v >= min;
    const bool below = max_open ? v < max : v <= max;
    return above && below;
}

std::string Range::words(bool integer) const {
    const std::string noun = integer ? "integer" : "number";
    if (*this == positive)
        return "a positive " + noun;
    if (*this == fraction && !integer)
        return "a fraction in (0, 1]";
    const std::string bounds = bounds_text(*this);
    return (integer ? "an " : "a ") + noun + (bounds.empty() ? "" : " " + bounds);
}

std::string Range::doc_words(bool integer) const {
    const std::string bounds = bounds_text(*this);
    return (integer ? "integer" : "number") + (bounds.empty() ? "" : " " + bounds);
}

}  // namespace fleetsim
