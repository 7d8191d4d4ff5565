#pragma once
// Per-class policy parameters (priorities, weights): a `map-of-number` parameter keyed by class
// name, checked against the scenario's classes (an unknown name is an input error with the
// nearest class name as a hint) and returned as one value per class id.

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

}  // namespace fleetsim
