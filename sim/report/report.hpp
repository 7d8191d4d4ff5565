#pragma once
// `fleetsim report DIR` and the report step of `fleetsim run`: one self-contained report.html
// in a run's folder (charts of the run, a plain-language headline) or a sweep's folder (heat
// maps over the swept keys, the best policy per point). See docs/report.md.

#include <filesystem>
#include <string>

namespace fleetsim {

struct ReportOptions {
    std::string x_key;  ///< sweep: the swept key across (default: the first that is not a policy)
    std::string y_key;  ///< sweep: the swept key down (default: the next one)
};

/** Writes `text` beside `path` and renames it into place, so a reader never sees half a file. */
void write_atomically(const std::filesystem::path& path, const std::string& text);

/** Whether this fleetsim can write report.html: false when it was configured with
    -DFLEETSIM_REPORT=OFF (built without node and npm, so without the page). */
bool report_available();

/** Why it cannot, and how to get it, for the messages of `run` and `report`. */
std::string report_unavailable_reason();

/**
 * Writes DIR/report.html for a sweep folder (it has sweep.json) or a run folder (it has
 * summary.json) and returns its path. The file is written beside and renamed into place, so a
 * reader never sees half a page. Anything else in DIR, or bad files, is an InputError.
 * Call it only when report_available() (otherwise std::logic_error).
 */
std::string write_report(const std::string& dir, const ReportOptions& options = {});

}  // namespace fleetsim
