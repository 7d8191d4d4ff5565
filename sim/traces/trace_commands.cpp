#include "sim/traces/trace_commands.hpp"

#include "sim/traces/job_trace.hpp"
#include "sim/traces/trace_stats.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

namespace fleetsim {
namespace {

std::string format_of(const TraceCommandOptions& o) {
    if (!o.format.empty())
        return o.format;
    if (auto f = guess_trace_format(o.input))
        return *f;
    throw TraceError(o.input, 0, 0, "",
                     "cannot tell the format from the file's name: give --format swf, itp, "
                     "batsim, csv, azure or mooncake");
}

JobTraceOptions job_options(const TraceCommandOptions& o, const std::string& format) {
    JobTraceOptions jo;
    if (format == "swf")
        jo.format = JobTraceFormat::swf;
    else if (format == "itp")
        jo.format = JobTraceFormat::itp;
    else if (format == "batsim")
        jo.format = JobTraceFormat::batsim;
    else if (format == "csv")
        jo.format = JobTraceFormat::csv;
    else
        throw TraceError(o.input, 0, 0, "",
                         "expected a job log (swf, itp, batsim or csv) to convert, found the "
                         "format '" +
                             format + "'");
    jo.path = o.input;
    jo.flops_per_s = o.flops_per_s;
    jo.columns = parse_column_maps(o.maps, o.header);
    return jo;
}

/** `plan_gpu*inst_num*0.01`, `end_time-start_time`, `duration`. */
CsvValueMap parse_value_map(const std::string& key, const std::string& expr) {
    CsvValueMap m;
    std::string rest = expr;
    auto take_factor = [&]() -> std::string {
        const auto star = rest.rfind('*');
        if (star == std::string::npos)
            return "";
        std::string f = rest.substr(star + 1);
        rest = rest.substr(0, star);
        return f;
    };
    for (std::string f = take_factor(); !f.empty(); f = take_factor()) {
        if (auto v = parse_trace_number(f))
            m.scale *= *v;
        else if (m.times.empty())
            m.times = f;
        else
            throw TraceError("<command line>", 0, 0, key,
                             "expected at most one column after '*', found '" + expr + "'");
    }
    const auto minus = rest.find('-');
    if (minus != std::string::npos) {
        m.minus = rest.substr(minus + 1);
        rest = rest.substr(0, minus);
    }
    m.column = rest;
    if (m.column.empty())
        throw TraceError("<command line>", 0, 0, key,
                         "expected a column name, found '" + expr + "'");
    return m;
}

}  // namespace

CsvColumnMap parse_column_maps(const std::vector<std::string>& maps, const std::string& header) {
    CsvColumnMap m;
    for (const auto& entry : maps) {
        const auto eq = entry.find('=');
        if (eq == std::string::npos)
            throw TraceError("<command line>", 0, 0, "--map",
                             "expected KEY=COLUMN, found '" + entry + "'");
        const std::string key = entry.substr(0, eq);
        const std::string value = entry.substr(eq + 1);
        if (key == "submit_s")
            m.submit_s = parse_value_map(key, value);
        else if (key == "run_s")
            m.run_s = parse_value_map(key, value);
        else if (key == "gpus")
            m.gpus = parse_value_map(key, value);
        else if (key == "requested_s")
            m.requested_s = parse_value_map(key, value);
        else if (key == "wait_s")
            m.wait_s = parse_value_map(key, value);
        else if (key == "id")
            m.id = value;
        else if (key == "status")
            m.status = value;
        else
            throw TraceError("<command line>", 0, 0, "--map",
                             "expected submit_s, run_s, gpus, requested_s, wait_s, id or status, "
                             "found '" +
                                 key + "'");
    }
    if (m.submit_s.mapped() && (!m.run_s.mapped() || !m.gpus.mapped()))
        throw TraceError("<command line>", 0, 0, "--map",
                         "expected submit_s, run_s and gpus all mapped, or none (the neutral "
                         "columns submit_s, duration_s, gpus)");
    std::size_t pos = 0;
    while (!header.empty() && pos <= header.size()) {
        const auto comma = header.find(',', pos);
        m.header.push_back(
            header.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
        if (comma == std::string::npos)
            break;
        pos = comma + 1;
    }
    return m;
}

TraceOutputFormat parse_output_format(const std::string& to) {
    if (to == "swf")
        return TraceOutputFormat::swf;
    if (to == "batsim")
        return TraceOutputFormat::batsim;
    if (to == "csv")
        return TraceOutputFormat::csv;
    throw TraceError("<command line>", 0, 0, "--to",
                     "expected swf, batsim or csv, found '" + to + "'");
}

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(path, ec))
        throw TraceError(path, 0, 0, "",
                         "exists already: fleetsim does not replace a file; remove it or choose "
                         "another name");
    // The temporary name carries our PID and is created exclusively: it never truncates a file
    // of the user's that happens to bear it.
    const std::string tmp = path + ".partial-" + std::to_string(::getpid());
    {
        const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
            throw TraceError(path, 0, 0, "",
                             "cannot write the file: " + tmp + ": " + std::strerror(errno));
        ::close(fd);
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw TraceError(path, 0, 0, "", "cannot write the file");
        try {
            write(out);
        } catch (...) {
            out.close();
            fs::remove(tmp, ec);
            throw;
        }
    }
    // RENAME_NOREPLACE: a file that appeared at `path` while we wrote is not replaced either.
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0) {
        int err = errno;
        if (err == EINVAL || err == ENOSYS) {  // a filesystem without the flag: link() is exclusive
            if (::link(tmp.c_str(), path.c_str()) == 0) {
                fs::remove(tmp, ec);
                return;
            }
            err = errno;
        }
        fs::remove(tmp, ec);
        throw TraceError(path, 0, 0, "",
                         err == EEXIST
                             ? "exists already: fleetsim does not replace a file; remove "
                               "it or choose another name"
                             : std::string("cannot write the file: ") + std::strerror(err));
    }
}

int trace_stats_command(const TraceCommandOptions& o) {
    TraceStatsOptions so;
    so.path = o.input;
    so.format = format_of(o);
    so.columns = parse_column_maps(o.maps, o.header);
    so.flops_per_s = o.flops_per_s;
    so.capacity = o.capacity;
    const auto stats = trace_stats(so);
    std::cout << (o.json ? stats.dump(2) + "\n" : format_trace_stats(stats));
    return 0;
}

int trace_convert_command(const TraceCommandOptions& o) {
    const std::string format = format_of(o);
    const TraceOutputFormat to = parse_output_format(o.to);
    const JobTraceOptions jo = job_options(o, format);
    // A first pass finds the largest job (SWF MaxProcs, Batsim nb_res) and checks every row.
    long long max_size = 0, jobs = 0;
    {
        auto reader = open_job_trace(jo);
        TraceJob j;
        while (reader->next(j)) {
            ++jobs;
            if (j.size > 0)
                max_size = std::max(max_size, static_cast<long long>(std::ceil(j.size - 1e-9)));
        }
        if (reader->header().max_procs > 0)
            max_size = std::max(max_size, reader->header().max_procs);
    }
    long long written = 0, left_out = 0;
    write_file_atomically(o.output, [&](std::ostream& out) {
        auto reader = open_job_trace(jo);
        auto writer = make_trace_writer(
            to, out,
            TraceWriterInfo{fmt::format("converted from {} ({}) by fleetsim", o.input, format),
                            max_size});
        TraceJob j;
        while (reader->next(j)) {
            if (writer->write(j))
                ++written;
            else
                ++left_out;
        }
        writer->finish();
    });
    std::cout << fmt::format("wrote {} jobs of {} to {} ({})", written, jobs, o.output, o.to);
    if (left_out > 0)
        std::cout << fmt::format("; left out {} jobs without a size or a run time", left_out);
    std::cout << "\n";
    return 0;
}

}  // namespace fleetsim
