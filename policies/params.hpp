#pragma once
// Policy parameters: each policy declares its keys (type, unit, default, help) once; the same
// list checks the YAML (unknown keys, wrong types, with file and line), feeds
// `fleetsim policies` and docs/policies.md.

#include "sim/config/spec.hpp"

#include <map>
#include <string>
#include <vector>

namespace fleetsim {

struct ParamSpec {
    std::string key;
    std::string type;           ///< number | integer | bool | text | map-of-number
    std::string default_value;  ///< as YAML text; "" = required
    std::string unit;
    std::string help;
};

struct PolicyInfo {
    std::string name;     ///< kebab-case registry name
    std::string summary;  ///< one line
    std::string source;   ///< the paper or practice it comes from
    std::vector<ParamSpec> params;
};

/** Validated parameters of one policy instance. Errors are InputErrors at the YAML position. */
class ParamSet {
public:
    ParamSet(const ParamValue& given, const PolicyInfo& info);

    double number(const std::string& key) const;
    long long integer(const std::string& key) const;
    bool flag(const std::string& key) const;
    std::string text(const std::string& key) const;
    /** One of `choices`. */
    std::string choice(const std::string& key, const std::vector<std::string>& choices) const;
    /** A mapping name -> number (e.g. per-class shares); empty when absent and not required. */
    std::map<std::string, double> number_map(const std::string& key) const;
    /** The parameter as given (nullptr when absent): a structured parameter (a list of
        mappings) that its policy reads with the param_*() functions below. */
    const ParamValue* given(const std::string& key) const;
    /** Reports an error at the parameter (or at params when it was not given). */
    [[noreturn]] void fail(const std::string& key, const std::string& message) const;
    /** Reports an error at one entry of a map parameter. */
    [[noreturn]] void fail_entry(const std::string& key,
                                 const std::string& entry,
                                 const std::string& message) const;

private:
    const ParamSpec& spec(const std::string& key) const;
    std::string scalar(const std::string& key) const;

    ParamValue params_;
    PolicyInfo info_;
};

// ---- reading a structured parameter's values, each problem an InputError at the value ----

/** What a value is, for "found ...": "'text'", "a mapping", "a list" or "nothing". */
std::string describe_param(const ParamValue& v);
/** A scalar's text. */
std::string param_text(const ParamValue& v);
/** A scalar's number (finite). */
double param_number(const ParamValue& v);
/** A mapping's entries; a key not in `allowed` is refused with the nearest allowed key. */
const ParamValue::Map& param_map(const ParamValue& v, const std::vector<std::string>& allowed);
/** A list's elements; a single scalar is a list of one. */
std::vector<const ParamValue*> param_list(const ParamValue& v);

}  // namespace fleetsim
