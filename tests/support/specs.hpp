#pragma once
// Scenarios for tests that never start SimGrid: YAML text -> a validated ScenarioSpec, through
// the real loader (so hand-built states are built from inputs a user could write).
// Header-only: the unit test binary links fleetsim_config, the scenario tests do not.

#include "sim/config/scenario_loader.hpp"
#include "tests/support/spawn.hpp"

#include <memory>
#include <string>
#include <vector>

namespace fleetsim::test {

/** Writes `yaml` to DIR/name and loads it (fail-fast: the first problem is thrown). */
inline ScenarioSpec load_yaml_scenario(const TempDir& dir,
                                       const std::string& yaml,
                                       const std::vector<Override>& overrides = {},
                                       const std::string& name = "scenario.yaml") {
    const std::string path = dir / name;
    write_file(path, yaml);
    Diagnostics diagnostics;
    return load_scenario(path, overrides, diagnostics);
}

/** The platform used by the hand-built states: pool `slow` of `nodes` x 8 reference GPUs
    (capex 35,040 USD over 4 years = 1 USD/GPU-h, overhead 0.5, energy 0.1 USD/kWh, PUE 1.25)
    and pool `fast`, one node of 8 GPUs twice as fast. */
inline std::string small_platform_yaml(int slow_nodes = 2) {
    return "platform:\n"
           "  name: small\n"
           "  reference_gpu_type: ref\n"
           "  gpu_types:\n"
           "    ref: {dense_bf16_tflops: 1000, memory_gb: 80, power_idle_w: 100, power_busy_w: "
           "700, capex_usd: 35040, amortization_years: 4}\n"
           "    fast: {dense_bf16_tflops: 2000, memory_gb: 80, power_idle_w: 200, "
           "power_busy_w: 1000, capex_usd: 70080, amortization_years: 4}\n"
           "  sites:\n"
           "    s: {energy_usd_per_kwh: 0.10, pue: 1.25, overhead_usd_per_gpu_h: 0.5}\n"
           "  pools:\n"
           "    slow: {site: s, gpu_type: ref, nodes: " +
           std::to_string(slow_nodes) +
           ", gpus_per_node: 8}\n"
           "    fast: {site: s, gpu_type: fast, nodes: 1, gpus_per_node: 8}\n";
}

}  // namespace fleetsim::test
