#pragma once
// Reading a run's output folder in scenario tests: summary.json, jobs.csv as typed rows, and
// any CSV file as maps from column name to text, all CSV through sim/io/csv (quoting right).

#include "sim/schema/schema.hpp"
#include "tests/support/spawn.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fleetsim::test {

/** A row of jobs.csv, as the output schema declares it. */
using JobRow = fleetsim::JobRow;

nlohmann::json read_summary(const std::string& dir);
/** Every row of DIR/jobs.csv, in file order (job id order). */
std::vector<JobRow> read_jobs(const std::string& dir);

/** |actual - expected| <= rel x max(|expected|, 1): relative, with 1 as the scale near zero. */
bool near(double actual, double expected, double rel = 1e-6);

using CsvRow = std::map<std::string, std::string>;

/** A CSV text with a header line as one map per row (column name -> text), through sim/io. */
std::vector<CsvRow> parse_csv(const std::string& text);

/** A CSV text as rows of fields, the header first. */
std::vector<std::vector<std::string>> csv_records(const std::string& text);

inline double num(const CsvRow& row, const std::string& key) {
    return std::stod(row.at(key));
}

inline nlohmann::json read_json(const std::string& path) {
    return nlohmann::json::parse(read_file(path));
}

/** The JSON block a report.html draws from (id "fleetsim-data"), as fleetsim wrote it. */
nlohmann::json report_page_data(const std::string& html_path);

}  // namespace fleetsim::test
