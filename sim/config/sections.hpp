#pragma once
// The sections of the inputs, each with its key table and its reader, defined in the file
// named after it:
//   platform_loader.cpp  platform, gpu_types, sites, pools
//   failure_loader.cpp   platform.failures: failure modes, node and rack failures, maintenance,
//                        the failure log
//   workload_loader.cpp  workload, classes (common, service, batch), rate profiles, distributions
//   policy_loader.cpp    policy
//   scenario_loader.cpp  the scenario's top level, output, engine, and load_scenario()
//   trace_loader.cpp     a class's `trace` (job and request logs, where, columns), load_traces()
// key_reference.cpp lists the tables for accepted_keys() and docs/config.md. Internal to
// sim/config: the rest of fleetsim calls load_scenario().

#include "sim/config/key_table.hpp"
#include "sim/config/spec.hpp"
#include "sim/config/yaml_reader.hpp"

#include <string>
#include <vector>

namespace fleetsim {

/** The `name`s of a list of specs (sites, GPU types, pools), for checking references. */
std::vector<std::string> names_of(const auto& list) {
    std::vector<std::string> names;
    for (const auto& x : list)
        names.push_back(x.name);
    return names;
}

/** Reports `name` at `at` when it is not one of `names` (a site, a GPU type, a pool), with the
    nearest; false then. */
bool check_ref(const YamlValue& at,
               const std::string& what,
               const std::string& name,
               const std::vector<std::string>& names);

KeyTable<ScenarioSpec> scenario_keys();
KeyTable<OutputSpec> output_keys();
KeyTable<ScenarioSpec> engine_keys();
KeyTable<PolicySpec> policy_keys();
KeyTable<PlatformSpec> platform_keys();
KeyTable<GpuTypeSpec> gpu_type_keys();
KeyTable<SiteSpec> site_keys();
KeyTable<PoolSpec> pool_keys();
KeyTable<WorkloadSpec> workload_keys();
KeyTable<WorkloadClassSpec> class_keys();
KeyTable<ServiceSpec> service_keys();
KeyTable<BatchSpec> batch_keys();
KeyTable<RateProfileSpec> profile_keys();
KeyTable<DistributionSpec> distribution_keys();
KeyTable<FailureSpec> failures_keys();
KeyTable<FailureModeSpec> failure_mode_keys();
KeyTable<PoolFailureSpec> pool_failure_keys();
KeyTable<MaintenanceSpec> maintenance_keys();
KeyTable<JobTraceOptions> job_trace_keys();
KeyTable<RequestTraceOptions> request_trace_keys();
KeyTable<TraceCondition> trace_condition_keys();
KeyTable<CsvColumnMap> csv_column_keys();
KeyTable<CsvValueMap> csv_value_keys();

/** GPU and node counts are ints (sim/model/fleet.hpp): a pool's and the fleet's must fit. */
inline constexpr long long kMaxFleetGpus = 2'147'483'647;
/** Reports, at `at`, a fleet whose GPUs or nodes in all pools would not fit an int. */
void check_fleet_size(const PlatformSpec& p, const YamlValue& at);

/** A platform mapping (the platform file, or `platform:` inline). */
PlatformSpec read_platform(const YamlValue& v);
/** A workload mapping; class pools are checked against `platform`. */
WorkloadSpec read_workload(const YamlValue& v, const PlatformSpec& platform);
/** `platform.failures` (undefined: nothing fails); names are checked against `platform`. */
FailureSpec read_failures(const YamlValue& v, const PlatformSpec& platform);
/** A number (a constant) or a mapping whose `dist` decides its keys; values in `range`. */
DistributionSpec read_distribution(const YamlValue& v, const Range& range);
/** A batch class's `trace` mapping (trace_loader.cpp); its path resolved against its file. */
JobTraceOptions read_job_trace(const YamlValue& v);
/** A service's `trace` mapping (trace_loader.cpp). */
RequestTraceOptions read_request_trace(const YamlValue& v);
/**
 * Reads every trace the scenario names once (trace_loader.cpp): checks every row, fills each
 * batch class's trace_scan and each traced service's profile and demand rate. Problems are
 * reported with the trace file's own line and column.
 */
void load_traces(ScenarioSpec& s, Diagnostics& diagnostics);

/** `policy: NAME` or `policy: {name, params}`. */
PolicySpec read_policy(const YamlValue& v);

/** Reports a name that is not letters, digits, '-' and '_' (pools, classes, the scenario). */
void check_name(const std::string& name, const YamlValue& at);

}  // namespace fleetsim
