#pragma once
// Numbers typed on the command line (`--interval-s 3e18`, `-j 0`, `--tolerance nan`), checked
// as a number in a YAML file is: the whole text a number, finite, of magnitude at most 1e30,
// inside the option's range. A bad one is an InputError at "<command line: --option TEXT>"
// (exit 2), never a silent fallback to the default.

#include "sim/config/range.hpp"

#include <string>

namespace fleetsim {

/** `text` as a number in `range`, or an InputError naming `option` and what was typed. */
double parse_cli_number(const std::string& option, const std::string& text, const Range& range);

/** `text` as a whole number in `range` (decimal digits, an optional sign; no exponent). */
long long parse_cli_integer(const std::string& option, const std::string& text, const Range& range);

}  // namespace fleetsim
