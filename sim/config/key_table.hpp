#pragma once
// One table per section of the inputs (the scenario's top level, output, engine, policy, the
// platform, its GPU types, sites and pools, the workload, its classes, services, batch classes,
// rate profiles and distributions). A row says everything about one key: its name, the struct
// member it fills, whether it is required, the range of its values, its unit and a help line.
// The same rows drive
//   - reading: read_keys() reads every row in table order through MapReader (type and range
//     checked, the default being the member's initializer in spec.hpp), and hands the rows
//     that are mappings, lists or pairs of keys to the section's own code at their place;
//   - the keys a mapping accepts: MapReader is built from key_names(), so an unknown key is
//     refused with the nearest valid one, and accepted_keys() lists them for --set;
//   - the reference in docs/config.md: `fleetsim config-keys --markdown` prints it from these
//     rows, and tests/unit/config_docs_test.cpp fails when the page differs.
//
// How to add a key
//   1. Add the member to its struct in sim/config/spec.hpp, with the default as its
//      initializer (`double online_s = 0;`) and the unit in its name.
//   2. Add a row to the section's table, in the file named after the section
//      (platform_loader.cpp, workload_loader.cpp, policy_loader.cpp, scenario_loader.cpp):
//        {.name = "online_s", .member = &PoolSpec::online_s, .need = Need::optional,
//         .range = Range::non_negative, .unit = "s", .help = "when the pool comes online"},
//      Keep the table in the order the keys should be listed. Nothing else reads the key.
//   3. A check that a Range cannot say goes in the row's `check`, which runs right after the
//      key is read and sees the keys above it (tick_s <= horizon_s); a check that needs keys
//      read later, or other sections (online_s < retire_s, a reference to a pool), is code
//      next to the section's reader, after read_keys(). Say what it checks in the row's
//      `also`, which the docs append to the type.
//   4. Run tools/update-config-doc.sh to regenerate docs/config.md's reference.
// A key whose value is a mapping or a list (a profile, a distribution, a list of pools) has
// no member, and one of a pair of which exactly one is given needs both: the section's code
// reads them, named in the readers it passes to read_keys(). In a section whose keys depend on
// another key's value (a profile's shape, a distribution's `dist`), the code reads each row by
// key() in the branch that takes it.

#include "sim/config/range.hpp"
#include "sim/config/yaml_reader.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace fleetsim {

enum class Need { required, optional };

/** An enum member read as one of a row's `choices`: choices[i] is the enum value i. */
template <class Spec>
struct ChoiceMember {
    void (*set)(Spec&, std::size_t index) = nullptr;
    std::size_t (*get)(const Spec&) = nullptr;
};

namespace detail {
template <class M>
struct MemberOf;
template <class Spec, class T>
struct MemberOf<T Spec::*> {
    using spec = Spec;
    using type = T;
};
}  // namespace detail

/** `.member = choice_member<&WorkloadClassSpec::family>()`. */
template <auto member>
constexpr auto choice_member() {
    using Spec = typename detail::MemberOf<decltype(member)>::spec;
    using Enum = typename detail::MemberOf<decltype(member)>::type;
    return ChoiceMember<Spec>{[](Spec& s, std::size_t i) { s.*member = static_cast<Enum>(i); },
                              [](const Spec& s) { return static_cast<std::size_t>(s.*member); }};
}

/** A key that is accepted and documented but not read (a description, for people). */
struct Unread {};

/**
 * What a row fills. std::monostate: a mapping, a list or one of a pair of keys, which the
 * section's code reads (named in the readers given to read_keys()).
 */
template <class Spec>
using Member = std::variant<std::monostate,
                            Unread,
                            double Spec::*,
                            int Spec::*,
                            long long Spec::*,
                            std::uint64_t Spec::*,
                            bool Spec::*,
                            std::string Spec::*,
                            ChoiceMember<Spec>>;

/** A check of one key's value that its Range cannot say; `at` is the key's value. */
template <class Spec>
using KeyCheck = void (*)(const Spec& spec, const YamlValue& at);

/** One key of one section. Rows are written with designated initializers, in this order. */
template <class Spec>
struct Key {
    std::string name;
    Member<Spec> member{};
    Need need = Need::required;  ///< optional: absent means the member keeps its initializer
    Range range = Range::any;
    std::vector<std::string> choices = {};  ///< for a ChoiceMember, in the enum's order
    std::string unit = "";
    std::string type = "";           ///< docs: the type, where the member does not say it
    std::string also = "";           ///< docs: what the section's code also checks
    std::string default_text = "";   ///< docs: the default, where it is not the initializer
    KeyCheck<Spec> check = nullptr;  ///< run right after the key is read
    std::string help = "";
};

/**
 * A section's rows, in the order they are read and listed. Tables are static arrays
 * (`static const Key<PoolSpec> keys[] = {...}; return keys;`): GCC 12 crashes on a vector
 * built from designated initializers of a class template.
 */
template <class Spec>
using KeyTable = std::span<const Key<Spec>>;

/** `description`: accepted in every named entry, for people, and not read. */
template <class Spec>
Key<Spec> description_key() {
    return {.name = "description",
            .member = Unread{},
            .need = Need::optional,
            .type = "text",
            .default_text = "`\"\"`",
            .help = "one line for people"};
}

/** The keys a section's mapping accepts, in table order (MapReader's allowed list). */
template <class Spec>
std::vector<std::string> key_names(KeyTable<Spec> keys) {
    std::vector<std::string> names;
    for (const auto& k : keys)
        names.push_back(k.name);
    return names;
}

/** The row named `name`; a programming error when the table has none. */
template <class Spec>
const Key<Spec>& key(KeyTable<Spec> keys, std::string_view name) {
    for (const auto& k : keys) {
        if (k.name == name)
            return k;
    }
    throw std::logic_error("no key '" + std::string(name) + "' in its section's table");
}

/**
 * Reads one row into `spec` (with `range` instead of the row's, for a distribution's values,
 * whose range is that of the key holding the distribution), then runs the row's check. A
 * required key that is missing or bad leaves 0, "" or false (its problem is reported); an
 * optional one keeps the member's value.
 */
template <class Spec>
void read_key(const MapReader& m, const Key<Spec>& key, Spec& spec, const Range& range) {
    const bool required = key.need == Need::required;
    const std::string& name = key.name;
    auto integer = [&](auto current) {
        return required ? m.integer(name, range)
                        : m.integer_or(name, static_cast<long long>(current), range);
    };
    std::visit(
        [&](const auto& member) {
            using M = std::decay_t<decltype(member)>;
            if constexpr (std::is_same_v<M, double Spec::*>) {
                spec.*member =
                    required ? m.number(name, range) : m.number_or(name, spec.*member, range);
            } else if constexpr (std::is_same_v<M, int Spec::*>) {
                // An int member takes no value it cannot hold: 3000000000 nodes is refused,
                // not wrapped to a negative count that slips past the checks after it.
                const long long v = integer(spec.*member);
                if (v > std::numeric_limits<int>::max())
                    m.optional(name).fail("expected an integer of at most " +
                                          std::to_string(std::numeric_limits<int>::max()) +
                                          ", found " + m.optional(name).found());
                else if (v < std::numeric_limits<int>::min())
                    m.optional(name).fail("expected an integer of at least " +
                                          std::to_string(std::numeric_limits<int>::min()) +
                                          ", found " + m.optional(name).found());
                else
                    spec.*member = static_cast<int>(v);
            } else if constexpr (std::is_same_v<M, long long Spec::*>) {
                spec.*member = integer(spec.*member);
            } else if constexpr (std::is_same_v<M, std::uint64_t Spec::*>) {
                spec.*member = static_cast<std::uint64_t>(integer(spec.*member));
            } else if constexpr (std::is_same_v<M, bool Spec::*>) {
                if (!required) {
                    spec.*member = m.boolean_or(name, spec.*member);
                } else if (auto v = m.required(name)) {
                    spec.*member = v->boolean().value_or(false);
                } else {
                    spec.*member = false;
                }
            } else if constexpr (std::is_same_v<M, std::string Spec::*>) {
                spec.*member = required ? m.text(name) : m.text_or(name, spec.*member);
            } else if constexpr (std::is_same_v<M, ChoiceMember<Spec>>) {
                const std::string chosen =
                    required ? m.choice(name, key.choices)
                             : m.choice_or(name, key.choices, key.choices.at(member.get(spec)));
                for (std::size_t i = 0; i < key.choices.size(); ++i) {
                    if (key.choices[i] == chosen)
                        member.set(spec, i);
                }
            } else {
                throw std::logic_error("key '" + name + "' is read by its section's code");
            }
        },
        key.member);
    // A required key that is missing is reported once, as missing: its check would only
    // repeat it about the placeholder 0 or "" (and at no line).
    if (key.check && (!required || m.has(name)))
        key.check(spec, m.optional(name));
}

template <class Spec>
void read_key(const MapReader& m, const Key<Spec>& key, Spec& spec) {
    read_key(m, key, spec, key.range);
}

/** The section's own code for some of its rows, by key name. */
using KeyReaders = std::vector<std::pair<std::string_view, std::function<void()>>>;

/**
 * Reads every row of `keys` in table order: a row named in `readers` by its reader (at its
 * place, so that problems are reported in the order of the table), another row with a member
 * by read_key(), an Unread row not at all. A row without a member and without a reader, or a
 * reader for a key the table lacks, is a programming error.
 */
template <class Spec>
void read_keys(const MapReader& m,
               KeyTable<Spec> keys,
               Spec& spec,
               const KeyReaders& readers = {}) {
    for (const auto& [name, reader] : readers)
        (void)key(keys, name);
    for (const auto& k : keys) {
        const auto reader = std::find_if(readers.begin(), readers.end(),
                                         [&](const auto& r) { return r.first == k.name; });
        if (reader != readers.end()) {
            reader->second();
        } else if (std::holds_alternative<std::monostate>(k.member)) {
            throw std::logic_error("key '" + k.name + "' has no reader in its section's code");
        } else if (!std::holds_alternative<Unread>(k.member)) {
            read_key(m, k, spec);
        }
    }
}

}  // namespace fleetsim
