#pragma once
// Every key the inputs accept, section by section, as the sections' key tables declare them
// (sim/config/key_table.hpp): what --set may create, and the reference of docs/config.md
// (`fleetsim config-keys --markdown`, tools/update-config-doc.sh).

#include <string>
#include <vector>

namespace fleetsim {

/** One key as the docs show it. */
struct KeyDoc {
    std::string name;          ///< the key within its mapping: "nodes"
    std::string type;          ///< "integer > 0, at most 10,000,000"
    std::string unit;          ///< "nodes"; "" when it has none
    std::string default_text;  ///< "required", "`300`", or words
    std::string help;
};

/** One mapping of the inputs and the keys it accepts. */
struct KeySection {
    /** The dotted path as --set names it, "<...>" standing for a user-chosen name:
     * "platform.pools.<pool>."; "" for the scenario's top level. */
    std::string prefix;
    std::string when;     ///< which classes take the keys ("kind: batch"); "" for all
    std::string heading;  ///< docs/config.md: "## Platform file (`platforms/*.yaml`)"
    std::string intro;    ///< docs/config.md: a paragraph under the heading, or ""
    std::vector<KeyDoc> keys;
};

/** Every section, in the order of docs/config.md. */
const std::vector<KeySection>& accepted_keys();

/** The key reference of docs/config.md (between its BEGIN and END generated markers). */
std::string config_keys_markdown();
/** The same for a terminal: `fleetsim config-keys`. */
std::string config_keys_text();

}  // namespace fleetsim
