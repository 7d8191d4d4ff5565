// The trace readers (sim/traces): every bad trace is a TraceError naming the file, the line and
// the column (a missing column, times out of order or negative, a size of 0 or below, a
// non-number, a line cut short, an empty file, a JSON syntax error); CSV column maps (date-times
// with offsets, differences, products, files without a header); the replay's window, `where`,
// size map and overlap check; request logs binned into demand; and logs written by the writers
// read back as the same jobs.
#include "sim/traces/job_replay.hpp"
#include "sim/traces/job_trace.hpp"
#include "sim/traces/request_binning.hpp"
#include "sim/traces/request_trace.hpp"
#include "sim/traces/time_text.hpp"
#include "sim/traces/trace_writers.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace fleetsim;
using fleetsim::test::TempDir;
using fleetsim::test::write_file;

namespace {

const char* kSwfHeader = "; MaxProcs: 16\n; UnixStartTime: 0\n; TimeZone: 3600\n";

/** An SWF line: job, submit, wait, run, procs, requested time, status. */
std::string swf_line(int job,
                     double submit,
                     double wait,
                     double run,
                     double procs,
                     double requested = -1,
                     int status = 1) {
    std::ostringstream s;
    s << job << " " << submit << " " << wait << " " << run << " " << procs << " -1 -1 " << procs
      << " " << requested << " -1 " << status << " 1 1 -1 1 -1 -1 -1\n";
    return s.str();
}

std::vector<TraceJob> read_all(const JobTraceOptions& o) {
    auto r = open_job_trace(o);
    std::vector<TraceJob> out;
    TraceJob j;
    while (r->next(j))
        out.push_back(j);
    return out;
}

/** The TraceError reading every job of `o` raises: what(), line, column, key. */
struct Failure {
    std::string what;
    int line = -1, column = -1;
    std::string key;
};

Failure failure_of(const JobTraceOptions& o) {
    try {
        read_all(o);
    } catch (const CsvError& e) {
        return {e.what(), e.line(), e.column(), e.key()};
    }
    return {};
}

JobTraceOptions options(JobTraceFormat f, const std::string& path) {
    JobTraceOptions o;
    o.format = f;
    o.path = path;
    return o;
}

/** A condition on `column`; the caller sets what it requires. */
TraceCondition on(const std::string& column) {
    TraceCondition c;
    c.column = column;
    return c;
}

std::vector<ReplayJob> replay_all(const JobTraceOptions& o, int cap) {
    JobReplay r(o, cap);
    std::vector<ReplayJob> out;
    ReplayJob j;
    while (r.next(j))
        out.push_back(j);
    return out;
}

}  // namespace

TEST_SUITE("traces") {
    TEST_CASE("an SWF log reads its fields and its header") {
        TempDir tmp("swf");
        write_file(tmp / "a.swf", std::string(kSwfHeader) + swf_line(1, 0, 5, 100, 4, 200) +
                                      swf_line(2, 3600, -1, -1, -1, -1, 0) + "\n; a comment\n" +
                                      swf_line(3, 7200, 0, 50, 2));
        auto r = open_job_trace(options(JobTraceFormat::swf, tmp / "a.swf"));
        CHECK(r->header().max_procs == 16);
        TraceJob j;
        REQUIRE(r->next(j));
        CHECK(j.id == "1");
        CHECK(j.line == 4);
        CHECK(j.submit_s == 0);
        CHECK(j.wait_s == 5);
        CHECK(j.run_s == 100);
        CHECK(j.size == 4);
        CHECK(j.requested_s == 200);
        CHECK(j.status == "1");
        CHECK(j.hour == 1);  // UnixStartTime 0 + TimeZone 1 h
        REQUIRE(r->next(j));
        CHECK(j.run_s == -1);  // -1: unknown
        CHECK(j.size == -1);
        CHECK(j.status == "0");
        REQUIRE(r->next(j));
        CHECK(j.line == 8);  // after a blank line and a comment
        CHECK(r->cell(*r->column_index("queue")) == "1");
        CHECK_FALSE(r->next(j));
    }

    TEST_CASE("bad SWF logs name the file and line and field") {
        TempDir tmp("swf-bad");
        struct Case {
            const char* name;
            std::string text;
            int line, column;
            const char* says;
        };
        const Case cases[] = {
            {"unsorted", swf_line(1, 100, 0, 10, 1) + swf_line(2, 50, 0, 10, 1), 2, 2,
             "expected submit times in increasing order, found 50 after 100 on line 1"},
            {"negative time", swf_line(1, -5, 0, 10, 1), 1, 2, "expected a submit time >= 0"},
            {"zero size", swf_line(1, 0, 0, 10, 0), 1, 5, "expected a number of processors > 0"},
            {"negative size", swf_line(1, 0, 0, 10, -3), 1, 5, "expected a number of processors"},
            {"negative run", swf_line(1, 0, 0, -7, 2), 1, 4, "or -1 for unknown, found -7"},
            {"non-number", "1 0 0 ten 2 -1 -1 2 -1 -1 1 1 1 -1 1 -1 -1 -1\n", 1, 4,
             "expected a number, found 'ten'"},
            {"truncated last line", swf_line(1, 0, 0, 10, 1) + "2 60 0 10", 2, 0,
             "expected 18 fields, found 4 (a line cut short?)"},
            {"empty file", "", 1, 0, "expected an SWF log, found an empty file"},
            // Past the 1e30 of every number fleetsim reads (a submit time of 4e51 once reached
            // a conversion to int64, found by fuzz_trace_swf), and sizes no job can have.
            {"huge time", swf_line(1, 4.06667e51, 0, 10, 1), 1, 2,
             "expected a finite number, found 4.06667e+51 (numbers in a log are at most 1e+30"},
            {"infinite time", "1 inf 0 10 2 -1 -1 2 -1 -1 1 1 1 -1 1 -1 -1 -1\n", 1, 2,
             "expected a finite number, found inf"},
            {"nan run", "1 0 0 nan 2 -1 -1 2 -1 -1 1 1 1 -1 1 -1 -1 -1\n", 1, 4,
             "expected a finite number, found nan"},
            {"huge size", swf_line(1, 0, 0, 10, 2e9), 1, 5,
             "expected at most 1e+09 GPUs for one job, found 2000000000"},
        };
        for (const auto& c : cases) {
            CAPTURE(c.name);
            const std::string path = tmp / (std::string(c.name) + ".swf");
            write_file(path, c.text);
            const Failure f = failure_of(options(JobTraceFormat::swf, path));
            CHECK(f.line == c.line);
            CHECK(f.column == c.column);
            CHECK(f.what.find(path) == 0);
            CHECK(f.what.find(c.says) != std::string::npos);
        }
    }

    TEST_CASE("bad ITP and csv logs name the file and line and column") {
        TempDir tmp("csv-bad");
        struct Case {
            JobTraceFormat format;
            const char* name;
            std::string text;
            int line, column;
            const char* says;
        };
        const std::string itp = "job_id,submission_time,duration,num_gpu\n";
        const std::string csv = "job_id,submit_s,gpus,duration_s\n";
        const Case cases[] = {
            {JobTraceFormat::itp, "missing column", "job_id,submission_time,duration\na,1,2\n", 1,
             0, "expected a column named 'num_gpu'"},
            {JobTraceFormat::itp, "unsorted", itp + "a,10,5,1\nb,9,5,1\n", 3, 2,
             "expected submit times in increasing order"},
            {JobTraceFormat::itp, "zero gpus", itp + "a,10,5,0\n", 2, 4,
             "expected a number of GPUs > 0, found 0"},
            {JobTraceFormat::itp, "non-number", itp + "a,10,five,1\n", 2, 3,
             "expected a number, found 'five'"},
            {JobTraceFormat::itp, "truncated last line", itp + "a,10,5,1\nb,11", 3, 0,
             "expected 4 fields as in the header, found 2"},
            {JobTraceFormat::itp, "empty file", "", 1, 0, "found an empty file"},
            {JobTraceFormat::csv, "negative time", csv + "a,-1,1,5\n", 2, 2,
             "expected a submit time >= 0"},
            {JobTraceFormat::csv, "negative gpus", csv + "a,1,-2,5\n", 2, 3,
             "expected a number of GPUs > 0, found -2"},
            {JobTraceFormat::csv, "huge gpus", csv + "a,1,1e10,5\n", 2, 3,
             "expected at most 1e+09 GPUs for one job, found 10000000000"},
            {JobTraceFormat::itp, "huge gpus", itp + "a,10,5,3e9\n", 2, 4,
             "expected at most 1e+09 GPUs for one job, found 3000000000"},
            {JobTraceFormat::csv, "bad time text", csv + "a,yesterday,1,5\n", 2, 2,
             "expected a number or a date-time, found 'yesterday'"},
            {JobTraceFormat::csv, "missing column", "job_id,submit_s,duration_s\na,1,5\n", 1, 0,
             "expected a column named 'gpus' (mapped to gpus)"},
        };
        for (const auto& c : cases) {
            CAPTURE(c.name);
            const std::string path = tmp / (std::string(c.name) + ".csv");
            write_file(path, c.text);
            const Failure f = failure_of(options(c.format, path));
            CHECK(f.line == c.line);
            CHECK(f.column == c.column);
            CHECK(f.what.find(path) == 0);
            CHECK(f.what.find(c.says) != std::string::npos);
        }
    }

    TEST_CASE("bad Batsim and Mooncake JSON names the file and line and column") {
        TempDir tmp("json-bad");
        const std::string profiles = R"("profiles": {"p": {"type": "delay", "delay": 10}})";
        write_file(tmp / "syntax.json",
                   "{\n  \"nb_res\": 4,\n  \"jobs\": [\n    {\"id\": 1,,}\n  ]\n}\n");
        Failure f = failure_of(options(JobTraceFormat::batsim, tmp / "syntax.json"));
        CHECK(f.line == 4);
        CHECK(f.column == 14);  // the second comma
        CHECK(f.what.find("JSON syntax error") != std::string::npos);

        write_file(tmp / "res.json",
                   "{\"nb_res\": 4, \"jobs\": [\n  {\"id\": 1, \"subtime\": 0, "
                   "\"res\": 1, \"profile\": \"p\"},\n  {\"id\": 2, \"subtime\": "
                   "1, \"res\": 0, \"profile\": \"p\"}\n], " +
                       profiles + "}\n");
        f = failure_of(options(JobTraceFormat::batsim, tmp / "res.json"));
        CHECK(f.line == 3);
        CHECK(f.column == 3);
        CHECK(f.key == "res");
        CHECK(f.what.find("job 2 (jobs[1]): expected a number of resources > 0, found 0") !=
              std::string::npos);

        write_file(tmp / "profile.json",
                   "{\"jobs\": [{\"id\": 1, \"subtime\": 0, \"res\": 1, "
                   "\"profile\": \"q\"}], " +
                       profiles + "}");
        f = failure_of(options(JobTraceFormat::batsim, tmp / "profile.json"));
        CHECK(f.what.find("names the profile 'q', which \"profiles\" lacks") != std::string::npos);

        write_file(tmp / "empty.json", "  \n");
        f = failure_of(options(JobTraceFormat::batsim, tmp / "empty.json"));
        CHECK(f.what.find("found an empty file") != std::string::npos);

        write_file(tmp / "m.jsonl",
                   "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 2}\n"
                   "{\"timestamp\": 10, \"input_length\": 5 \"output_length\": 2}\n");
        try {
            auto r = open_request_trace(RequestTraceFormat::mooncake, tmp / "m.jsonl");
            TraceRequest q;
            while (r->next(q)) {
            }
            FAIL("no error");
        } catch (const TraceError& e) {
            CHECK(e.line() == 2);
            CHECK(e.column() == 51);  // the end of the string nlohmann did not expect
            CHECK(std::string(e.what()).find("JSON syntax error") != std::string::npos);
        }

        // Numbers past 1e30, as in every other log and in YAML: a Batsim submit time, a
        // Mooncake token count.
        write_file(tmp / "huge.json",
                   "{\"jobs\": [{\"id\": 1, \"subtime\": 1e31, \"res\": 1, "
                   "\"profile\": \"p\"}], " +
                       profiles + "}");
        f = failure_of(options(JobTraceFormat::batsim, tmp / "huge.json"));
        CHECK(f.key == "subtime");
        CHECK(f.what.find("expected a finite number, found 1e+31") != std::string::npos);
        write_file(tmp / "huge.jsonl",
                   "{\"timestamp\": 0, \"input_length\": 2e30, "
                   "\"output_length\": 2}\n");
        try {
            auto r = open_request_trace(RequestTraceFormat::mooncake, tmp / "huge.jsonl");
            TraceRequest q;
            while (r->next(q)) {
            }
            FAIL("no error");
        } catch (const TraceError& e) {
            CHECK(e.line() == 1);
            CHECK(std::string(e.what()).find("expected a finite number, found 2e+30") !=
                  std::string::npos);
        }
    }

    TEST_CASE("Batsim jobs out of time order are sorted (Batsim does not require the order)") {
        TempDir tmp("batsim-order");
        write_file(
            tmp / "w.json",
            R"({"nb_res": 8, "jobs": [{"id": "a", "subtime": 5, "res": 2, "profile": "p", "walltime": 20},
 {"id": "b", "subtime": 1, "res": 1, "profile": "p"}, {"id": "c", "subtime": 5, "res": 1, "profile": "h"}],
 "profiles": {"p": {"type": "delay", "delay": 10}, "h": {"type": "parallel_homogeneous", "cpu": 3e9}}})");
        JobTraceOptions o = options(JobTraceFormat::batsim, tmp / "w.json");
        auto jobs = read_all(o);
        REQUIRE(jobs.size() == 3);
        CHECK(jobs[0].id == "b");
        CHECK(jobs[1].id == "a");
        CHECK(jobs[1].requested_s == 20);
        CHECK(jobs[2].id == "c");
        CHECK(jobs[2].run_s == -1);  // flops without a host speed: unknown
        o.flops_per_s = 1e9;
        CHECK(read_all(o)[2].run_s == 3);
    }

    TEST_CASE(
        "a csv column map reads date-times and differences and products and headerless files") {
        TempDir tmp("csv-map");
        // Acme's layout: date-times with an offset, duration and queue in seconds.
        write_file(tmp / "acme.csv",
                   "job_id,user,gpu_num,state,submit_time,start_time,end_time,duration,queue\n"
                   "5778432,u5907,8,FAILED,2023-03-01 00:18:22+08:00,2023-03-01 00:18:54+08:00,"
                   "2023-03-01 00:20:51+08:00,117,32\n"
                   "5778469,u5907,8,COMPLETED,2023-03-01 00:23:58+08:00,2023-03-01 00:24:11+08:00,"
                   "2023-03-01 01:09:04+08:00,2693,13\n");
        JobTraceOptions o = options(JobTraceFormat::csv, tmp / "acme.csv");
        o.columns.submit_s.column = "submit_time";
        o.columns.run_s.column = "end_time";
        o.columns.run_s.minus = "start_time";
        o.columns.gpus.column = "gpu_num";
        o.columns.wait_s.column = "queue";
        o.columns.id = "job_id";
        o.columns.status = "state";
        auto jobs = read_all(o);
        REQUIRE(jobs.size() == 2);
        // 2023-03-01 00:18:22+08:00 = 2023-02-28 16:18:22 UTC.
        CHECK(jobs[0].submit_s ==
              static_cast<double>(days_from_civil(2023, 2, 28) * 86400 + 16 * 3600 + 18 * 60 + 22));
        CHECK(jobs[0].hour == 0);  // the log's local hour
        CHECK(jobs[0].run_s == 117);
        CHECK(jobs[1].run_s == 2693);
        CHECK(jobs[1].wait_s == 13);
        CHECK(jobs[1].status == "COMPLETED");
        CHECK(jobs[1].id == "5778469");

        // Alibaba PAI 2020's task table: no header line; GPUs = plan_gpu% x inst_num.
        write_file(tmp / "pai.csv",
                   "j1,tensorflow,2.0,Terminated,100.0,160.0,600.0,29.3,50.0,MISC\n"
                   "j2,worker,4.0,Terminated,130.0,200.0,800.0,10.0,100.0,V100\n");
        JobTraceOptions p = options(JobTraceFormat::csv, tmp / "pai.csv");
        p.columns.header = {"job_name", "task_name", "inst_num", "status",   "start_time",
                            "end_time", "plan_cpu",  "plan_mem", "plan_gpu", "gpu_type"};
        p.columns.submit_s.column = "start_time";
        p.columns.run_s.column = "end_time";
        p.columns.run_s.minus = "start_time";
        p.columns.gpus.column = "plan_gpu";
        p.columns.gpus.times = "inst_num";
        p.columns.gpus.scale = 0.01;
        auto pai = read_all(p);
        REQUIRE(pai.size() == 2);
        CHECK(pai[0].size == doctest::Approx(1.0));
        CHECK(pai[1].size == doctest::Approx(4.0));
        CHECK(pai[0].run_s == 60);
        CHECK(pai[0].line == 1);
        JobTraceOptions tail = p;
        tail.where = {on("gpu_type")};
        tail.where[0].in = {"V100"};
        const auto kept = replay_all(tail, 8);
        REQUIRE(kept.size() == 1);
        CHECK(kept[0].gpus == 4);
        CHECK(kept[0].submit_s == 30);  // the origin is the file's first submit time, 100 s
    }

    TEST_CASE("date-times read the same in every time zone") {
        const auto a = parse_date_time("2023-11-16 18:17:03.9799600");
        REQUIRE(a);
        CHECK(a->seconds == days_from_civil(2023, 11, 16) * 86400 + 18 * 3600 + 17 * 60 + 3);
        CHECK(a->fraction == doctest::Approx(0.97996));
        CHECK(a->local_hour() == 18);
        const auto b = parse_date_time("2020-04-01T00:00:00Z");
        REQUIRE(b);
        CHECK(b->seconds == 1585699200);
        const auto c = parse_date_time("2023-03-01 00:18:22-05:30");
        REQUIRE(c);
        CHECK(c->seconds - c->utc_offset_s - (days_from_civil(2023, 3, 1) * 86400 + 18 * 60 + 22) ==
              5 * 3600 + 30 * 60 - c->utc_offset_s);
        CHECK(c->local_hour() == 0);
        CHECK_FALSE(parse_date_time("2023-13-01 00:00:00"));
        CHECK_FALSE(parse_date_time("2023-03-01 00:00"));
        CHECK_FALSE(parse_date_time("2023-03-01 00:00:00 UTC"));
        CHECK(hour_of_day(-1, 0) == 23);
    }

    TEST_CASE("the replay keeps the window and the where conditions and maps sizes with a cap") {
        TempDir tmp("replay");
        std::string text = kSwfHeader;
        text += swf_line(1, 100, 0, 10, 1);         // before the window
        text += swf_line(2, 200, 0, 20, 3);         // kept: 3 x 2 = 6 GPUs
        text += swf_line(3, 300, 0, 30, 9, 60);     // kept: 18 GPUs, capped to 16
        text += swf_line(4, 400, 0, 0, 1);          // run time 0: dropped
        text += swf_line(5, 500, 0, -1, 2);         // unknown run time: dropped
        text += swf_line(6, 600, 0, 60, 1, -1, 5);  // status 5: filtered out
        text += swf_line(7, 700, 0, 70, 0.5);       // 0.5 x 2 = 1 GPU
        text += swf_line(8, 800, 0, 80, 1);         // at the window's end: left out
        write_file(tmp / "r.swf", text);
        JobTraceOptions o = options(JobTraceFormat::swf, tmp / "r.swf");
        o.start_s = 150;
        o.end_s = 800;
        o.time_scale = 0.5;
        o.shift_s = 1000;
        o.gpus_per_unit = 2;
        o.where = {on("status")};
        o.where[0].not_in = {"5"};
        const auto jobs = replay_all(o, 16);
        REQUIRE(jobs.size() == 3);
        CHECK(jobs[0].submit_s == 1000 + (200 - 150) * 0.5);
        CHECK(jobs[0].gpus == 6);
        CHECK(jobs[0].run_s == 20);
        CHECK(jobs[0].recorded_wait_s == 0);
        CHECK(jobs[1].gpus == 16);
        CHECK(jobs[1].requested_s == 60);
        CHECK(jobs[2].gpus == 1);
        CHECK(jobs[2].submit_s == 1000 + (700 - 150) * 0.5);
        const auto scans = scan_job_traces({ReplayClass{&o, 16, "c"}});
        CHECK(scans[0].rows == 8);
        CHECK(scans[0].matched == 5);  // 2, 3, 4, 5, 7
        CHECK(scans[0].capped == 1);
        CHECK(scans[0].dropped_zero_run == 1);
        CHECK(scans[0].dropped_unknown == 1);
        CHECK(scans[0].replayable() == 3);
        o.oversize = Oversize::drop;
        CHECK(replay_all(o, 16).size() == 2);
        o.requested = false;
        CHECK(replay_all(o, 100)[1].requested_s == -1);
    }

    TEST_CASE("classes that split a log must not overlap") {
        TempDir tmp("split");
        write_file(tmp / "s.swf",
                   swf_line(1, 0, 0, 10, 4) + swf_line(2, 5, 0, 10, 8) + swf_line(3, 9, 0, 10, 16));
        JobTraceOptions small = options(JobTraceFormat::swf, tmp / "s.swf");
        small.where = {on("processors")};
        small.where[0].below = 8;
        JobTraceOptions large = small;
        large.where = {on("processors")};
        large.where[0].from = 8;
        auto scans = scan_job_traces({{&small, 64, "small"}, {&large, 64, "large"}});
        CHECK(scans[0].matched == 1);
        CHECK(scans[1].matched == 2);
        JobTraceOptions all = options(JobTraceFormat::swf, tmp / "s.swf");
        try {
            scan_job_traces({{&small, 64, "small"}, {&all, 64, "all"}});
            FAIL("no error");
        } catch (const TraceError& e) {
            CHECK(e.line() == 1);
            CHECK(std::string(e.what()).find("selected by both classes 'small' and 'all'") !=
                  std::string::npos);
        }
        JobTraceOptions bad = small;
        bad.where = {on("gpus")};
        bad.where[0].from = 1;
        bad.where[0].where = {"w.yaml", 7, 9, "k"};
        try {
            scan_job_traces({{&bad, 64, "bad"}});
            FAIL("no error");
        } catch (const TraceError& e) {
            // A column the format lacks is the YAML's mistake: reported where `where` says it.
            CHECK(std::string(e.what()).find("w.yaml:7:9: expected a column of the swf trace, "
                                             "found 'gpus'") == 0);
        }
    }

    TEST_CASE("a request log is binned into demand whose integral is the log's") {
        TempDir tmp("bins");
        // Requests at 0, 100, 250, 600 s: units = (in x 1e-3 + out x 1e-2) / 10.
        write_file(tmp / "r.jsonl",
                   "{\"timestamp\": 0, \"input_length\": 1000, \"output_length\": 100}\n"
                   "{\"timestamp\": 100000, \"input_length\": 2000, \"output_length\": 0}\n"
                   "{\"timestamp\": 250000, \"input_length\": 0, \"output_length\": 300}\n"
                   "{\"timestamp\": 600000, \"input_length\": 500, \"output_length\": 50}\n");
        RequestTraceOptions o;
        o.format = RequestTraceFormat::mooncake;
        o.path = tmp / "r.jsonl";
        o.gpu_s_per_input_token = 1e-3;
        o.gpu_s_per_output_token = 1e-2;
        const BinnedDemand d = bin_requests(o, 10, 300);
        CHECK(d.scan.requests == 4);
        CHECK(d.scan.period_s == 600);
        const double total = (2 + 2 + 3 + 1) / 10.0;
        CHECK(d.scan.units == doctest::Approx(total));
        CHECK(d.mean_units_per_s == doctest::Approx(total / 600));
        // Bins [0, 300) and [300, 600]: the last request belongs to the last bin.
        REQUIRE(d.points_t_s.size() == 3);
        CHECK(d.points_t_s[0] == 0);
        CHECK(d.points_t_s[1] == 300);
        CHECK(d.points_t_s[2] == 600);
        CHECK(d.factors[0] * d.mean_units_per_s * 300 == doctest::Approx(0.7));
        CHECK(d.factors[1] * d.mean_units_per_s * 300 == doctest::Approx(0.1));
        CHECK(d.factors[2] == 0);  // nothing after the window without repeat
        // Repeated and shifted by 100 s: the same two bins, rotated within the 600-s period.
        o.repeat = true;
        o.shift_s = 100;
        const BinnedDemand r = bin_requests(o, 10, 300);
        CHECK(r.period_s == 600);
        REQUIRE(r.points_t_s.size() == 3);
        CHECK(r.points_t_s == std::vector<double>{0, 100, 400});
        CHECK(r.factors[0] == doctest::Approx(d.factors[1]));
        CHECK(r.factors[1] == doctest::Approx(d.factors[0]));
        CHECK(r.factors[2] == doctest::Approx(d.factors[1]));
    }

    TEST_CASE("a log written as SWF and Batsim and csv reads back as the same jobs") {
        TempDir tmp("write");
        const auto jobs =
            read_all(options(JobTraceFormat::swf,
                             fleetsim::test::shared_data_path("swf-pwa/KTH-SP2-1996-2.1-cln.swf")));
        for (const auto format :
             {TraceOutputFormat::swf, TraceOutputFormat::batsim, TraceOutputFormat::csv}) {
            const std::string path = tmp / ("out-" + std::to_string(static_cast<int>(format)));
            {
                std::ofstream out(path, std::ios::binary);
                auto w = make_trace_writer(format, out, TraceWriterInfo{"a test", 100});
                for (const auto& j : jobs)
                    w->write(j);
                w->finish();
            }
            const JobTraceFormat back = format == TraceOutputFormat::swf ? JobTraceFormat::swf
                                        : format == TraceOutputFormat::batsim
                                            ? JobTraceFormat::batsim
                                            : JobTraceFormat::csv;
            const auto again = read_all(options(back, path));
            // Batsim cannot hold a job without a size (KTH has one).
            const std::size_t left_out = format == TraceOutputFormat::batsim ? 1 : 0;
            REQUIRE(again.size() == jobs.size() - left_out);
            std::size_t k = 0;
            for (const auto& j : jobs) {
                if (left_out > 0 && j.size < 0)
                    continue;
                const auto& a = again[k++];
                CAPTURE(j.id);
                CHECK(a.id == j.id);
                CHECK(a.submit_s == j.submit_s);
                CHECK(a.run_s == j.run_s);
                CHECK(a.size == j.size);
                CHECK(a.requested_s == j.requested_s);
                if (format != TraceOutputFormat::batsim) {
                    CHECK(a.wait_s == j.wait_s);
                    CHECK(swf_status(a.status) == swf_status(j.status));
                }
            }
        }
    }
}
