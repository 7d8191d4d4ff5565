#include "policies/params.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fleetsim {
namespace {

const ParamValue::Map& as_map(const ParamValue& v) {
    static const ParamValue::Map empty;
    const auto* m = std::get_if<ParamValue::Map>(&v.value);
    return m ? *m : empty;
}

bool parse_number(const std::string& text, double& out) {
    try {
        std::size_t used = 0;
        out = std::stod(text, &used);
        return used == text.size() && std::isfinite(out);
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

std::string describe_param(const ParamValue& v) {
    if (const auto* s = std::get_if<std::string>(&v.value))
        return "'" + *s + "'";
    if (std::holds_alternative<ParamValue::Map>(v.value))
        return "a mapping";
    if (std::holds_alternative<ParamValue::List>(v.value))
        return "a list";
    return "nothing";
}

std::string param_text(const ParamValue& v) {
    const auto* text = std::get_if<std::string>(&v.value);
    if (!text)
        throw InputError(v.where, v.path, "expected a single value, found " + describe_param(v));
    return *text;
}

double param_number(const ParamValue& v) {
    double x = 0;
    if (!parse_number(param_text(v), x))
        throw InputError(v.where, v.path, "expected a number, found " + describe_param(v));
    return x;
}

const ParamValue::Map& param_map(const ParamValue& v, const std::vector<std::string>& allowed) {
    const auto* m = std::get_if<ParamValue::Map>(&v.value);
    if (!m)
        throw InputError(v.where, v.path, "expected a mapping, found " + describe_param(v));
    for (const auto& [key, entry] : *m) {
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end())
            continue;
        const std::string hint = nearest_name(key, allowed);
        std::string list;
        for (const auto& k : allowed)
            list += (list.empty() ? "" : ", ") + k;
        throw InputError(entry.where, entry.path,
                         "unknown key '" + key + "'" +
                             (hint.empty() ? "; expected one of " + list
                                           : ", did you mean '" + hint + "'?"));
    }
    return *m;
}

std::vector<const ParamValue*> param_list(const ParamValue& v) {
    std::vector<const ParamValue*> out;
    if (const auto* list = std::get_if<ParamValue::List>(&v.value)) {
        for (const auto& e : *list)
            out.push_back(&e);
    } else if (std::holds_alternative<std::string>(v.value)) {
        out.push_back(&v);
    } else {
        throw InputError(v.where, v.path, "expected a list, found " + describe_param(v));
    }
    return out;
}

ParamSet::ParamSet(const ParamValue& given_params, const PolicyInfo& info)
    : params_(given_params), info_(info) {
    std::vector<std::string> known;
    for (const auto& p : info_.params)
        known.push_back(p.key);
    for (const auto& [key, value] : as_map(params_)) {
        bool ok = false;
        for (const auto& k : known)
            ok = ok || k == key;
        if (ok)
            continue;
        std::string hint = nearest_name(key, known);
        std::string list;
        for (const auto& k : known)
            list += (list.empty() ? "" : ", ") + k;
        throw InputError(value.where, value.path,
                         "unknown parameter '" + key + "' for policy '" + info_.name + "'" +
                             (hint.empty() ? (list.empty() ? "; it takes no parameters"
                                                           : "; expected one of " + list)
                                           : ", did you mean '" + hint + "'?"));
    }
    // Type-check every given value now, so a bad one is reported even if never read.
    for (const auto& p : info_.params) {
        if (!given(p.key) && p.default_value.empty()) {
            throw InputError(
                params_.where, params_.path.empty() ? "policy.params" : params_.path,
                "missing required parameter '" + p.key + "' for policy '" + info_.name + "'");
        }
        if (p.type == "number")
            (void)number(p.key);
        if (p.type == "integer")
            (void)integer(p.key);
        if (p.type == "bool")
            (void)flag(p.key);
        if (p.type == "text")
            (void)text(p.key);
        if (p.type == "map-of-number")
            (void)number_map(p.key);
    }
}

const ParamValue* ParamSet::given(const std::string& key) const {
    const auto& m = as_map(params_);
    auto it = m.find(key);
    return it == m.end() ? nullptr : &it->second;
}

const ParamSpec& ParamSet::spec(const std::string& key) const {
    for (const auto& p : info_.params) {
        if (p.key == key)
            return p;
    }
    throw std::logic_error("policy " + info_.name + " reads undeclared parameter " + key);
}

void ParamSet::fail(const std::string& key, const std::string& message) const {
    if (const auto* v = given(key))
        throw InputError(v->where, v->path, message);
    throw InputError(params_.where,
                     (params_.path.empty() ? "policy.params" : params_.path) + "." + key, message);
}

void ParamSet::fail_entry(const std::string& key,
                          const std::string& entry,
                          const std::string& message) const {
    if (const auto* v = given(key)) {
        const auto& m = as_map(*v);
        auto it = m.find(entry);
        if (it != m.end())
            throw InputError(it->second.where, it->second.path, message);
    }
    fail(key, message);
}

std::string ParamSet::scalar(const std::string& key) const {
    const ParamSpec& s = spec(key);
    if (const auto* v = given(key)) {
        if (const auto* text = std::get_if<std::string>(&v->value))
            return *text;
        fail(key, "expected a single value for '" + key + "', found " + describe_param(*v));
    }
    return s.default_value;
}

double ParamSet::number(const std::string& key) const {
    double out = 0;
    std::string text = scalar(key);
    if (!parse_number(text, out))
        fail(key, "expected a number for '" + key + "', found '" + text + "'");
    return out;
}

long long ParamSet::integer(const std::string& key) const {
    double out = 0;
    std::string text = scalar(key);
    if (!parse_number(text, out) || std::floor(out) != out) {
        fail(key, "expected an integer for '" + key + "', found '" + text + "'");
    }
    return static_cast<long long>(out);
}

bool ParamSet::flag(const std::string& key) const {
    std::string text = scalar(key);
    if (text == "true" || text == "yes" || text == "on")
        return true;
    if (text == "false" || text == "no" || text == "off")
        return false;
    fail(key, "expected true or false for '" + key + "', found '" + text + "'");
}

std::string ParamSet::text(const std::string& key) const {
    return scalar(key);
}

std::string ParamSet::choice(const std::string& key,
                             const std::vector<std::string>& choices) const {
    std::string t = text(key);
    for (const auto& c : choices) {
        if (c == t)
            return t;
    }
    std::string list;
    for (const auto& c : choices)
        list += (list.empty() ? "" : ", ") + c;
    std::string hint = nearest_name(t, choices);
    fail(key, "expected one of " + list + " for '" + key + "', found '" + t + "'" +
                  (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
}

std::map<std::string, double> ParamSet::number_map(const std::string& key) const {
    (void)spec(key);
    std::map<std::string, double> out;
    const ParamValue* v = given(key);
    if (!v)
        return out;
    if (!std::holds_alternative<ParamValue::Map>(v->value)) {
        fail(key, "expected a mapping of name: number for '" + key + "', found " + describe_param(*v));
    }
    for (const auto& [name, entry] : as_map(*v)) {
        double x = 0;
        const auto* text = std::get_if<std::string>(&entry.value);
        if (!text || !parse_number(*text, x)) {
            throw InputError(entry.where, entry.path,
                             "expected a number, found " + describe_param(entry));
        }
        out[name] = x;
    }
    return out;
}

}  // namespace fleetsim
