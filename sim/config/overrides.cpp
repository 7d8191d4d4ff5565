#include "sim/config/overrides.hpp"

#include "sim/config/key_reference.hpp"
#include "sim/config/yaml_reader.hpp"

#include <stdexcept>

namespace fleetsim {
namespace {

std::vector<std::string> map_keys(const YAML::Node& node) {
    std::vector<std::string> keys;
    if (node.IsMap()) {
        for (const auto& kv : node)
            keys.push_back(kv.first.Scalar());
    }
    return keys;
}

/**
 * Whether parts[0..i] names an optional mapping the schema knows by a literal name (output,
 * engine, a class's profile), which --set may create when the file leaves it out. Never an
 * entry the user names (a pool, a class): a misspelt name must stay an error.
 */
bool creatable_section(const std::vector<std::string>& parts, std::size_t i) {
    for (const auto& g : accepted_keys()) {
        std::vector<std::string> comps = split_dots(g.prefix);
        comps.pop_back();  // the prefix ends with '.'
        if (comps.size() != i + 1)
            continue;
        bool match = true;
        for (std::size_t j = 0; j <= i && match; ++j) {
            const bool placeholder = !comps[j].empty() && comps[j].front() == '<';
            match =
                j == i ? !placeholder && comps[j] == parts[j] : placeholder || comps[j] == parts[j];
        }
        if (match)
            return true;
    }
    return false;
}

}  // namespace

Override parse_override(const std::string& text) {
    auto eq = text.find('=');
    const SourceSpan where{"<command line: --set " + text + ">", 0, 0};
    if (eq == std::string::npos)
        throw InputError(where, "", "expected KEY=VALUE, found no '='");
    Override o{text.substr(0, eq), text.substr(eq + 1)};
    if (o.key.empty())
        throw InputError(where, "", "expected KEY=VALUE, found an empty key");
    // An empty value would parse as YAML null and surface later as a "missing" key of the
    // scenario file, blaming the wrong place.
    if (o.value.find_first_not_of(" \t") == std::string::npos)
        throw InputError(where, o.key,
                         "expected KEY=VALUE, found no value after '=' (an empty text is "
                         "KEY='\"\"')");
    return o;
}

std::vector<std::string> split_dots(const std::string& key) {
    std::vector<std::string> parts;
    std::string cur;
    for (char c : key) {
        if (c == '.') {
            parts.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    parts.push_back(cur);
    return parts;
}

OverridesByFile overrides_by_file(const std::vector<Override>& overrides) {
    OverridesByFile by_file;
    for (const auto& o : overrides) {
        auto parts = split_dots(o.key);
        const bool into_platform = parts.front() == "platform" && parts.size() > 1;
        const bool into_workload = parts.front() == "workload" && parts.size() > 1;
        auto& list = into_platform   ? by_file.platform
                     : into_workload ? by_file.workload
                                     : by_file.scenario;
        list.push_back(o);
    }
    return by_file;
}

void set_in_tree(YAML::Node root,
                 const std::vector<std::string>& parts,
                 std::size_t first,
                 const Override& o) {
    const SourceSpan where{"<command line: --set " + o.key + "=" + o.value + ">", 0, 0};
    YAML::Node value;
    try {
        value = load_yaml_text(o.value, where.file);
    } catch (const InputError& e) {
        // The value alone has no keys; the key it was meant for is the one to name.
        throw InputError(e.where(), o.key, e.message());
    }
    YAML::Node cur = root;
    std::string walked;
    for (std::size_t i = first; i < parts.size(); ++i) {
        const std::string& part = parts[i];
        if (part.empty())
            throw InputError(where, o.key, "empty component in dotted key");
        const bool last = i + 1 == parts.size();
        if (cur.IsSequence()) {
            std::size_t index = 0;
            try {
                index = static_cast<std::size_t>(std::stoul(part));
            } catch (const std::exception&) {
                throw InputError(
                    where, o.key,
                    "'" + walked + "' is a list: expected an index, found '" + part + "'");
            }
            if (index >= cur.size()) {
                throw InputError(
                    where, o.key,
                    "'" + walked + "' has only " + std::to_string(cur.size()) + " elements");
            }
            if (last) {
                cur[index] = value;
                return;
            }
            cur.reset(cur[index]);
        } else if (cur.IsMap() || (cur.IsNull() && last)) {
            if (last) {
                cur[part] = value;
                return;
            }
            const YAML::Node& lookup = cur;  // const: operator[] must not insert
            if (!lookup[part] && creatable_section(parts, i)) {
                cur[part] = YAML::Node(YAML::NodeType::Map);
            } else if (!lookup[part]) {
                std::string hint = nearest_name(part, map_keys(cur));
                throw InputError(where, o.key,
                                 "no key '" + part + "' under '" +
                                     (walked.empty() ? "<top>" : walked) + "'" +
                                     (hint.empty() ? "" : ", did you mean '" + hint + "'?"));
            }
            YAML::Node next = cur[part];
            cur.reset(next);
        } else {
            throw InputError(where, o.key, "'" + walked + "' is a single value, not a mapping");
        }
        walked += (walked.empty() ? "" : ".") + part;
    }
}

}  // namespace fleetsim
