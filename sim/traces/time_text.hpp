#pragma once
// Date-times in trace files ("2023-11-16 18:17:03.9799600", "2023-03-01 00:18:22+08:00",
// "2020-04-01T00:00:00Z"), read without the C library's clock functions, so that the machine's
// time zone and locale change nothing: a time with an offset is converted to UTC, one without
// is taken as written (as UTC). Seconds since 1970 are kept as whole seconds plus a fraction,
// so that 7 fractional digits survive differences between two times.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fleetsim {

struct DateTime {
    std::int64_t seconds = 0;  ///< whole seconds since 1970-01-01 00:00:00 UTC
    double fraction = 0;       ///< [0, 1)
    int utc_offset_s = 0;      ///< the offset written in the text (0 when none)

    /** Seconds from `earlier` to this time. */
    double since(const DateTime& earlier) const {
        return static_cast<double>(seconds - earlier.seconds) + (fraction - earlier.fraction);
    }
    /** Hour of the day (0-23) in the time zone the text was written in. */
    int local_hour() const;
};

/** Parses "YYYY-MM-DD[ T]HH:MM:SS[.fraction][Z|+HH:MM|-HH:MM|+HHMM]"; nullopt otherwise. */
std::optional<DateTime> parse_date_time(std::string_view text);

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
std::int64_t days_from_civil(int year, unsigned month, unsigned day);

/** Hour of the day (0-23) of `seconds` since 1970 UTC shifted by `offset_s`. */
int hour_of_day(std::int64_t seconds, std::int64_t offset_s);

}  // namespace fleetsim
