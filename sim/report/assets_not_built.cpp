// Compiled instead of the embedded page when fleetsim is configured with -DFLEETSIM_REPORT=OFF
// (no node and npm at build time): no page files, so report_available() is false and fleetsim
// says so instead of writing report.html (docs/report.md, "Building without the report").
#include "sim/report/assets.hpp"

namespace fleetsim {

const std::vector<std::pair<std::string, std::string>>& report_vendor_files() {
    static const std::vector<std::pair<std::string, std::string>> none;
    return none;
}

const std::vector<std::pair<std::string, std::string>>& report_page_files() {
    return report_vendor_files();
}

}  // namespace fleetsim
