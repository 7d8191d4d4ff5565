#pragma once
// The figures of summary.json (design.md section 4) that the report reads, as plain structs.
// Only firm names are required; anything else the report shows is passed through as it is.

#include "sim/report/json_file.hpp"

#include <optional>
#include <string>
#include <vector>

namespace fleetsim {

struct ClassSummary {
    std::string name;
    std::string family;
    std::string kind;
    double gpu_h = 0;
    double revenue_usd = 0;
    double cost_usd = 0;
    double profit_usd = 0;
    std::optional<double> revenue_usd_per_gpu_h;
    double opportunity_cost_usd = 0;
    double demand_units = 0;
    double served_units = 0;
    std::optional<double> busy_gpu_h;  ///< not a firm field: absent in older outputs
    OrderedJson raw;                   ///< the class's object as written, for the page
};

struct RunSummary {
    std::string scenario;
    std::string policy;
    double seed = 0;
    double horizon_s = 0;
    double gpus = 0;
    double gpu_h_capacity = 0;
    double gpu_h_busy = 0;
    double utilization = 0;
    std::optional<double> mean_shadow_price_usd_per_gpu_h;  ///< not a firm field
    double revenue_usd = 0;
    double cost_usd = 0;
    double profit_usd = 0;
    double opportunity_cost_usd = 0;
    std::string version;
    std::vector<ClassSummary> classes;  ///< in the order of summary.json
    OrderedJson fleet_raw;
    OrderedJson totals_raw;
};

/** Reads `path` (a summary.json); a missing firm field is an InputError naming its key. */
RunSummary read_run_summary(const std::string& path);

}  // namespace fleetsim
