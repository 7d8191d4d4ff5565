#pragma once
// Reading a run's output folder in scenario tests: summary.json, jobs.csv as typed rows, and
// any CSV file as maps from column name to text.

#include "tests/support/spawn.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace fleetsim::test {

struct JobRow {
    long long job_id = 0;
    std::string cls;
    double submit_s = 0;
    std::optional<double> start_s;  ///< empty when the job never started
    std::optional<double> end_s;    ///< empty while running at the horizon
    int gpus = 0;
    double work_gpu_h = 0;
    int preemptions = 0;
    std::string status;
    std::string pool;
};

nlohmann::json read_summary(const std::string& dir);
/** Every row of DIR/jobs.csv, in file order (job id order). */
std::vector<JobRow> read_jobs(const std::string& dir);

/** |actual - expected| <= rel x max(|expected|, 1): relative, with 1 as the scale near zero. */
bool near(double actual, double expected, double rel = 1e-6);

using CsvRow = std::map<std::string, std::string>;

/** A CSV text with a header line as one map per row (fleetsim's CSV has no quoted fields). */
inline std::vector<CsvRow> parse_csv(const std::string& text) {
    auto split = [](const std::string& line) {
        std::vector<std::string> cells;
        std::string cell;
        std::istringstream s(line);
        while (std::getline(s, cell, ','))
            cells.push_back(cell);
        if (!line.empty() && line.back() == ',')
            cells.emplace_back();
        return cells;
    };
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    const auto header = split(line);
    std::vector<CsvRow> rows;
    while (std::getline(in, line)) {
        const auto cells = split(line);
        CsvRow row;
        for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i)
            row[header[i]] = cells[i];
        rows.push_back(row);
    }
    return rows;
}

inline double num(const CsvRow& row, const std::string& key) {
    return std::stod(row.at(key));
}

inline nlohmann::json read_json(const std::string& path) {
    return nlohmann::json::parse(read_file(path));
}

/** The JSON block a report.html draws from (id "fleetsim-data"), as fleetsim wrote it. */
nlohmann::json report_page_data(const std::string& html_path);

}  // namespace fleetsim::test
