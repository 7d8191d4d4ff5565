#pragma once
// The readers behind open_job_trace(), one file each. Internal to sim/traces.

#include "sim/traces/job_trace.hpp"

namespace fleetsim {

std::unique_ptr<JobTraceReader> make_swf_reader(const std::string& path);
std::unique_ptr<JobTraceReader> make_itp_reader(const std::string& path);
std::unique_ptr<JobTraceReader> make_batsim_reader(const std::string& path, double flops_per_s);
std::unique_ptr<JobTraceReader> make_csv_job_reader(const std::string& path,
                                                    const CsvColumnMap& columns);

}  // namespace fleetsim
