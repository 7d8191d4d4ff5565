#pragma once
// Which values a number read from the inputs may take: an interval whose ends are open,
// closed or absent. The named ranges are the ones the configuration uses today; a key with
// bounds of its own (a count that must fit an int, a limit from the docs) writes them out:
// Range{1, 2147483647} is "an integer in [1, 2147483647]" when read as an integer. The words
// are those of the "expected ..., found ..." messages and of docs/config.md's type column.

#include "sim/io/number_limits.hpp"

#include <limits>
#include <string>

namespace fleetsim {

struct Range {
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    bool min_open = false;  ///< (min, ...: min itself is out
    bool max_open = false;  ///< ..., max): max itself is out

    static const Range any;
    static const Range positive;       ///< (0, inf)
    static const Range non_negative;   ///< [0, inf)
    static const Range fraction;       ///< (0, 1]
    static const Range unit_interval;  ///< [0, 1]

    bool contains(double v) const;
    /** For messages: "a positive number", "an integer >= 0", "a number in [0, 1]". */
    std::string words(bool integer) const;
    /** For the docs: "number > 0", "integer >= 0", "number in [0, 1]", "number". */
    std::string doc_words(bool integer) const;

    bool operator==(const Range&) const = default;
};

inline constexpr Range Range::any{};
inline constexpr Range Range::positive{0, std::numeric_limits<double>::infinity(), true, false};
inline constexpr Range Range::non_negative{0, std::numeric_limits<double>::infinity()};
inline constexpr Range Range::fraction{0, 1, true, false};
inline constexpr Range Range::unit_interval{0, 1};

}  // namespace fleetsim
