#include "fuzz/harness.hpp"

#include "sim/config/input_error.hpp"
#include "sim/io/csv.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fleetsim::fuzz {
namespace {

namespace fs = std::filesystem;

std::string make_scratch() {
    std::string pattern = (fs::temp_directory_path() / "fleetsim-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("cannot make a scratch folder under " + pattern);
    const fs::path root(FLEETSIM_SOURCE_DIR);
    for (const char* dir : {"scenarios", "platforms", "workloads", "fuzz/fixtures"}) {
        fs::create_directories((fs::path(pattern) / dir).parent_path());
        fs::copy(root / dir, fs::path(pattern) / dir, fs::copy_options::recursive);
    }
    // Removed at a normal exit; a crash leaves it for the post-mortem.
    std::atexit([] { fs::remove_all(scratch()); });
    return pattern;
}

}  // namespace

const std::string& scratch() {
    // On the heap and never freed: the exit handler that removes the folder runs after the
    // destructors of statics made later, and this one must outlive it.
    static const std::string* const dir = new std::string(make_scratch());
    return *dir;
}

std::string put(const std::string& relative, std::string_view text) {
    const fs::path path = fs::path(scratch()) / relative;
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
    return path.string();
}

void guarded(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputErrors&) {
    } catch (const InputError&) {
    } catch (const CsvError&) {  // TraceError too
    }
}

const std::vector<TargetEntry>& targets() {
    static const std::vector<TargetEntry> all = {
        {"scenario", scenario},
        {"platform", platform},
        {"workload", workload},
        {"sweep", sweep},
        {"summary_json", summary_json},
        {"report_run_csv", report_run_csv},
        {"report_sweep", report_sweep},
        {"trace_swf", trace_swf},
        {"trace_itp", trace_itp},
        {"trace_batsim", trace_batsim},
        {"trace_csv", trace_csv},
        {"trace_azure", trace_azure},
        {"trace_mooncake", trace_mooncake},
    };
    return all;
}

}  // namespace fleetsim::fuzz
