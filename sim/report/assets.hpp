#pragma once
// The page's files, embedded at build time (report/CMakeLists.txt) so that `fleetsim` writes a
// report with no node runtime and no network: the Vega, Vega-Lite and vega-embed builds from
// npm, and the page template, style and script from report/src/. Pairs of (path, text); both
// lists are empty in a build configured with -DFLEETSIM_REPORT=OFF (assets_not_built.cpp).

#include <string>
#include <utility>
#include <vector>

namespace fleetsim {

const std::vector<std::pair<std::string, std::string>>& report_vendor_files();
const std::vector<std::pair<std::string, std::string>>& report_page_files();

}  // namespace fleetsim
