// The YAML inputs: a scenario, a platform file, a workload file (each as `fleetsim validate`
// reads it, every problem collected, and as `fleetsim run` does, stopping at the first), and a
// sweep file (as `fleetsim sweep` plans it, loading every setting of the base scenario).

#include "fuzz/harness.hpp"
#include "sim/config/scenario_loader.hpp"
#include "sim/sweep/sweep_spec.hpp"

namespace fleetsim::fuzz {
namespace {

/** Loads the scenario at `path` both ways: collecting every problem, then failing fast. */
void load_both_ways(const std::string& path) {
    guarded([&] {
        Diagnostics all(/*collect_all=*/true);
        load_scenario(path, {}, all);
    });
    guarded([&] {
        Diagnostics first;
        load_scenario(path, {}, first);
    });
}

}  // namespace

int scenario(const std::uint8_t* data, std::size_t size) {
    // Beside the shipped scenarios, so that their `../platforms/...` paths resolve.
    load_both_ways(put("scenarios/fuzz-input.yaml", as_text(data, size)));
    return 0;
}

int platform(const std::uint8_t* data, std::size_t size) {
    static const std::string scenario_path = put("scenarios/fuzz-platform.yaml",
                                                 "name: fuzz\n"
                                                 "platform: ../platforms/fuzz-input.yaml\n"
                                                 "workload: ../workloads/lab-mix.yaml\n"
                                                 "policy: fifo\n"
                                                 "horizon_s: 86400\n"
                                                 "seed: 1\n");
    put("platforms/fuzz-input.yaml", as_text(data, size));
    load_both_ways(scenario_path);
    return 0;
}

int workload(const std::uint8_t* data, std::size_t size) {
    static const std::string scenario_path = put("scenarios/fuzz-workload.yaml",
                                                 "name: fuzz\n"
                                                 "platform: ../platforms/h100-lab.yaml\n"
                                                 "workload: ../workloads/fuzz-input.yaml\n"
                                                 "policy: fifo\n"
                                                 "horizon_s: 86400\n"
                                                 "seed: 1\n");
    put("workloads/fuzz-input.yaml", as_text(data, size));
    load_both_ways(scenario_path);
    return 0;
}

int sweep(const std::uint8_t* data, std::size_t size) {
    // Beside the shipped sweeps: their `base: ../default.yaml` resolves.
    const std::string path = put("scenarios/sweeps/fuzz-input.yaml", as_text(data, size));
    guarded([&] { (void)fleetsim::sweep::load_sweep(path); });
    return 0;
}

}  // namespace fleetsim::fuzz
