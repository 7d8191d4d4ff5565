#pragma once
// Reads a scenario (and the platform and workload files it names), applies --set overrides to
// the YAML tree before parsing (so overridden values pass the same checks), validates every
// key and cross-reference, and returns plain structs. The keys of each section are a table
// (sim/config/key_table.hpp); key_reference.hpp lists them for --set and docs/config.md.

#include "sim/config/input_error.hpp"
#include "sim/config/key_reference.hpp"
#include "sim/config/spec.hpp"

#include <string>
#include <vector>

namespace fleetsim {

/** A --set KEY=VALUE from the command line. */
struct Override {
    std::string key;
    std::string value;
};

/** Splits "a.b.c=value"; an InputError when there is no '=' or no key. */
Override parse_override(const std::string& text);

/** The scenario compiled into the binary (scenarios/default.yaml and the files it names). */
inline constexpr const char* kBuiltinScenario = "builtin:scenarios/default.yaml";

/**
 * Loads and validates a scenario. `path` is a file, or kBuiltinScenario. In collect-all mode
 * every problem is added to `diagnostics`; otherwise the first one is thrown as InputError.
 */
ScenarioSpec load_scenario(const std::string& path,
                           const std::vector<Override>& overrides,
                           Diagnostics& diagnostics);

/** Every file compiled into the binary, by repository-relative path. */
const std::vector<std::pair<std::string, std::string>>& builtin_files();

}  // namespace fleetsim
