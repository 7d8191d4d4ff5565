#include "sim/report/csv_reader.hpp"

#include "sim/config/input_error.hpp"

#include <charconv>
#include <csv.h>
#include <fstream>
#include <memory>

namespace fleetsim {
namespace {

/**
 * Feeds a file through libcsv and hands over complete records. libcsv calls back per field and
 * per record end; Records collects fields until the record ends.
 */
class Records {
public:
    explicit Records(const std::string& path) : path_(path), in_(path, std::ios::binary) {
        if (!in_)
            throw InputError({path_, 0, 0}, "", "cannot open the file");
        if (csv_init(&parser_, CSV_STRICT | CSV_APPEND_NULL) != 0)
            throw std::runtime_error("libcsv: csv_init failed");
    }
    ~Records() { csv_free(&parser_); }
    Records(const Records&) = delete;
    Records& operator=(const Records&) = delete;

    /** Calls on_record(fields, line) for each record; stops early when it returns false. */
    template <typename F>
    void run(F&& on_record) {
        State state;
        std::vector<char> buf(1 << 16);
        auto deliver = [&] {
            for (auto& record : state.done) {
                if (state.stop)
                    break;
                ++line_;
                if (!on_record(record, line_))
                    state.stop = true;
            }
            state.done.clear();
        };
        while (!state.stop && in_) {
            in_.read(buf.data(), static_cast<std::streamsize>(buf.size()));
            const auto n = static_cast<std::size_t>(in_.gcount());
            if (n == 0)
                break;
            if (csv_parse(&parser_, buf.data(), n, on_field, on_record_end, &state) != n)
                fail();
            deliver();
        }
        if (!state.stop) {
            if (csv_fini(&parser_, on_field, on_record_end, &state) != 0)
                fail();
            deliver();
        }
    }

private:
    struct State {
        std::vector<std::string> fields;
        std::vector<std::vector<std::string>> done;
        bool stop = false;
    };

    static void on_field(void* data, std::size_t len, void* s) {
        auto* st = static_cast<State*>(s);
        st->fields.emplace_back(data ? static_cast<const char*>(data) : "", data ? len : 0);
    }
    static void on_record_end(int, void* s) {
        auto* st = static_cast<State*>(s);
        st->done.push_back(std::move(st->fields));
        st->fields.clear();
    }
    [[noreturn]] void fail() {
        throw InputError({path_, line_ + 1, 0}, "",
                         std::string("malformed CSV: ") + csv_strerror(csv_error(&parser_)));
    }

    std::string path_;
    std::ifstream in_;
    csv_parser parser_{};
    int line_ = 0;
};

}  // namespace

std::optional<double> parse_number(std::string_view text) {
    double v = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || ptr != end || text.empty())
        return std::nullopt;
    return v;
}

double CsvRow::number(std::size_t column) const {
    const std::string& t = fields_.at(column);
    if (auto v = parse_number(t))
        return *v;
    throw InputError({*file_, line_, static_cast<int>(column) + 1}, (*header_)[column],
                     t.empty() ? "expected a number, found an empty field"
                               : "expected a number, found '" + t + "'");
}

std::optional<double> CsvRow::optional_number(std::size_t column) const {
    if (fields_.at(column).empty())
        return std::nullopt;
    return number(column);
}

CsvReader::CsvReader(std::string path) : path_(std::move(path)) {
    Records records(path_);
    records.run([&](std::vector<std::string>& fields, int) {
        header_ = std::move(fields);
        return false;
    });
    if (header_.empty())
        throw InputError({path_, 1, 0}, "", "expected a header line, found an empty file");
}

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
    throw InputError({path_, 1, 0}, std::string(name),
                     "expected a column named '" + std::string(name) + "' in the header");
}

void CsvReader::for_each_row(const std::function<void(const CsvRow&)>& on_row) const {
    Records records(path_);
    CsvRow row(path_, header_);
    records.run([&](std::vector<std::string>& fields, int line) {
        if (line == 1)
            return true;  // the header, read by the constructor
        row.fields_ = std::move(fields);
        row.line_ = line;
        if (row.fields_.size() != header_.size()) {
            throw InputError({path_, line, 0}, "",
                             "expected " + std::to_string(header_.size()) + " fields as in the " +
                                 "header, found " + std::to_string(row.fields_.size()));
        }
        on_row(row);
        return true;
    });
}

}  // namespace fleetsim
