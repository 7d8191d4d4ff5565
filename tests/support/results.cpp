#include "tests/support/results.hpp"

#include "sim/schema/csv_records.hpp"
#include "tests/support/spawn.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace fleetsim::test {

nlohmann::json read_summary(const std::string& dir) {
    return nlohmann::json::parse(read_file(dir + "/summary.json"));
}

std::vector<JobRow> read_jobs(const std::string& dir) {
    CsvReader reader(dir + "/jobs.csv");
    CsvRecordReader<JobRow> records(reader);
    std::vector<JobRow> rows;
    JobRow r;
    while (records.next(r))
        rows.push_back(r);
    return rows;
}

std::vector<CsvRow> parse_csv(const std::string& text) {
    std::istringstream in(text);
    CsvReader reader(in, "<text>");
    std::vector<CsvRow> rows;
    reader.for_each_row([&](const fleetsim::CsvRow& r) {
        CsvRow row;
        for (std::size_t i = 0; i < r.size(); ++i)
            row[reader.header()[i]] = r.text(i);
        rows.push_back(std::move(row));
    });
    return rows;
}

std::vector<std::vector<std::string>> csv_records(const std::string& text) {
    std::istringstream in(text);
    CsvParser parser(in, "<text>");
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> fields;
    while (parser.next(fields))
        rows.push_back(fields);
    return rows;
}

bool near(double actual, double expected, double rel) {
    return std::fabs(actual - expected) <= rel * std::max(std::fabs(expected), 1.0);
}

nlohmann::json report_page_data(const std::string& html_path) {
    const std::string html = read_file(html_path);
    const std::string open = "<script type=\"application/json\" id=\"fleetsim-data\">";
    const auto start = html.find(open);
    const auto end = html.find("</script>", start);
    if (start == std::string::npos || end == std::string::npos)
        throw std::runtime_error(html_path + " has no fleetsim-data block");
    return nlohmann::json::parse(html.substr(start + open.size(), end - start - open.size()));
}

}  // namespace fleetsim::test
