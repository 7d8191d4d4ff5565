#include "sim/io/csv.hpp"

#include <charconv>
#include <fstream>
#include <istream>
#include <ostream>

namespace fleetsim {
namespace {

constexpr std::size_t kReadChunk = 1 << 16;
constexpr std::size_t kWriteChunk = 1 << 16;

std::string format_error(const std::string& file,
                         int line,
                         int column,
                         const std::string& key,
                         const std::string& message) {
    std::string out = file;
    if (line > 0) {
        out += ":" + std::to_string(line);
        if (column > 0)
            out += ":" + std::to_string(column);
    }
    out += ": " + message;
    if (!key.empty())
        out += " (key '" + key + "')";
    return out;
}

/** How a byte reads in an error message: printable as itself, the rest by name. */
std::string shown(int c) {
    if (c == '\r')
        return "a carriage return";
    if (c == '\n')
        return "a line break";
    if (c < 0x20 || c >= 0x7f)
        return "byte " + std::to_string(c);
    return std::string("'") + static_cast<char>(c) + "'";
}

}  // namespace

CsvError::CsvError(std::string file, int line, int column, std::string key, std::string message)
    : std::runtime_error(format_error(file, line, column, key, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_(std::move(key)),
      message_(std::move(message)) {}

// ---- parsing -----------------------------------------------------------------------------

CsvParser::CsvParser(std::istream& in, std::string name)
    : in_(in), name_(std::move(name)), buffer_(kReadChunk) {}

int CsvParser::get() {
    if (pos_ == end_) {
        if (at_end_)
            return -1;
        in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
        end_ = static_cast<std::size_t>(in_.gcount());
        pos_ = 0;
        if (end_ == 0) {
            at_end_ = true;
            if (in_.bad())
                fail(line_, 0, "cannot read the file");
            return -1;
        }
    }
    return static_cast<unsigned char>(buffer_[pos_++]);
}

void CsvParser::fail(int line, int column, const std::string& message) const {
    throw CsvError(name_, line, column, "", message);
}

bool CsvParser::next(std::vector<std::string>& fields) {
    fields.clear();
    int c = get();
    if (c < 0)
        return false;
    record_line_ = line_;
    std::string field;
    // One pass per field: `c` is the field's first byte on entry.
    while (true) {
        const int column = static_cast<int>(fields.size()) + 1;
        if (c == '"') {
            const int opened_on = line_;
            while (true) {
                c = get();
                if (c < 0)
                    fail(opened_on, column,
                         "the quoted field that starts on this line has no closing quote: the "
                         "file ends inside it");
                if (c == '"') {
                    c = get();
                    if (c != '"')
                        break;  // the closing quote; `c` is what follows it
                } else if (c == '\n') {
                    ++line_;
                }
                field.push_back(static_cast<char>(c));
            }
            if (c != ',' && c != '\n' && c != '\r' && c >= 0)
                fail(line_, column,
                     "expected a comma or a line end after the closing quote, found " + shown(c));
        } else {
            while (c >= 0 && c != ',' && c != '\n' && c != '\r') {
                if (c == '"')
                    fail(line_, column,
                         "found a quote inside a field that does not start with one (quote the "
                         "whole field and double its quotes)");
                field.push_back(static_cast<char>(c));
                c = get();
            }
        }
        fields.push_back(std::move(field));
        field.clear();
        if (c == ',') {
            c = get();
            continue;
        }
        if (c == '\r') {
            c = get();
            if (c != '\n')
                fail(line_, column, "found a carriage return that is not followed by a line break");
        }
        if (c == '\n')
            ++line_;
        return true;  // a line end, or the end of the input without a final line break
    }
}

// ---- rows and readers --------------------------------------------------------------------

std::optional<double> parse_number(std::string_view text) {
    double v = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || ptr != end || text.empty())
        return std::nullopt;
    return v;
}

void CsvRow::fail(std::size_t column, const std::string& message) const {
    throw CsvError(reader_->path(), line_, static_cast<int>(column) + 1,
                   column < reader_->header().size() ? reader_->header()[column] : "", message);
}

double CsvRow::number(std::size_t column) const {
    const std::string& t = fields_.at(column);
    if (auto v = parse_number(t))
        return *v;
    fail(column, t.empty() ? "expected a number, found an empty field"
                           : "expected a number, found '" + t + "'");
}

std::optional<double> CsvRow::optional_number(std::size_t column) const {
    if (fields_.at(column).empty())
        return std::nullopt;
    return number(column);
}

long long CsvRow::integer(std::size_t column) const {
    const std::string& t = fields_.at(column);
    long long v = 0;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec == std::errc() && ptr == t.data() + t.size() && !t.empty())
        return v;
    fail(column, t.empty() ? "expected a whole number, found an empty field"
                           : "expected a whole number, found '" + t + "'");
}

std::optional<long long> CsvRow::optional_integer(std::size_t column) const {
    if (fields_.at(column).empty())
        return std::nullopt;
    return integer(column);
}

CsvReader::CsvReader(const std::string& path) {
    auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!*file)
        throw CsvError(path, 0, 0, "", "cannot open the file");
    owned_ = std::move(file);
    parser_ = std::make_unique<CsvParser>(*owned_, path);
    if (!parser_->next(header_))
        throw CsvError(path, 1, 0, "", "expected a header line, found an empty file");
}

CsvReader::CsvReader(std::istream& in, std::string name)
    : parser_(std::make_unique<CsvParser>(in, std::move(name))) {
    if (!parser_->next(header_))
        throw CsvError(path(), 1, 0, "", "expected a header line, found an empty file");
}

CsvReader::~CsvReader() = default;

std::optional<std::size_t> CsvReader::find_column(std::string_view name) const {
    for (std::size_t i = 0; i < header_.size(); ++i) {
        if (header_[i] == name)
            return i;
    }
    return std::nullopt;
}

std::size_t CsvReader::column(std::string_view name) const {
    if (auto i = find_column(name))
        return *i;
    throw CsvError(path(), 1, 0, std::string(name),
                   "expected a column named '" + std::string(name) + "' in the header");
}

bool CsvReader::next(CsvRow& row) {
    if (!parser_->next(row.fields_))
        return false;
    row.reader_ = this;
    row.line_ = parser_->record_line();
    if (row.fields_.size() != header_.size()) {
        throw CsvError(path(), row.line_, 0, "",
                       "expected " + std::to_string(header_.size()) +
                           " fields as in the header, found " + std::to_string(row.fields_.size()));
    }
    return true;
}

void CsvReader::for_each_row(const std::function<void(const CsvRow&)>& on_row) {
    CsvRow row;
    while (next(row))
        on_row(row);
}

// ---- writing -----------------------------------------------------------------------------

CsvWriter::CsvWriter(std::ostream& out) : out_(out) {}

CsvWriter::~CsvWriter() {
    try {
        flush();
    } catch (...) {
        // finish() reports write errors; a destructor must not throw.
    }
}

void CsvWriter::separate() {
    if (row_started_)
        buffer_.push_back(',');
    row_started_ = true;
}

CsvWriter& CsvWriter::field(std::string_view text) {
    separate();
    if (text.find_first_of(",\"\n\r") == std::string_view::npos) {
        buffer_.append(text);
        return *this;
    }
    buffer_.push_back('"');
    for (char c : text) {
        buffer_.push_back(c);
        if (c == '"')
            buffer_.push_back('"');
    }
    buffer_.push_back('"');
    return *this;
}

CsvWriter& CsvWriter::field(double value) {
    separate();
    fmt::format_to(std::back_inserter(buffer_), "{}", value);
    return *this;
}

CsvWriter& CsvWriter::empty() {
    separate();
    return *this;
}

void CsvWriter::end_row() {
    buffer_.push_back('\n');
    row_started_ = false;
    if (buffer_.size() >= kWriteChunk)
        flush();
}

void CsvWriter::row(const std::vector<std::string>& fields) {
    for (const auto& f : fields)
        field(f);
    end_row();
}

void CsvWriter::flush() {
    if (buffer_.size() == 0)
        return;
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
}

void CsvWriter::finish() {
    flush();
    out_.flush();
    if (!out_)
        throw std::runtime_error("cannot write the CSV file");
}

}  // namespace fleetsim
