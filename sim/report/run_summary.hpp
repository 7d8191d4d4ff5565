#pragma once
// summary.json read back for the report, through the output schema (sim/schema/schema.hpp):
// the figures the report computes with as the schema's RunSummary, and the file's JSON as it
// was written, which the page shows as it is. A firm field that is missing or of the wrong
// type is an InputError; other fields may be absent (an older fleetsim's output).

#include "sim/schema/schema.hpp"
#include "sim/report/json_file.hpp"

#include <string>

namespace fleetsim {

struct SummaryFile {
    OrderedJson json;    ///< the file as written
    RunSummary summary;  ///< its figures
};

/** Reads `path` (a summary.json); errors name the file and the dotted key. */
SummaryFile read_run_summary(const std::string& path);

}  // namespace fleetsim
