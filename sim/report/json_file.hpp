#pragma once
// Reading the JSON files of a run (summary.json) and of a sweep (sweep.json) with errors that
// name the file, the line (for syntax errors) and the dotted key, as InputError does for YAML.

#include <nlohmann/json.hpp>

#include <string>

namespace fleetsim {

using OrderedJson = nlohmann::ordered_json;

/** Parses `path`; a missing file or a syntax error is an InputError with file and line. */
OrderedJson read_json_file(const std::string& path);

/** Typed access to a parsed file: a missing key or a value of the wrong type is an InputError. */
class JsonFields {
public:
    JsonFields(const std::string& file, const OrderedJson& node, std::string key_prefix = "")
        : file_(file), node_(node), prefix_(std::move(key_prefix)) {}

    const OrderedJson& node() const { return node_; }
    bool has(const std::string& key) const { return node_.contains(key); }
    double number(const std::string& key) const;
    /** A number, or nullopt when the key holds null (e.g. wait_s_p50 of a class with no jobs). */
    std::optional<double> optional_number(const std::string& key) const;
    std::string text(const std::string& key) const;
    JsonFields object(const std::string& key) const;
    const OrderedJson& array(const std::string& key) const;

private:
    const OrderedJson& at(const std::string& key) const;
    [[noreturn]] void wrong(const std::string& key, const std::string& expected) const;

    std::string file_;
    const OrderedJson& node_;
    std::string prefix_;
};

}  // namespace fleetsim
