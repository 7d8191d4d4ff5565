#pragma once
// Reads a scenario (and the platform and workload files it names), applies --set overrides to
// the YAML tree before parsing (so overridden values pass the same checks), validates every
// key and cross-reference, and returns plain structs.

#include "sim/config/input_error.hpp"
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

/**
 * One mapping of the inputs and the keys the loader accepts in it: the single list that both
 * the loader's MapReaders and the docs test (docs/config.md must name every key) read.
 * `prefix` is the dotted path as --set names it, "<...>" standing for a user-chosen name:
 * "platform.pools.<pool>.". `when` says which classes take the keys ("" for all).
 */
struct KeyGroup {
    std::string prefix;
    std::string when;
    std::vector<std::string> keys;
};
const std::vector<KeyGroup>& accepted_keys();

/** Every file compiled into the binary, by repository-relative path. */
const std::vector<std::pair<std::string, std::string>>& builtin_files();

}  // namespace fleetsim
