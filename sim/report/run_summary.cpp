#include "sim/report/run_summary.hpp"

#include "sim/config/input_error.hpp"

namespace fleetsim {

SummaryFile read_run_summary(const std::string& path) {
    SummaryFile out;
    out.json = read_json_file(path);
    try {
        out.json.get_to(out.summary);
    } catch (const FieldError& e) {
        throw InputError({path, 0, 0}, e.key(), e.message());
    }
    return out;
}

}  // namespace fleetsim
