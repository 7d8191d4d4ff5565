#pragma once
// Checked parameter values shared by policies: per-class maps (priorities, weights), keyed by
// class name and checked against the scenario's classes (an unknown name is an input error with
// the nearest class name as a hint), and numbers with a lower bound.

#include "policies/params.hpp"
#include "sim/config/spec.hpp"

#include <string>
#include <vector>

namespace fleetsim {

/** One value per class id; classes the map does not list get `fallback`. Values below
    `min_value` are input errors at the entry. */
std::vector<double> per_class_numbers(const ParamSet& params,
                                      const std::string& key,
                                      const ScenarioSpec& scenario,
                                      double fallback,
                                      double min_value);

/** The number `key`; below `min_value` is an input error at the parameter. */
double number_at_least(const ParamSet& params, const std::string& key, double min_value);
/** The number `key`; zero or below is an input error at the parameter. */
double positive_number(const ParamSet& params, const std::string& key);
/** The integer `key`; below `min_value` is an input error at the parameter. */
long long integer_at_least(const ParamSet& params, const std::string& key, long long min_value);

/** The `max_scan` parameter most policies take: how many waiting jobs of a class one call
    looks at, which bounds a call's work when queues grow long. */
inline ParamSpec max_scan_param() {
    return {"max_scan", "integer", "256", "jobs", "waiting jobs examined per class per call"};
}
/** The value of `max_scan` (at least 1; below is an input error at the parameter). */
inline long long max_scan_from(const ParamSet& params) {
    return integer_at_least(params, "max_scan", 1);
}

}  // namespace fleetsim
