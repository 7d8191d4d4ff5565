#include "sim/report/report.hpp"

#include "sim/config/input_error.hpp"
#include "sim/config/output_folder.hpp"
#include "sim/report/assets.hpp"
#include "sim/report/html_page.hpp"
#include "sim/report/run_data.hpp"
#include "sim/report/sweep_data.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace fleetsim {
namespace {

namespace fs = std::filesystem;

}  // namespace

void write_atomically(const std::filesystem::path& path, const std::string& text) {
    const fs::path partial = path.string() + ".partial-" + std::to_string(::getpid());
    {
        std::ofstream out(partial, std::ios::binary);
        out << text;
        if (!out)
            throw std::runtime_error("cannot write " + partial.string());
    }
    fs::rename(partial, path);
}

bool report_available() {
    return !report_page_files().empty();
}

std::string report_unavailable_reason() {
    return "this fleetsim was configured with -DFLEETSIM_REPORT=OFF (built without node and "
           "npm, so without the report's page); configure with -DFLEETSIM_REPORT=ON to get "
           "report.html";
}

std::string write_report(const std::string& dir, const ReportOptions& options) {
    if (!report_available())
        throw std::logic_error("write_report: " + report_unavailable_reason());
    const fs::path root(dir);
    if (!fs::is_directory(root))
        throw InputError({dir, 0, 0}, "", "expected a run or sweep folder, found no folder");
    OrderedJson data;
    std::string title;
    if (fs::exists(root / "sweep.json")) {
        data = build_sweep_data(dir, options);
        title = "fleetsim sweep " + data["meta"]["name"].get<std::string>();
    } else if (fs::exists(root / "summary.json")) {
        if (!options.x_key.empty() || !options.y_key.empty())
            throw InputError({dir, 0, 0}, "", "--x and --y apply to sweep folders only");
        data = build_run_data(dir);
        title = "fleetsim run " + data["meta"]["scenario"].get<std::string>() + " under " +
                data["meta"]["policy"].get<std::string>();
    } else {
        throw InputError({dir, 0, 0}, "",
                         "expected a run folder (summary.json) or a sweep folder (sweep.json), "
                         "found neither");
    }
    const fs::path out = root / "report.html";
    // A report.html in a folder fleetsim did not mark may be the user's own page: never
    // replaced. A new file beside the user's (a run folder of an older fleetsim) destroys nothing.
    const std::string kind = output_folder::marker_kind(dir);
    std::error_code ec;
    if (kind != "run" && kind != "sweep" && fs::exists(fs::symlink_status(out, ec)))
        throw InputError({out.string(), 0, 0}, "output.dir",
                         std::string("exists in a folder without fleetsim's ") +
                             output_folder::kMarker +
                             " marker: fleetsim does not replace a report.html it may not have "
                             "written; remove it yourself to get a new one");
    // report.html.partial-PID files of killed `fleetsim report`s: ours, and never the page.
    (void)output_folder::clean_partial_files(dir, "report.html");
    write_atomically(out, render_page(title, data));
    return out.string();
}

}  // namespace fleetsim
