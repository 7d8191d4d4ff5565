#include "sim/config/yaml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace fleetsim {
namespace {

std::string join_path(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
}

/**
 * Walks the parsed tree once, before anything reads it, with a budget of nodes and depth.
 * yaml-cpp shares an aliased node instead of copying it, so parsing "billion laughs" (ten
 * levels of ten aliases) is cheap, but every later walk over it (the loaders', the resolved
 * YAML's) expands it to 10^10 nodes and hangs. The budget counts each alias as the nodes it
 * repeats, which bounds every later walk by it.
 *
 * The count itself must not expand the aliases: a collection met again through an alias adds
 * the size and height it was found to have the first time (remembered by its position and
 * checked to be the very same node), so the check costs one pass over the distinct nodes of
 * the document (a bomb is refused in microseconds, not after a million visits).
 *
 * It also refuses a key written twice in one mapping: yaml-cpp keeps both entries, MapReader
 * would read the first and ignore the second, entries() would return both (two classes of one
 * name, whose books summary.json then merges). It is refused like malformed YAML, at the
 * second occurrence.
 */
class TreeCheck {
public:
    explicit TreeCheck(const std::string& shown_as) : shown_as_(shown_as) {}

    void check(const YAML::Node& root) { (void)walk(root, "", 0); }

private:
    /** A subtree's size, counting aliases as what they repeat, and its levels below it. */
    struct Extent {
        long long nodes = 0;
        int levels = 0;
    };
    struct Seen {
        YAML::Node node;
        Extent extent;
    };

    Extent walk(const YAML::Node& node, const std::string& path, int depth) {
        const bool collection = node.IsMap() || node.IsSequence();
        if (collection) {
            if (const Seen* seen = seen_before(node)) {
                count(node, path, seen->extent.nodes, depth + seen->extent.levels);
                return seen->extent;
            }
        }
        const long long before = visited_;
        count(node, path, 1, depth);
        int levels = 0;
        if (node.IsMap()) {
            std::map<std::string, int> first_line;
            for (const auto& kv : node) {
                const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
                const std::string child = join_path(path, key);
                const YAML::Mark mark = kv.first.Mark();
                if (kv.first.IsScalar()) {
                    const auto [it, fresh] = first_line.emplace(key, mark.line + 1);
                    if (!fresh) {
                        throw InputError(
                            SourceSpan{shown_as_, mark.line + 1, mark.column + 1}, child,
                            "key '" + key + "' is written twice in this mapping (first at line " +
                                std::to_string(it->second) + ")");
                    }
                }
                levels = std::max(levels, 1 + walk(kv.first, child, depth + 1).levels);
                levels = std::max(levels, 1 + walk(kv.second, child, depth + 1).levels);
            }
        } else if (node.IsSequence()) {
            std::size_t i = 0;
            for (const auto& element : node) {
                const std::string child = path + "[" + std::to_string(i++) + "]";
                levels = std::max(levels, 1 + walk(element, child, depth + 1).levels);
            }
        }
        const Extent extent{visited_ - before, levels};
        if (collection && !node.Mark().is_null())
            seen_.emplace(node.Mark().pos, Seen{node, extent});
        return extent;
    }

    /** Adds `nodes` to the budget and checks it and the depth `deepest` reached. */
    void count(const YAML::Node& node, const std::string& path, long long nodes, int deepest) {
        visited_ += nodes;
        if (visited_ > kMaxYamlNodes) {
            throw InputError(where(node), path,
                             fmt::format("expected at most {} YAML nodes, counting each alias "
                                         "as the nodes it repeats, found more (aliases that "
                                         "repeat aliases multiply: an alias bomb?)",
                                         kMaxYamlNodes));
        }
        if (deepest > kMaxYamlDepth) {
            throw InputError(
                where(node), path,
                fmt::format("expected at most {} levels of nesting, found more", kMaxYamlDepth));
        }
    }

    /** The collection's earlier visit, if this node is one already walked (an alias of it). */
    const Seen* seen_before(const YAML::Node& node) const {
        if (node.Mark().is_null())
            return nullptr;
        const auto [first, last] = seen_.equal_range(node.Mark().pos);
        for (auto it = first; it != last; ++it) {
            if (it->second.node.is(node))
                return &it->second;
        }
        return nullptr;
    }

    SourceSpan where(const YAML::Node& node) const {
        const YAML::Mark mark = node.Mark();
        if (mark.is_null())
            return SourceSpan{shown_as_, 0, 0};
        return SourceSpan{shown_as_, mark.line + 1, mark.column + 1};
    }

    const std::string& shown_as_;
    long long visited_ = 0;
    std::multimap<int, Seen> seen_;  // collections walked, by their position in the text
};

/** What kind of file a path is, for "expected a YAML file, found ...". */
std::string file_kind(std::filesystem::file_type type) {
    using std::filesystem::file_type;
    switch (type) {
        case file_type::directory:
            return "a directory";
        case file_type::character:
            return "a character device";
        case file_type::block:
            return "a block device";
        case file_type::fifo:
            return "a pipe (FIFO)";
        case file_type::socket:
            return "a socket";
        default:
            return "not a regular file";
    }
}

}  // namespace

YamlValue::YamlValue(YAML::Node node,
                     std::string file,
                     std::string path,
                     Diagnostics* diagnostics,
                     std::shared_ptr<const OverrideLog> overrides)
    // yaml-cpp 0.7 gives an absent key as an invalid ("zombie") node, whose Mark(), Type() and
    // assignment throw InvalidNode: held as an undefined node instead, an absent value answers
    // defined() false, where() without a position and found() "nothing", as the readers expect.
    : node_(node.IsDefined() ? std::move(node) : YAML::Node(YAML::NodeType::Undefined)),
      file_(std::move(file)),
      path_(std::move(path)),
      diagnostics_(diagnostics),
      overrides_(std::move(overrides)) {}

SourceSpan YamlValue::where() const {
    if (overrides_) {
        // A value set on the command line (or inside one) has no file position.
        for (const auto& [key, typed] : *overrides_) {
            if (path_ == key || path_.rfind(key + ".", 0) == 0 || path_.rfind(key + "[", 0) == 0) {
                return SourceSpan{"<command line: --set " + typed + ">", 0, 0};
            }
        }
    }
    // An absent key's node is invalid in yaml-cpp, and its Mark() throws: a problem reported
    // at an absent key (a missing `pools`) is placed at the file.
    if (!node_.IsDefined())
        return SourceSpan{file_, 0, 0};
    const YAML::Mark mark = node_.Mark();
    if (mark.is_null())
        return SourceSpan{file_, 0, 0};
    // yaml-cpp marks are 0-based.
    return SourceSpan{file_, mark.line + 1, mark.column + 1};
}

void YamlValue::fail(const std::string& message) const {
    diagnostics_->report(InputError(where(), path_, message));
}

std::string YamlValue::found() const {
    if (!node_.IsDefined() || node_.IsNull())
        return "nothing";
    if (node_.IsMap())
        return "a mapping";
    if (node_.IsSequence())
        return "a list";
    return "'" + node_.Scalar() + "'";
}

std::optional<double> YamlValue::number(Range range) const {
    double v = 0;
    bool parsed = false;
    if (node_.IsScalar()) {
        try {
            v = node_.as<double>();
            parsed = std::isfinite(v);
        } catch (const YAML::Exception&) {
            parsed = false;
        }
    }
    if (!parsed || !range.contains(v)) {
        fail("expected " + range.words(/*integer=*/false) + ", found " + found());
        return std::nullopt;
    }
    if (std::fabs(v) > kMaxMagnitude) {
        // A finite 1e308 still overflows: an energy price that large makes every cost inf,
        // written as null in summary.json. Below 1e30 a product of a few values stays finite.
        fail("expected " + range.words(/*integer=*/false) +
             " of magnitude at most 1e30 (larger values overflow the books to infinity), found " +
             found());
        return std::nullopt;
    }
    return v;
}

std::optional<long long> YamlValue::integer(Range range) const {
    long long v = 0;
    bool parsed = false;
    if (node_.IsScalar()) {
        try {
            v = node_.as<long long>();
            parsed = true;
        } catch (const YAML::Exception&) {
            parsed = false;
        }
    }
    if (!parsed || !range.contains(static_cast<double>(v))) {
        fail("expected " + range.words(/*integer=*/true) + ", found " + found());
        return std::nullopt;
    }
    return v;
}

std::optional<std::string> YamlValue::text() const {
    if (!node_.IsScalar()) {
        fail("expected a string, found " + found());
        return std::nullopt;
    }
    return node_.Scalar();
}

std::optional<bool> YamlValue::boolean() const {
    if (node_.IsScalar()) {
        try {
            return node_.as<bool>();
        } catch (const YAML::Exception&) {
        }
    }
    fail("expected true or false, found " + found());
    return std::nullopt;
}

std::optional<std::string> YamlValue::choice(const std::vector<std::string>& choices) const {
    auto t = text();
    if (!t)
        return std::nullopt;
    for (const auto& c : choices) {
        if (c == *t)
            return t;
    }
    std::string list;
    for (const auto& c : choices)
        list += (list.empty() ? "" : ", ") + c;
    std::string hint = nearest_name(*t, choices);
    fail("expected one of " + list + ", found '" + *t + "'" +
         (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    return std::nullopt;
}

std::vector<YamlValue> YamlValue::elements() const {
    std::vector<YamlValue> out;
    if (!node_.IsSequence()) {
        fail("expected a list, found " + found());
        return out;
    }
    for (std::size_t i = 0; i < node_.size(); ++i) {
        out.emplace_back(node_[i], file_, path_ + "[" + std::to_string(i) + "]", diagnostics_,
                         overrides_);
    }
    return out;
}

std::vector<std::pair<std::string, YamlValue>> YamlValue::entries() const {
    std::vector<std::pair<std::string, YamlValue>> out;
    if (!node_.IsMap()) {
        fail("expected a mapping, found " + found());
        return out;
    }
    for (const auto& kv : node_) {
        auto key = kv.first.Scalar();
        out.emplace_back(
            key, YamlValue(kv.second, file_, join_path(path_, key), diagnostics_, overrides_));
    }
    return out;
}

YamlValue YamlValue::child(const std::string& key) const {
    // Construct, never assign: assigning a node for a missing key throws in yaml-cpp 0.7.
    const YAML::Node& self = node_;
    return YamlValue(node_.IsMap() ? YAML::Node(self[key]) : YAML::Node(), file_,
                     join_path(path_, key), diagnostics_, overrides_);
}

YamlValue YamlValue::with_file(std::string file) const {
    return YamlValue(node_, std::move(file), path_, diagnostics_, overrides_);
}

MapReader::MapReader(const YamlValue& value, std::vector<std::string> allowed)
    : value_(value), allowed_(std::move(allowed)) {
    if (!value_.is_map()) {
        value_.fail("expected a mapping, found " + value_.found());
        ok_ = false;
        return;
    }
    for (const auto& kv : value_.node()) {
        const std::string key = kv.first.Scalar();
        bool known = false;
        for (const auto& a : allowed_)
            known = known || a == key;
        if (known)
            continue;
        std::string hint = nearest_name(key, allowed_);
        // Report at the key itself, or at the --set that introduced it.
        YamlValue at(kv.first, value_.file(),
                     value_.path().empty() ? key : value_.path() + "." + key, &value_.diagnostics(),
                     value_.overrides());
        SourceSpan where = at.where();
        std::string allowed_list;
        for (const auto& a : allowed_)
            allowed_list += (allowed_list.empty() ? "" : ", ") + a;
        value_.diagnostics().report(
            InputError(where, at.path(),
                       "unknown key '" + key + "'" +
                           (hint.empty() ? "; expected one of " + allowed_list
                                         : ", did you mean '" + hint + "'?")));
        ok_ = false;
    }
}

bool MapReader::has(const std::string& key) const {
    return value_.child(key).defined();
}

std::optional<YamlValue> MapReader::required(const std::string& key) const {
    YamlValue c = value_.child(key);
    if (!c.defined()) {
        if (value_.is_map()) {
            SourceSpan where = value_.where();
            value_.diagnostics().report(
                InputError(where, c.path(), "missing required key '" + key + "'"));
        }
        return std::nullopt;
    }
    return c;
}

double MapReader::number(const std::string& key, Range range) const {
    auto c = required(key);
    if (!c)
        return 0;
    return c->number(range).value_or(0);
}

double MapReader::number_or(const std::string& key, double fallback, Range range) const {
    YamlValue c = value_.child(key);
    if (!c.defined())
        return fallback;
    return c.number(range).value_or(fallback);
}

long long MapReader::integer(const std::string& key, Range range) const {
    auto c = required(key);
    if (!c)
        return 0;
    return c->integer(range).value_or(0);
}

long long MapReader::integer_or(const std::string& key, long long fallback, Range range) const {
    YamlValue c = value_.child(key);
    if (!c.defined())
        return fallback;
    return c.integer(range).value_or(fallback);
}

std::string MapReader::text(const std::string& key) const {
    auto c = required(key);
    if (!c)
        return {};
    return c->text().value_or("");
}

std::string MapReader::text_or(const std::string& key, const std::string& fallback) const {
    YamlValue c = value_.child(key);
    if (!c.defined())
        return fallback;
    return c.text().value_or(fallback);
}

bool MapReader::boolean_or(const std::string& key, bool fallback) const {
    YamlValue c = value_.child(key);
    if (!c.defined())
        return fallback;
    return c.boolean().value_or(fallback);
}

std::string MapReader::choice(const std::string& key,
                              const std::vector<std::string>& choices) const {
    auto c = required(key);
    if (!c)
        return {};
    return c->choice(choices).value_or("");
}

std::string MapReader::choice_or(const std::string& key,
                                 const std::vector<std::string>& choices,
                                 const std::string& fallback) const {
    YamlValue c = value_.child(key);
    if (!c.defined())
        return fallback;
    return c.choice(choices).value_or(fallback);
}

std::string MapReader::exactly_one_of(const std::vector<std::string>& keys) const {
    std::vector<std::string> present;
    for (const auto& k : keys) {
        if (has(k))
            present.push_back(k);
    }
    if (present.size() == 1)
        return present.front();
    std::string list;
    for (const auto& k : keys)
        list += (list.empty() ? "'" : "' or '") + k;
    list += "'";
    if (value_.is_map()) {
        value_.fail(present.empty() ? "expected one of the keys " + list + ", found none"
                                    : "expected only one of the keys " + list + ", found " +
                                          std::to_string(present.size()));
    }
    return present.empty() ? "" : present.front();
}

YAML::Node load_yaml_file(const std::string& path, const std::string& shown_as) {
    namespace fs = std::filesystem;
    // Checked before reading: /dev/zero or a pipe would be read until memory runs out, and a
    // document far larger than any scenario would take minutes and gigabytes to parse.
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!ec && status.type() != fs::file_type::regular && status.type() != fs::file_type::not_found)
        throw InputError(SourceSpan{shown_as, 0, 0}, "",
                         "expected a YAML file, found " + file_kind(status.type()));
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw InputError(SourceSpan{shown_as, 0, 0}, "",
                         "cannot open file (missing or unreadable)");
    }
    const auto size = fs::file_size(path, ec);
    if (!ec && size > kMaxYamlBytes) {
        throw InputError(SourceSpan{shown_as, 0, 0}, "",
                         fmt::format("expected a YAML file of at most {} bytes (1 MiB), found {} "
                                     "bytes",
                                     kMaxYamlBytes, size));
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return load_yaml_text(buffer.str(), shown_as);
}

YAML::Node load_yaml_text(const std::string& text, const std::string& shown_as) {
    if (text.size() > kMaxYamlBytes) {
        throw InputError(SourceSpan{shown_as, 0, 0}, "",
                         fmt::format("expected a YAML text of at most {} bytes (1 MiB), found {} "
                                     "bytes",
                                     kMaxYamlBytes, text.size()));
    }
    YAML::Node node;
    try {
        node = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        std::string message = "malformed YAML: " + e.msg;
        const KeyBefore before = key_before(text, e.mark.line, e.mark.column);
        if (before.line > 0)
            message += "; the last key before it is on line " + std::to_string(before.line);
        throw InputError(SourceSpan{shown_as, e.mark.line + 1, e.mark.column + 1}, before.path,
                         message);
    }
    TreeCheck(shown_as).check(node);
    return node;
}

KeyBefore key_before(const std::string& text, int line, int column) {
    // The parser's position is where it gave up, often a line after the real slip (an
    // unclosed '[' is noticed at the next key). The block-mapping key that precedes it, with
    // its parents found by indentation, points the user to the entry to look at.
    static const std::regex key_line(R"(^( *)((?:- +)*)([A-Za-z0-9_][A-Za-z0-9_.\-]*) *:(?: |$))");
    std::vector<std::pair<std::size_t, std::string>> open;  // (indent, key), outermost first
    KeyBefore found;
    std::istringstream in(text);
    std::string row;
    for (int n = 0; n <= line && std::getline(in, row); ++n) {
        if (n == line)
            row = row.substr(0, static_cast<std::size_t>(std::max(column, 0)));
        std::smatch m;
        if (!std::regex_search(row, m, key_line))
            continue;
        const std::size_t indent = m[1].length() + m[2].length();
        while (!open.empty() && open.back().first >= indent)
            open.pop_back();
        open.emplace_back(indent, m[3].str());
        found.line = n + 1;
        found.path.clear();
        for (const auto& [_, key] : open)
            found.path += (found.path.empty() ? "" : ".") + key;
    }
    return found;
}

}  // namespace fleetsim
