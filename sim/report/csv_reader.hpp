#pragma once
// Reads the CSV files a run or a sweep wrote (timeseries.csv, jobs.csv, results.csv) row by row.
// Parsing is libcsv's (RFC 4180 quoting, so a swept value with a comma survives); this layer
// adds what the report needs on top: columns by header name, and InputErrors that name the
// file, the line and the column when a value is missing or not a number.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsim {

class CsvRow {
public:
    CsvRow(const std::string& file, const std::vector<std::string>& header)
        : file_(&file), header_(&header) {}

    int line() const { return line_; }
    std::size_t size() const { return fields_.size(); }
    const std::string& text(std::size_t column) const { return fields_.at(column); }
    /** The value in `column` as a number; an empty or non-numeric field is an InputError. */
    double number(std::size_t column) const;
    /** As number(), but an empty field is std::nullopt (optional figures, e.g. wait_s_p50). */
    std::optional<double> optional_number(std::size_t column) const;

private:
    friend class CsvReader;
    const std::string* file_;
    const std::vector<std::string>* header_;
    std::vector<std::string> fields_;
    int line_ = 0;
};

class CsvReader {
public:
    /** Opens `path` and reads its header line; a missing or empty file is an InputError. */
    explicit CsvReader(std::string path);

    const std::string& path() const { return path_; }
    const std::vector<std::string>& header() const { return header_; }
    /** Index of the column named `name`, or an InputError naming the file and the column. */
    std::size_t column(std::string_view name) const;
    std::optional<std::size_t> find_column(std::string_view name) const;

    /**
     * Streams every data row to `on_row` (so jobs.csv of a long run is never held in memory).
     * A row with another number of fields than the header is an InputError.
     */
    void for_each_row(const std::function<void(const CsvRow&)>& on_row) const;

private:
    std::string path_;
    std::vector<std::string> header_;
};

/** Parses a whole field as a double ("1e3", "-0.5"); nullopt if anything is left over. */
std::optional<double> parse_number(std::string_view text);

}  // namespace fleetsim
