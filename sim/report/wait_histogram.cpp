#include "sim/report/wait_histogram.hpp"

#include "sim/io/csv.hpp"
#include "sim/schema/schema.hpp"

#include <algorithm>
#include <map>

namespace fleetsim {

const std::vector<double>& wait_bin_edges_s() {
    // Human steps rather than equal widths: waits run from seconds (services, small jobs) to
    // days (big training gangs behind a fixed partition).
    static const std::vector<double> edges = {1,        60,    600,       3600,
                                              6 * 3600, 86400, 3 * 86400, 7 * 86400};
    return edges;
}

const std::vector<std::string>& wait_bin_labels() {
    static const std::vector<std::string> labels = {
        "< 1 s",  "1 s-1 min", "1-10 min", "10-60 min", "1-6 h",
        "6-24 h", "1-3 days",  "3-7 days", ">= 7 days", "not started by the end"};
    return labels;
}

std::size_t wait_bin(double wait_s) {
    const auto& edges = wait_bin_edges_s();
    return static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), wait_s) -
                                    edges.begin());
}

std::vector<WaitHistogram> read_wait_histograms(const std::string& jobs_csv,
                                                const std::vector<std::string>& classes) {
    std::vector<WaitHistogram> out;
    std::map<std::string, std::size_t, std::less<>> index;
    for (const auto& c : classes) {
        index.emplace(c, out.size());
        out.push_back({c, std::vector<long long>(wait_bin_labels().size(), 0), 0});
    }
    using J = JobRow;
    CsvReader reader(jobs_csv);
    const std::size_t cls = reader.column(name_of(&J::cls)),
                      submit = reader.column(name_of(&J::submit_s)),
                      start = reader.column(name_of(&J::start_s)),
                      status = reader.column(name_of(&J::status));
    const std::size_t not_started = wait_bin_labels().size() - 1;
    reader.for_each_row([&](const CsvRow& row) {
        auto it = index.find(row.text(cls));
        if (it == index.end())
            row.fail(cls, "expected a class of summary.json, found '" + row.text(cls) + "'");
        WaitHistogram& h = out[it->second];
        if (row.text(status) == "rejected") {
            h.rejected += 1;
            return;
        }
        const auto started = row.optional_number(start);
        h.counts[started ? wait_bin(*started - row.number(submit)) : not_started] += 1;
    });
    return out;
}

}  // namespace fleetsim
