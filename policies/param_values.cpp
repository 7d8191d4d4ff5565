#include "policies/param_values.hpp"

#include <algorithm>
#include <sstream>

namespace fleetsim {

std::vector<double> per_class_numbers(const ParamSet& params,
                                      const std::string& key,
                                      const ScenarioSpec& scenario,
                                      double fallback,
                                      double min_value) {
    std::vector<std::string> names;
    for (const auto& c : scenario.workload.classes)
        names.push_back(c.name);
    std::vector<double> out(names.size(), fallback);
    for (const auto& [name, value] : params.number_map(key)) {
        auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) {
            std::string hint = nearest_name(name, names);
            params.fail_entry(key, name,
                              "unknown class '" + name + "'" +
                                  (hint.empty() ? "" : ", did you mean '" + hint + "'?"));
        }
        if (value < min_value) {
            std::ostringstream msg;
            msg << "expected a value >= " << min_value << " for class '" << name << "', found "
                << value;
            params.fail_entry(key, name, msg.str());
        }
        out[static_cast<std::size_t>(it - names.begin())] = value;
    }
    return out;
}

double number_at_least(const ParamSet& params, const std::string& key, double min_value) {
    const double v = params.number(key);
    if (v < min_value) {
        std::ostringstream msg;
        msg << "expected " << key << " >= " << min_value << ", found " << v;
        params.fail(key, msg.str());
    }
    return v;
}

double positive_number(const ParamSet& params, const std::string& key) {
    const double v = params.number(key);
    if (v <= 0) {
        std::ostringstream msg;
        msg << "expected " << key << " > 0, found " << v;
        params.fail(key, msg.str());
    }
    return v;
}

long long integer_at_least(const ParamSet& params, const std::string& key, long long min_value) {
    const long long v = params.integer(key);
    if (v < min_value) {
        params.fail(key, "expected " + key + " >= " + std::to_string(min_value) + ", found " +
                             std::to_string(v));
    }
    return v;
}

}  // namespace fleetsim
