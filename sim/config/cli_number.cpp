#include "sim/config/cli_number.hpp"

#include "sim/config/input_error.hpp"
#include "sim/config/yaml_reader.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace fleetsim {
namespace {

[[noreturn]] void refuse(const std::string& option,
                         const std::string& text,
                         const std::string& expected) {
    throw InputError(SourceSpan{"<command line: " + option + " " + text + ">", 0, 0}, option,
                     "expected " + expected + ", found '" + text + "'");
}

}  // namespace

double parse_cli_number(const std::string& option, const std::string& text, const Range& range) {
    const std::string expected = range.words(/*integer=*/false);
    if (text.empty())
        refuse(option, text, expected);
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    // strtod takes "nan", "inf" and "0x1p3", and stops at the first character it cannot read
    // ("5s"): only the whole text as a finite number passes.
    if (end != text.c_str() + text.size() || !std::isfinite(v) || errno == ERANGE ||
        !range.contains(v))
        refuse(option, text, expected);
    if (std::fabs(v) > kMaxMagnitude)
        refuse(option, text, expected + " of magnitude at most 1e30");
    return v;
}

long long parse_cli_integer(const std::string& option,
                            const std::string& text,
                            const Range& range) {
    const std::string expected = range.words(/*integer=*/true);
    if (text.empty())
        refuse(option, text, expected);
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (end != text.c_str() + text.size() || errno == ERANGE ||
        !range.contains(static_cast<double>(v)))
        refuse(option, text, expected);
    return v;
}

}  // namespace fleetsim
