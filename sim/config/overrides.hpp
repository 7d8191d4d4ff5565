#pragma once
// --set KEY=VALUE: each value replaces (or adds) a node of the YAML tree before any check, so
// an overridden value passes the same checks as one written in a file. Internal to sim/config.

#include "sim/config/scenario_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace fleetsim {

/** "a.b.c" -> {"a", "b", "c"}. */
std::vector<std::string> split_dots(const std::string& key);

/**
 * Sets root[parts[first]]...[parts.back()] = the override's value (parsed as YAML). Every step
 * but the last must exist, or be a section the schema knows by a literal name (output,
 * engine, a class's profile), which is created; an InputError names the --set otherwise.
 */
void set_in_tree(YAML::Node root,
                 const std::vector<std::string>& parts,
                 std::size_t first,
                 const Override& o);

/** The overrides by the file they change: the scenario's own, the platform's, the workload's. */
struct OverridesByFile {
    std::vector<Override> scenario;
    std::vector<Override> platform;
    std::vector<Override> workload;
};
OverridesByFile overrides_by_file(const std::vector<Override>& overrides);

}  // namespace fleetsim
