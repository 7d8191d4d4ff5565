#include "sim/traces/time_text.hpp"

#include <charconv>

namespace fleetsim {
namespace {

/** Exactly `n` digits at text[pos]. */
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t n) {
    if (pos + n > text.size())
        return std::nullopt;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        const char c = text[i];
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

}  // namespace

std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
    const int y = year - (month <= 2 ? 1 : 0);
    const int era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

int hour_of_day(std::int64_t seconds, std::int64_t offset_s) {
    // Each reduced modulo a day first: the sum of two large values would overflow.
    std::int64_t s = (seconds % 86400 + offset_s % 86400) % 86400;
    if (s < 0)
        s += 86400;
    return static_cast<int>(s / 3600);
}

int DateTime::local_hour() const {
    return hour_of_day(seconds, utc_offset_s);
}

std::optional<DateTime> parse_date_time(std::string_view text) {
    const auto year = digits(text, 0, 4);
    const auto month = digits(text, 5, 2);
    const auto day = digits(text, 8, 2);
    const auto hour = digits(text, 11, 2);
    const auto minute = digits(text, 14, 2);
    const auto second = digits(text, 17, 2);
    if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' ||
        text[7] != '-' || (text[10] != ' ' && text[10] != 'T') || text[13] != ':' ||
        text[16] != ':')
        return std::nullopt;
    if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 ||
        *second > 60)
        return std::nullopt;
    DateTime t;
    std::size_t pos = 19;
    if (pos < text.size() && text[pos] == '.') {
        const std::size_t begin = pos;
        ++pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
            ++pos;
        if (pos == begin + 1)
            return std::nullopt;
        double f = 0;
        // "0.9799600": from_chars is locale-independent.
        std::string fraction = "0";
        fraction.append(text.substr(begin, pos - begin));
        auto [ptr, ec] = std::from_chars(fraction.data(), fraction.data() + fraction.size(), f);
        if (ec != std::errc() || ptr != fraction.data() + fraction.size())
            return std::nullopt;
        t.fraction = f;
    }
    if (pos < text.size()) {
        const char sign = text[pos];
        if (sign == 'Z' && pos + 1 == text.size()) {
            pos += 1;
        } else if (sign == '+' || sign == '-') {
            const auto oh = digits(text, pos + 1, 2);
            std::size_t mpos = pos + 3;
            if (mpos < text.size() && text[mpos] == ':')
                ++mpos;
            const auto om = digits(text, mpos, 2);
            if (!oh || !om || mpos + 2 != text.size() || *oh > 23 || *om > 59)
                return std::nullopt;
            t.utc_offset_s = (sign == '+' ? 1 : -1) * (*oh * 3600 + *om * 60);
            pos = text.size();
        } else {
            return std::nullopt;
        }
    }
    const std::int64_t days =
        days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
    t.seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second - t.utc_offset_s;
    return t;
}

}  // namespace fleetsim
