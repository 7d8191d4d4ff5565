#include "sim/traces/request_trace.hpp"

#include "sim/traces/job_trace.hpp"
#include "sim/traces/line_reader.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace fleetsim {
namespace {

// Azure LLM inference trace 2023 (github.com/Azure/AzurePublicDataset, AzureLLMInferenceDataset
// 2023): TIMESTAMP "2023-11-16 18:17:03.9799600", ContextTokens, GeneratedTokens.
class AzureReader final : public RequestTraceReader {
public:
    explicit AzureReader(const std::string& path) : csv_(path) {
        time_ = csv_.column("TIMESTAMP");
        input_ = csv_.column("ContextTokens");
        output_ = csv_.column("GeneratedTokens");
    }

    const std::string& file() const override { return csv_.path(); }

    bool next(TraceRequest& r) override {
        if (!csv_.next(row_))
            return false;
        r.line = row_.line();
        const std::string& text = row_.text(time_);
        const auto t = parse_date_time(text);
        if (!t)
            row_.fail(time_, "expected a time 'YYYY-MM-DD HH:MM:SS.fffffff', found '" + text + "'");
        if (!first_)
            first_ = *t;
        r.t_s = t->since(*first_);
        r.time_text = text;
        r.hour = t->local_hour();
        check_order(r, static_cast<int>(time_));
        r.input_tokens = count(input_);
        r.output_tokens = count(output_);
        return true;
    }

private:
    double count(std::size_t column) const {
        const double v = row_.number(column);
        if (const std::string problem = trace_number_problem(v); !problem.empty())
            row_.fail(column, problem);
        if (v < 0)
            row_.fail(column, fmt::format("expected a token count >= 0, found {}", v));
        return v;
    }

    CsvReader csv_;
    CsvRow row_;
    std::size_t time_ = 0, input_ = 0, output_ = 0;
    std::optional<DateTime> first_;
};

// Mooncake traces (github.com/kvcache-ai/Mooncake, FAST '25): one JSON object per line with
// timestamp (ms), input_length, output_length, hash_ids.
class MooncakeReader final : public RequestTraceReader {
public:
    explicit MooncakeReader(const std::string& path) : lines_(path) {}

    const std::string& file() const override { return lines_.path(); }

    bool next(TraceRequest& r) override {
        std::string_view line;
        do {
            if (!lines_.next(line)) {
                if (!any_line_)
                    throw TraceError(file(), 1, 0, "", "expected JSON lines, found an empty file");
                return false;
            }
            any_line_ = true;
        } while (line.find_first_not_of(" \t") == std::string_view::npos);
        r.line = lines_.line_number();
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error& e) {
            throw TraceError(file(), static_cast<int>(r.line), static_cast<int>(e.byte), "",
                             std::string("JSON syntax error: ") + e.what());
        } catch (const nlohmann::json::out_of_range& e) {
            // A number no double holds (1e999): out_of_range.406 quotes it, without an offset.
            const std::string what = e.what();
            const auto open = what.find('\''), close = what.rfind('\'');
            const auto at = open != std::string::npos && close > open
                                ? line.find(what.substr(open + 1, close - open - 1))
                                : std::string_view::npos;
            throw TraceError(file(), static_cast<int>(r.line),
                             at == std::string_view::npos ? 0 : static_cast<int>(at) + 1, "",
                             "JSON number out of range: " + what);
        }
        if (!j.is_object())
            fail(r, "", "expected a JSON object, found " + j.dump());
        r.t_s = field(r, j, "timestamp") / 1000.0;
        r.time_text = j["timestamp"].dump();
        r.hour = -1;
        check_order(r, 0);
        r.input_tokens = field(r, j, "input_length");
        r.output_tokens = field(r, j, "output_length");
        return true;
    }

private:
    [[noreturn]] void fail(const TraceRequest& r,
                           const std::string& key,
                           const std::string& message) const {
        throw TraceError(file(), static_cast<int>(r.line), 0, key, message);
    }

    double field(const TraceRequest& r, const nlohmann::json& j, const char* key) const {
        if (!j.contains(key))
            fail(r, key, std::string("expected a key \"") + key + "\", found none");
        const auto& v = j[key];
        if (!v.is_number())
            fail(r, key, "expected a number, found " + v.dump());
        const double x = v.get<double>();
        if (const std::string problem = trace_number_problem(x); !problem.empty())
            fail(r, key, problem);
        if (x < 0)
            fail(r, key, fmt::format("expected a number >= 0, found {}", x));
        return x;
    }

    LineReader lines_;
    bool any_line_ = false;
};

}  // namespace

void RequestTraceReader::check_order(const TraceRequest& r, int column) {
    if (any_ && r.t_s < last_t_s_) {
        if (!allow_unsorted_)
            throw TraceError(file(), static_cast<int>(r.line), column + 1, "",
                             fmt::format("expected times in increasing order, found {} after {} on "
                                         "line {}: sort the file by time",
                                         r.time_text, last_t_s_, last_line_));
        ++out_of_order_;
    }
    any_ = true;
    last_t_s_ = r.t_s;
    last_line_ = r.line;
}

std::unique_ptr<RequestTraceReader> open_request_trace(RequestTraceFormat format,
                                                       const std::string& path,
                                                       bool allow_unsorted) {
    std::unique_ptr<RequestTraceReader> reader;
    if (format == RequestTraceFormat::azure)
        reader = std::make_unique<AzureReader>(path);
    else
        reader = std::make_unique<MooncakeReader>(path);
    reader->allow_unsorted(allow_unsorted);
    return reader;
}

}  // namespace fleetsim
