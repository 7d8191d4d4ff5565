#pragma once
// Reading a run's output files in scenario tests: summary.json and the CSV files.

#include "tests/support/spawn.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fleetsim::test {

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

}  // namespace fleetsim::test
