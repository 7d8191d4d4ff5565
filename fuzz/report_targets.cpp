// The files `fleetsim report` and `fleetsim compare` read back: a run's folder (summary.json,
// timeseries.csv, jobs.csv) and a sweep's (sweep.json, results.csv, points.csv). Each input
// replaces one file of a real folder (fuzz/fixtures/run/, fuzz/fixtures/sweep/, written by
// fleetsim itself), so that the others are valid and the reader gets as far as the bad one.

#include "fuzz/harness.hpp"
#include "sim/report/compare.hpp"
#include "sim/report/run_data.hpp"
#include "sim/report/sweep_data.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fleetsim::fuzz {
namespace {

namespace fs = std::filesystem;

/** A fixture folder's files, read once, and a working copy under scratch() to damage. */
class Folder {
public:
    Folder(const std::string& fixture, const std::string& work) : work_(work) {
        for (const auto& entry : fs::directory_iterator(fs::path(scratch()) / fixture)) {
            std::ifstream in(entry.path(), std::ios::binary);
            std::stringstream text;
            text << in.rdbuf();
            files_[entry.path().filename().string()] = text.str();
        }
    }

    /** The folder as the fixture has it, but `name` holding `text`; returns its path. */
    std::string with(const std::string& name, std::string_view text) const {
        for (const auto& [file, original] : files_)
            put(work_ + "/" + file, file == name ? text : std::string_view(original));
        put(work_ + "/" + name, text);
        return (fs::path(scratch()) / work_).string();
    }

private:
    std::string work_;
    std::map<std::string, std::string> files_;
};

/** The first byte picks the file of `names` the rest replaces (seeds: fuzz/make-seeds.sh). */
std::pair<std::string, std::string_view> split(const std::uint8_t* data,
                                               std::size_t size,
                                               const std::vector<std::string>& names) {
    if (size == 0)
        return {names.front(), {}};
    return {names[data[0] % names.size()], as_text(data + 1, size - 1)};
}

}  // namespace

int summary_json(const std::uint8_t* data, std::size_t size) {
    static const Folder run("fuzz/fixtures/run", "work/run");
    const std::string dir = run.with("summary.json", as_text(data, size));
    guarded([&] { (void)build_run_data(dir); });
    guarded([&] { (void)comparison_csv(compare_runs({dir, dir})); });
    return 0;
}

int report_run_csv(const std::uint8_t* data, std::size_t size) {
    static const Folder run("fuzz/fixtures/run", "work/run");
    const auto [name, text] = split(data, size, {"timeseries.csv", "jobs.csv"});
    const std::string dir = run.with(name, text);
    guarded([&] { (void)build_run_data(dir); });
    return 0;
}

int report_sweep(const std::uint8_t* data, std::size_t size) {
    static const Folder sweep("fuzz/fixtures/sweep", "work/sweep");
    const auto [name, text] = split(data, size, {"sweep.json", "results.csv", "points.csv"});
    const std::string dir = sweep.with(name, text);
    guarded([&] { (void)build_sweep_data(dir, {}); });
    return 0;
}

}  // namespace fleetsim::fuzz
