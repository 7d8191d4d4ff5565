#pragma once
// Field tables: how sim/schema/schema.hpp declares the fields of an output record once, and
// what is generated from that one declaration: nlohmann's to_json / from_json (found by ADL,
// so `json j = figures;` and `j.get<RunSummary>()` just work), the CSV columns
// (sim/schema/csv_records.hpp), and a runtime description of every field (name, type, unit,
// description, flags) for the sweep's database and the docs test.
//
// A record is a plain struct; its table is a specialisation of Schema<Record> holding a tuple
// of field(name, &Record::member, unit, description, flags). The table's order is the order
// of the JSON object and of the CSV columns.
//
// Member types and how they are written:
//   std::string                    JSON string; CSV text (quoted when it must be)
//   double                         JSON number; CSV `fmt::format("{}", v)`
//   integral types                 JSON integer; CSV integer (bool: JSON true / false)
//   std::optional<number>          JSON null when empty; CSV empty field
//   another described record       JSON object (JSON only)
//   std::optional<record>          JSON object, left out when empty (summary.json's `bound`)
//   std::vector<record>            JSON object keyed by the record's kJsonKey field, in order
//                                  (summary.json's `classes`: {name: {...}})
//   NamedNumbers                   numbers named at run time: JSON {name: number}; CSV one
//                                  column `<field>.<name>` each, none when it is empty
//                                  (timeseries.csv's figures per pool)
//
// Reading (from_json) tolerates older and newer files: a kFirm field missing is a FieldError
// naming its dotted key; any other field missing keeps its default, so a reader that must
// tell "absent" from a value declares it std::optional. Keys the table does not know are
// ignored. std and nlohmann only.

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace fleetsim {

/** Flags of a field (bitwise or). */
enum FieldFlag : unsigned {
    kFirm = 1u,      ///< a firm name (design.md section 4): never renamed, required when read
    kJsonOnly = 2u,  ///< in summary.json, not in the CSV (nor, for classes, the sweep's tables)
    kCsvOnly = 4u,   ///< in the CSV, not in summary.json
    kJsonKey = 8u,   ///< in summary.json, the record's key in its parent object, not a member
};

/**
 * Numbers whose names are known only at run time (one per pool of the platform), written as
 * one CSV column each, `<field name>.<name>`. A record's rows must all carry the same names in
 * the same order (the first row's make the header); empty, it adds no column.
 */
struct NamedNumbers {
    std::vector<std::pair<std::string, double>> items;
    bool operator==(const NamedNumbers&) const = default;
};

template <class Record, class T>
struct Field {
    std::string_view name;
    T Record::*member;
    std::string_view unit;  ///< as docs/metrics.md writes it; "" for words and plain counts
    std::string_view description;
    unsigned flags = 0;

    constexpr bool firm() const { return (flags & kFirm) != 0; }
    constexpr bool in_json() const { return (flags & (kCsvOnly | kJsonKey)) == 0; }
    constexpr bool in_csv() const { return (flags & kJsonOnly) == 0; }
    constexpr bool json_key() const { return (flags & kJsonKey) != 0; }
};

template <class Record, class T>
constexpr Field<Record, T> field(std::string_view name,
                                 T Record::*member,
                                 std::string_view unit,
                                 std::string_view description,
                                 unsigned flags = 0) {
    return {name, member, unit, description, flags};
}

/** The field table of a record: `static constexpr auto fields = std::tuple{field(...), ...};` */
template <class Record>
struct Schema;

template <class R>
concept Described = requires {
    Schema<R>::fields;
};

/** Calls `f(field)` for every field of R's table, in order. */
template <Described R, class F>
constexpr void for_each_field(F&& f) {
    std::apply([&](const auto&... fields) { (f(fields), ...); }, Schema<R>::fields);
}

namespace field_detail {
template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;
/** A nested record (JSON only: a CSV cell cannot hold one), possibly optional. */
template <class T>
inline constexpr bool is_record = Described<T>;
template <class T>
inline constexpr bool is_record<std::optional<T>> = Described<T>;
template <class T>
inline constexpr bool is_vector = false;
template <class T>
inline constexpr bool is_vector<std::vector<T>> = true;
}  // namespace field_detail

/**
 * The name of R's field `member`. A member that is not in R's table is a std::logic_error (a
 * compile error where the call is evaluated at compile time).
 */
template <Described R, class T>
constexpr std::string_view name_of(T R::*member) {
    std::string_view out;
    for_each_field<R>([&](const auto& f) {
        if constexpr (std::is_same_v<decltype(f.member), T R::*>) {
            if (f.member == member)
                out = f.name;
        }
    });
    if (out.empty())
        throw std::logic_error("a member that is not in its record's field table");
    return out;
}

/** The dotted key of a field of a nested record: json_path(&RunSummary::totals,
 * &RunTotals::profit_usd) is "totals.profit_usd". */
template <Described R, class S, Described N, class T>
std::string json_path(S R::*section, T N::*member) {
    static_assert(std::is_same_v<S, N> || std::is_same_v<S, std::optional<N>>);
    return std::string(name_of(section)) + "." + std::string(name_of(member));
}

// ---- a runtime description, for the sweep's database and the docs test --------------------

enum class ValueKind { text, number, count, record, records, named_numbers };

struct FieldInfo {
    std::string_view name;
    std::string_view unit;
    std::string_view description;
    ValueKind kind = ValueKind::number;
    bool optional = false;  ///< may be null (JSON) or empty (CSV)
    unsigned flags = 0;
    /** For kind record and records: the nested record's fields. */
    std::vector<FieldInfo> (*nested)() = nullptr;

    bool firm() const { return (flags & kFirm) != 0; }
    bool in_json() const { return (flags & (kCsvOnly | kJsonKey)) == 0; }
    bool in_csv() const { return (flags & kJsonOnly) == 0; }
};

template <Described R>
std::vector<FieldInfo> fields_info();

namespace field_detail {
template <class T>
FieldInfo info_of_type() {
    FieldInfo i;
    if constexpr (is_optional<T>) {
        i = info_of_type<typename T::value_type>();
        i.optional = true;
    } else if constexpr (std::is_same_v<T, std::string>) {
        i.kind = ValueKind::text;
    } else if constexpr (std::is_same_v<T, NamedNumbers>) {
        i.kind = ValueKind::named_numbers;
    } else if constexpr (std::is_floating_point_v<T>) {
        i.kind = ValueKind::number;
    } else if constexpr (std::is_integral_v<T>) {
        i.kind = ValueKind::count;
    } else if constexpr (is_vector<T>) {
        i.kind = ValueKind::records;
        i.nested = &fields_info<typename T::value_type>;
    } else {
        static_assert(Described<T>, "a field type the tables cannot write");
        i.kind = ValueKind::record;
        i.nested = &fields_info<T>;
    }
    return i;
}
}  // namespace field_detail

/** Every field of R, in table order. */
template <Described R>
std::vector<FieldInfo> fields_info() {
    std::vector<FieldInfo> out;
    for_each_field<R>([&](const auto& f) {
        using T = std::remove_cvref_t<decltype(std::declval<R>().*(f.member))>;
        FieldInfo i = field_detail::info_of_type<T>();
        i.name = f.name;
        i.unit = f.unit;
        i.description = f.description;
        i.flags = f.flags;
        out.push_back(i);
    });
    return out;
}

/**
 * The CSV header of R: the names of its fields that are in the CSV, in table order; a
 * NamedNumbers field gives one column per name of `example`'s (none without an example).
 */
template <Described R>
std::vector<std::string> csv_columns(const R* example = nullptr) {
    std::vector<std::string> out;
    for_each_field<R>([&](const auto& f) {
        if (!f.in_csv())
            return;
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(example->*(f.member))>,
                                     NamedNumbers>) {
            if (example != nullptr) {
                for (const auto& [name, value] : (example->*(f.member)).items)
                    out.push_back(std::string(f.name) + "." + name);
            }
        } else {
            out.emplace_back(f.name);
        }
    });
    return out;
}

// ---- JSON ----------------------------------------------------------------------------------

/** A summary.json field missing or of the wrong type: `key` is dotted ("totals.profit_usd"). */
class FieldError : public std::runtime_error {
public:
    FieldError(std::string key, std::string message)
        : std::runtime_error(key + ": " + message), key_(std::move(key)), message_(message) {}
    const std::string& key() const { return key_; }
    const std::string& message() const { return message_; }
    /** The same error one level up: the key prefixed with the parent's. */
    FieldError within(std::string_view parent) const {
        return FieldError(key_.empty() ? std::string(parent) : std::string(parent) + "." + key_,
                          message_);
    }

private:
    std::string key_;
    std::string message_;
};

template <class Json, Described R>
void to_json(Json& j, const R& r);
template <class Json, Described R>
void from_json(const Json& j, R& r);

namespace field_detail {

/** The value of R's kJsonKey field (the name a record is filed under in its parent). */
template <Described R>
std::string key_of(const R& r) {
    std::string out;
    int keys = 0;
    for_each_field<R>([&](const auto& f) {
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(r.*(f.member))>, std::string>) {
            if (f.json_key()) {
                out = r.*(f.member);
                ++keys;
            }
        }
    });
    if (keys != 1)
        throw std::logic_error("a record in a JSON object needs exactly one kJsonKey text field");
    return out;
}

template <Described R>
void set_key(R& r, const std::string& key) {
    for_each_field<R>([&](const auto& f) {
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(r.*(f.member))>, std::string>) {
            if (f.json_key())
                r.*(f.member) = key;
        }
    });
}

template <class Json, class T>
Json to_value(const T& v) {
    if constexpr (is_optional<T>) {
        return v ? to_value<Json>(*v) : Json(nullptr);
    } else if constexpr (is_vector<T>) {
        Json out = Json::object();
        for (const auto& item : v)
            out[key_of(item)] = Json(item);
        return out;
    } else if constexpr (std::is_same_v<T, NamedNumbers>) {
        Json out = Json::object();
        for (const auto& [name, value] : v.items)
            out[name] = value;
        return out;
    } else {
        return Json(v);
    }
}

template <class Json, class T>
void from_value(const Json& j, T& out) {
    if constexpr (is_optional<T>) {
        if (j.is_null()) {
            out.reset();
            return;
        }
        typename T::value_type v{};
        from_value(j, v);
        out = std::move(v);
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (!j.is_string())
            throw FieldError("", "expected a string, found " + j.dump());
        out = j.template get<std::string>();
    } else if constexpr (std::is_same_v<T, NamedNumbers>) {
        if (!j.is_object())
            throw FieldError("", "expected an object of numbers, found " + j.dump());
        out.items.clear();
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (!it.value().is_number())
                throw FieldError(it.key(), "expected a number, found " + it.value().dump());
            out.items.emplace_back(it.key(), it.value().template get<double>());
        }
    } else if constexpr (std::is_same_v<T, bool>) {
        if (!j.is_boolean())
            throw FieldError("", "expected true or false, found " + j.dump());
        out = j.template get<bool>();
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!j.is_number())
            throw FieldError("", "expected a number, found " + j.dump());
        out = j.template get<T>();
    } else if constexpr (std::is_integral_v<T>) {
        // long double holds every 64-bit integer exactly (x86-64's 64-bit mantissa).
        long double v = 0;
        if (j.is_number_unsigned())
            v = static_cast<long double>(j.template get<std::uint64_t>());
        else if (j.is_number_integer())
            v = static_cast<long double>(j.template get<std::int64_t>());
        else if (j.is_number_float())
            v = j.template get<double>();
        else
            throw FieldError("", "expected a whole number, found " + j.dump());
        if (!(v >= static_cast<long double>(std::numeric_limits<T>::min()) &&
              v <= static_cast<long double>(std::numeric_limits<T>::max())))
            throw FieldError("", "expected a number in range, found " + j.dump());
        if (v != std::floor(v))
            throw FieldError("", "expected a whole number, found " + j.dump());
        out = static_cast<T>(v);
    } else if constexpr (is_vector<T>) {
        if (!j.is_object())
            throw FieldError("", "expected an object, found " + j.dump());
        out.clear();
        for (auto it = j.begin(); it != j.end(); ++it) {
            typename T::value_type item{};
            try {
                from_json(it.value(), item);
            } catch (const FieldError& e) {
                throw e.within(it.key());
            }
            set_key(item, it.key());
            out.push_back(std::move(item));
        }
    } else {
        from_json(j, out);
    }
}

}  // namespace field_detail

/** A record as JSON (nlohmann finds it by ADL): its fields that are in the JSON, in order. */
template <class Json, Described R>
void to_json(Json& j, const R& r) {
    j = Json::object();
    for_each_field<R>([&](const auto& f) {
        if (!f.in_json())
            return;
        const auto& v = r.*(f.member);
        using T = std::remove_cvref_t<decltype(v)>;
        if constexpr (field_detail::is_optional<T>) {
            if constexpr (Described<typename T::value_type>) {
                if (!v)
                    return;  // an absent object is left out, not null
            }
        }
        j[std::string(f.name)] = field_detail::to_value<Json>(v);
    });
}

/** A record from JSON: a FieldError (dotted key) on a missing firm field or a wrong type. */
template <class Json, Described R>
void from_json(const Json& j, R& r) {
    if (!j.is_object())
        throw FieldError("", "expected an object, found " + j.dump());
    for_each_field<R>([&](const auto& f) {
        if (!f.in_json())
            return;
        const auto it = j.find(std::string(f.name));
        if (it == j.end()) {
            if (f.firm())
                throw FieldError(std::string(f.name), "expected this key, found none");
            return;
        }
        try {
            field_detail::from_value(*it, r.*(f.member));
        } catch (const FieldError& e) {
            throw e.within(f.name);
        }
    });
}

}  // namespace fleetsim
