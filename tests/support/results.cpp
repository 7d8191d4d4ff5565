#include "tests/support/results.hpp"

#include "tests/support/spawn.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace fleetsim::test {
namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
    // fleetsim's CSVs never quote: names are [A-Za-z0-9_-] (validated by the loader).
    std::vector<std::string> out;
    std::string cell;
    std::istringstream in(line);
    while (std::getline(in, cell, ','))
        out.push_back(cell);
    if (!line.empty() && line.back() == ',')
        out.emplace_back();
    return out;
}

std::optional<double> optional_number(const std::string& cell) {
    if (cell.empty())
        return std::nullopt;
    return std::stod(cell);
}

}  // namespace

nlohmann::json read_summary(const std::string& dir) {
    return nlohmann::json::parse(read_file(dir + "/summary.json"));
}

std::vector<JobRow> read_jobs(const std::string& dir) {
    std::istringstream in(read_file(dir + "/jobs.csv"));
    std::string line;
    std::getline(in, line);
    const auto header = split_csv_line(line);
    auto column = [&](const std::string& name) {
        auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end())
            throw std::runtime_error("jobs.csv has no column " + name);
        return static_cast<std::size_t>(it - header.begin());
    };
    const std::size_t id = column("job_id"), cls = column("class"), submit = column("submit_s"),
                      start = column("start_s"), end = column("end_s"), gpus = column("gpus"),
                      work = column("work_gpu_h"), pre = column("preemptions"),
                      status = column("status"), pool = column("pool");
    std::vector<JobRow> rows;
    while (std::getline(in, line)) {
        const auto c = split_csv_line(line);
        if (c.size() != header.size())
            throw std::runtime_error("jobs.csv row with " + std::to_string(c.size()) +
                                     " cells: " + line);
        JobRow r;
        r.job_id = std::stoll(c[id]);
        r.cls = c[cls];
        r.submit_s = std::stod(c[submit]);
        r.start_s = optional_number(c[start]);
        r.end_s = optional_number(c[end]);
        r.gpus = std::stoi(c[gpus]);
        r.work_gpu_h = std::stod(c[work]);
        r.preemptions = std::stoi(c[pre]);
        r.status = c[status];
        r.pool = c[pool];
        rows.push_back(std::move(r));
    }
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
