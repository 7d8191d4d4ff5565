#pragma once
// CSV in one place (RFC 4180): every CSV file fleetsim writes (classes.csv, timeseries.csv,
// jobs.csv, a sweep's points.csv and results.csv, `sweep --list`) and every one it reads back
// (the report, the sweep reading its points' classes.csv, the tests; trace files next).
//
// Reading streams: a row at a time from a std::istream through a 64 KiB buffer, so a jobs.csv of
// millions of rows is never held whole. Fields are split by commas, records end at LF or CRLF;
// a field in double quotes may hold commas, line breaks and doubled quotes. Anything else is an
// error that names the file, the line the record starts on and the field (1-based): a quote
// inside an unquoted field, text after a closing quote, a carriage return that does not end a
// line, a quoted field the file ends inside. A missing final line break is no error. An empty
// line is a record of one empty field (RFC 4180), so a reader with a wider header reports it.
//
// Writing numbers is exactly `fmt::format("{}", value)`: the shortest text that reads back as
// the same double, the form every CSV of fleetsim has had, so outputs stay byte for byte.
// Text is quoted only when it must be (a comma, a quote or a line break in it).
//
// std and fmt only: no engine, no configuration, no output schema (sim/schema/csv_records.hpp
// maps the schema's records onto rows).

#include <fmt/format.h>

#include <concepts>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsim {

/**
 * A malformed CSV file, or a field that is not what its column holds. what() reads like
 * InputError's, "file:line:column: message (key 'column name')", and main() exits 2 on it as
 * on any bad input.
 */
class CsvError : public std::runtime_error {
public:
    CsvError(std::string file, int line, int column, std::string key, std::string message);

    const std::string& file() const { return file_; }
    int line() const { return line_; }      ///< 1-based line the record starts on; 0 unknown
    int column() const { return column_; }  ///< 1-based field number; 0 for the whole record
    const std::string& key() const { return key_; }  ///< the column's header name, or ""
    const std::string& message() const { return message_; }

private:
    std::string file_;
    int line_;
    int column_;
    std::string key_;
    std::string message_;
};

/** Splits a stream into records (rows of fields), one at a time; knows nothing of headers. */
class CsvParser {
public:
    /** `name` is what errors call the input (the file's path). */
    CsvParser(std::istream& in, std::string name);
    CsvParser(const CsvParser&) = delete;
    CsvParser& operator=(const CsvParser&) = delete;

    /** Reads the next record into `fields`; false at the end of the input. */
    bool next(std::vector<std::string>& fields);
    /** The line the last record read starts on (records may span lines inside quotes). */
    int record_line() const { return record_line_; }
    const std::string& name() const { return name_; }

private:
    int get();  ///< the next byte, or -1 at the end
    [[noreturn]] void fail(int line, int column, const std::string& message) const;

    std::istream& in_;
    std::string name_;
    std::vector<char> buffer_;
    std::size_t pos_ = 0, end_ = 0;
    int line_ = 1;
    int record_line_ = 0;
    bool at_end_ = false;
};

class CsvReader;

/** One data row of a CsvReader: fields by index, typed, with errors that name the cell. */
class CsvRow {
public:
    int line() const { return line_; }
    std::size_t size() const { return fields_.size(); }
    const std::vector<std::string>& fields() const { return fields_; }
    const std::string& text(std::size_t column) const { return fields_.at(column); }
    /** The field as a number; an empty or non-numeric field is a CsvError naming the cell. */
    double number(std::size_t column) const;
    /** As number(), but an empty field is std::nullopt (optional figures, e.g. wait_s_p50). */
    std::optional<double> optional_number(std::size_t column) const;
    /** The field as a whole number (job ids, counts); anything else is a CsvError. */
    long long integer(std::size_t column) const;
    std::optional<long long> optional_integer(std::size_t column) const;

    /** A CsvError at this row and `column` (0-based), for checks of the caller's own. */
    [[noreturn]] void fail(std::size_t column, const std::string& message) const;

private:
    friend class CsvReader;
    const CsvReader* reader_ = nullptr;
    std::vector<std::string> fields_;
    int line_ = 0;
};

/** A CSV file with a header line: columns by name, then its data rows one at a time. */
class CsvReader {
public:
    /** Opens `path` and reads the header; a missing file or an empty one is a CsvError. */
    explicit CsvReader(const std::string& path);
    /** Reads from `in` (which must outlive the reader); `name` is what errors call it. */
    CsvReader(std::istream& in, std::string name);
    ~CsvReader();
    CsvReader(const CsvReader&) = delete;
    CsvReader& operator=(const CsvReader&) = delete;

    const std::string& path() const { return parser_->name(); }
    const std::vector<std::string>& header() const { return header_; }
    /** Index of the column named `name`; a CsvError naming the file and the column if none. */
    std::size_t column(std::string_view name) const;
    std::optional<std::size_t> find_column(std::string_view name) const;

    /**
     * Reads the next data row into `row`; false at the end. A row with another number of
     * fields than the header is a CsvError.
     */
    bool next(CsvRow& row);
    /** Streams every remaining data row to `on_row`. */
    void for_each_row(const std::function<void(const CsvRow&)>& on_row);

private:
    std::unique_ptr<std::istream> owned_;  ///< the file, when opened by path
    std::unique_ptr<CsvParser> parser_;
    std::vector<std::string> header_;
};

/** Parses a whole field as a double ("1e3", "-0.5"); nullopt if empty or anything is left. */
std::optional<double> parse_number(std::string_view text);

/**
 * Writes rows to a stream through a buffer. field() appends one field to the current row,
 * end_row() ends it. Call finish() at the end: it flushes and throws if the stream failed
 * (the destructor flushes too, but cannot report).
 */
class CsvWriter {
public:
    explicit CsvWriter(std::ostream& out);
    ~CsvWriter();
    CsvWriter(const CsvWriter&) = delete;
    CsvWriter& operator=(const CsvWriter&) = delete;

    /** Text, double-quoted (inner quotes doubled) when it holds a comma, a quote or a line break.
     */
    CsvWriter& field(std::string_view text);
    CsvWriter& field(const char* text) { return field(std::string_view(text)); }
    CsvWriter& field(double value);
    template <std::integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, char>) CsvWriter& field(T value) {
        separate();
        fmt::format_to(std::back_inserter(buffer_), "{}", value);
        return *this;
    }
    /** The value, or an empty field when there is none. */
    template <typename T>
    CsvWriter& field(const std::optional<T>& value) {
        return value ? field(*value) : empty();
    }
    CsvWriter& empty();
    void end_row();
    /** A whole row of text fields (a header). */
    void row(const std::vector<std::string>& fields);

    void finish();

private:
    void separate();
    void flush_if_full();
    void flush();

    std::ostream& out_;
    fmt::memory_buffer buffer_;
    bool row_started_ = false;
};

}  // namespace fleetsim
