#pragma once
// `fleetsim trace stats` and `fleetsim trace convert` (docs/traces.md). `trace generate`,
// which needs a scenario, is in sim/main.cpp.

#include "sim/traces/trace_options.hpp"
#include "sim/traces/trace_writers.hpp"

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace fleetsim {

struct TraceCommandOptions {
    std::string input;
    std::string output;
    std::string format;  ///< empty: guessed from the file
    std::string to;      ///< convert: swf, batsim or csv
    bool json = false;
    double flops_per_s = 0;
    long long capacity = -1;
    std::vector<std::string> maps;  ///< csv: KEY=COLUMN[-COLUMN][*COLUMN][*NUMBER]
    std::string header;             ///< csv: the column names of a file without a header line
};

int trace_stats_command(const TraceCommandOptions& o);
int trace_convert_command(const TraceCommandOptions& o);

/** The CSV column map of `--map` and `--header` (a bad one is a TraceError). */
CsvColumnMap parse_column_maps(const std::vector<std::string>& maps, const std::string& header);

TraceOutputFormat parse_output_format(const std::string& to);

/**
 * Writes `path` through a temporary sibling renamed into place when complete; refuses a path
 * that exists (fleetsim never replaces a file it did not write) with a TraceError.
 */
void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write);

}  // namespace fleetsim
