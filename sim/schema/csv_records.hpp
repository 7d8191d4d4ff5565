#pragma once
// The schema's records as CSV rows (sim/schema/schema.hpp, sim/io/csv.hpp): a header and a row
// per record written from the field table, and records read back by column name. Only the
// fields that are in the CSV (not kJsonOnly) take part, in table order.

#include "sim/io/csv.hpp"
#include "sim/schema/fields.hpp"

#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace fleetsim {

/** The field types a CSV cell can hold; a record-typed field (kJsonOnly) is never a column. */
template <class T>
inline constexpr bool kCsvCell = std::is_arithmetic_v<T> || std::is_same_v<T, std::string>;
template <class T>
inline constexpr bool kCsvCell<std::optional<T>> = std::is_arithmetic_v<T>;

/** The header of R's rows; NamedNumbers fields take their column names from `example`. */
template <Described R>
void write_csv_header(CsvWriter& out, const R& example = R{}) {
    out.row(csv_columns<R>(&example));
}

/** The fields of `record` that are in the CSV, without ending the row (a row may continue with
    another record's: the failure columns). */
template <Described R>
void write_csv_fields(CsvWriter& out, const R& record) {
    for_each_field<R>([&](const auto& f) {
        using T = std::remove_cvref_t<decltype(record.*(f.member))>;
        if constexpr (std::is_same_v<T, NamedNumbers>) {
            if (f.in_csv()) {
                for (const auto& [name, value] : (record.*(f.member)).items)
                    out.field(value);
            }
        } else if constexpr (kCsvCell<T>) {
            if (f.in_csv())
                out.field(record.*(f.member));
        }
    });
}

template <Described R>
void write_csv_row(CsvWriter& out, const R& record) {
    write_csv_fields(out, record);
    out.end_row();
}

/**
 * Reads records of R from a CsvReader, fields by their column names: a firm field without a
 * column is a CsvError, any other one keeps its default (older files lack it); columns the
 * table does not know are ignored.
 */
template <Described R>
class CsvRecordReader {
public:
    explicit CsvRecordReader(CsvReader& reader) : reader_(reader) {
        for_each_field<R>([&](const auto& f) {
            named_.emplace_back();
            if constexpr (std::is_same_v<
                              std::remove_cvref_t<decltype(std::declval<R>().*(f.member))>,
                              NamedNumbers>) {
                // Its columns are `<name>.<item>`, in the header's order.
                const std::string prefix = std::string(f.name) + ".";
                const auto& header = reader_.header();
                for (std::size_t i = 0; i < header.size(); ++i) {
                    if (header[i].size() > prefix.size() && header[i].rfind(prefix, 0) == 0)
                        named_.back().emplace_back(i, header[i].substr(prefix.size()));
                }
                columns_.push_back(std::nullopt);
            } else if (!f.in_csv()) {
                columns_.push_back(std::nullopt);
            } else if (f.firm()) {
                columns_.push_back(reader_.column(f.name));
            } else {
                columns_.push_back(reader_.find_column(f.name));
            }
        });
    }

    /** Reads the next row into `out`; false at the end. */
    bool next(R& out) {
        if (!reader_.next(row_))
            return false;
        out = R{};
        std::size_t i = 0;
        for_each_field<R>([&](const auto& f) {
            const auto& named = named_[i];
            const auto column = columns_[i++];
            using T = std::remove_cvref_t<decltype(out.*(f.member))>;
            if constexpr (std::is_same_v<T, NamedNumbers>) {
                for (const auto& [c, name] : named)
                    (out.*(f.member)).items.emplace_back(name, row_.number(c));
            } else if constexpr (kCsvCell<T>) {
                if (column)
                    read(*column, out.*(f.member));
            }
        });
        return true;
    }

    /** The row last read, for errors of the caller's own. */
    const CsvRow& row() const { return row_; }

private:
    template <class T>
    void read(std::size_t column, T& value) const {
        if constexpr (std::is_same_v<T, std::string>) {
            value = row_.text(column);
        } else if constexpr (std::is_floating_point_v<T>) {
            value = row_.number(column);
        } else if constexpr (std::is_integral_v<T>) {
            value = narrow<T>(column, row_.integer(column));
        } else if constexpr (std::is_same_v<T, std::optional<double>>) {
            value = row_.optional_number(column);
        } else {
            static_assert(std::is_integral_v<typename T::value_type>, "a field CSV cannot hold");
            const auto v = row_.optional_integer(column);
            value = v ? std::optional(narrow<typename T::value_type>(column, *v)) : std::nullopt;
        }
    }

    template <class T>
    T narrow(std::size_t column, long long v) const {
        if (v < static_cast<long long>(std::numeric_limits<T>::min()) ||
            (v > 0 && static_cast<unsigned long long>(v) >
                          static_cast<unsigned long long>(std::numeric_limits<T>::max())))
            row_.fail(column, "expected a smaller number, found '" + row_.text(column) + "'");
        return static_cast<T>(v);
    }

    CsvReader& reader_;
    std::vector<std::optional<std::size_t>> columns_;
    /** Per field: a NamedNumbers field's columns and names (empty for any other field). */
    std::vector<std::vector<std::pair<std::size_t, std::string>>> named_;
    CsvRow row_;
};

}  // namespace fleetsim
