#pragma once
// The only code that reads YAML values. Every value keeps its file, mark and dotted path, so that
// each problem is reported as file:line:col with the key, what was expected and what was found.
// yaml-cpp does not reject unknown keys: MapReader does, before any value is read, and suggests
// the nearest valid key (a misspelt key must never fall back to a silent default).

#include "sim/config/input_error.hpp"
#include "sim/config/range.hpp"

#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fleetsim {

/** Dotted paths set with --set on the command line, with the text the user typed. */
using OverrideLog = std::map<std::string, std::string>;

/** A YAML node with the context needed to report problems with it. */
class YamlValue {
public:
    YamlValue(YAML::Node node,
              std::string file,
              std::string path,
              Diagnostics* diagnostics,
              std::shared_ptr<const OverrideLog> overrides);

    const YAML::Node& node() const { return node_; }
    const std::string& path() const { return path_; }
    const std::string& file() const { return file_; }
    Diagnostics& diagnostics() const { return *diagnostics_; }
    SourceSpan where() const;

    bool defined() const { return node_.IsDefined() && !node_.IsNull(); }
    bool is_map() const { return node_.IsMap(); }
    bool is_sequence() const { return node_.IsSequence(); }
    bool is_scalar() const { return node_.IsScalar(); }

    /** Reports a problem at this value. Returns normally only in collect-all mode. */
    void fail(const std::string& message) const;

    std::optional<double> number(Range range = Range::any) const;
    std::optional<long long> integer(Range range = Range::any) const;
    std::optional<std::string> text() const;
    std::optional<bool> boolean() const;
    /** A string that must be one of `choices`. */
    std::optional<std::string> choice(const std::vector<std::string>& choices) const;

    /** The elements of a sequence (reports and returns {} for anything else). */
    std::vector<YamlValue> elements() const;
    /** The entries of a mapping in file order (reports and returns {} for anything else). */
    std::vector<std::pair<std::string, YamlValue>> entries() const;
    /** A child without checks; defined() is false when absent. */
    YamlValue child(const std::string& key) const;
    /** The same value seen from another file (for sub-files named inside a scenario). */
    YamlValue with_file(std::string file) const;

    /** A short rendering of the value for "found ..." in messages. */
    std::string found() const;

    const std::shared_ptr<const OverrideLog>& overrides() const { return overrides_; }

private:
    YAML::Node node_;
    std::string file_;
    std::string path_;
    Diagnostics* diagnostics_;
    std::shared_ptr<const OverrideLog> overrides_;
};

/** Reads one YAML mapping whose allowed keys are declared up front. */
class MapReader {
public:
    /** Reports a non-mapping value and every key not in `allowed` (with the nearest valid key). */
    MapReader(const YamlValue& value, std::vector<std::string> allowed);

    bool ok() const { return ok_; }
    bool has(const std::string& key) const;
    const YamlValue& value() const { return value_; }

    /** The child at `key`; reports "missing required key" when absent. */
    std::optional<YamlValue> required(const std::string& key) const;
    YamlValue optional(const std::string& key) const { return value_.child(key); }

    double number(const std::string& key, Range range = Range::any) const;
    double number_or(const std::string& key, double fallback, Range range = Range::any) const;
    long long integer(const std::string& key, Range range = Range::any) const;
    long long integer_or(const std::string& key,
                         long long fallback,
                         Range range = Range::any) const;
    std::string text(const std::string& key) const;
    std::string text_or(const std::string& key, const std::string& fallback) const;
    bool boolean_or(const std::string& key, bool fallback) const;
    std::string choice(const std::string& key, const std::vector<std::string>& choices) const;
    std::string choice_or(const std::string& key,
                          const std::vector<std::string>& choices,
                          const std::string& fallback) const;

    /** Reports that exactly one of the keys must be present; returns the one present or "". */
    std::string exactly_one_of(const std::vector<std::string>& keys) const;

private:
    YamlValue value_;
    std::vector<std::string> allowed_;
    bool ok_ = true;
};

/** The block-mapping key read last before a position (0-based line and column) of a YAML text. */
struct KeyBefore {
    std::string path;  ///< dotted, parents found by indentation; "" when there is none
    int line = 0;      ///< 1-based line of that key; 0 when there is none
};
KeyBefore key_before(const std::string& text, int line, int column);

/**
 * Limits on every YAML document (docs/config.md, "Limits"): its size, and its nodes and depth
 * as walked, each alias counted as the nodes it repeats. Checked before anything reads it.
 */
inline constexpr std::size_t kMaxYamlBytes = 1024 * 1024;
inline constexpr long long kMaxYamlNodes = 1'000'000;
inline constexpr int kMaxYamlDepth = 64;

/** Loads a YAML file; a missing file or malformed YAML is an InputError at file:line:col. */
YAML::Node load_yaml_file(const std::string& path, const std::string& shown_as);
/** Parses YAML text (the built-in scenario, or a --set value). */
YAML::Node load_yaml_text(const std::string& text, const std::string& shown_as);

}  // namespace fleetsim
