// `trace stats` on every sample in ../shared/data reproduces the figures its folder's README
// gives: counts and totals exactly, means and percentiles to the README's rounding. The
// figures are read from the JSON `fleetsim trace stats --json` prints (trace_stats()); the
// scenario suite runs the command itself (replay_test.cpp).
#include "sim/traces/trace_stats.hpp"

#include "sim/traces/job_trace.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

using namespace fleetsim;
using fleetsim::test::shared_data_path;
using Json = nlohmann::ordered_json;

namespace {

Json stats_of(const std::string& relative, const std::string& format, double flops_per_s = 0) {
    TraceStatsOptions o;
    o.path = shared_data_path(relative);
    o.format = format;
    o.flops_per_s = flops_per_s;
    return trace_stats(o);
}

/** `value` rounded to `decimals` places, as a README prints it. */
double rounded(double value, int decimals) {
    const double f = std::pow(10.0, decimals);
    return std::round(value * f) / f;
}

}  // namespace

TEST_SUITE("trace stats") {
    TEST_CASE(
        "KTH-SP2 (swf-pwa/README.md): jobs and run times and processors and statuses and "
        "utilization") {
        const Json s = stats_of("swf-pwa/KTH-SP2-1996-2.1-cln.swf", "swf");
        CHECK(s["jobs"] == 28476);
        CHECK(rounded(s["run_s"]["mean"].get<double>(), 1) == doctest::Approx(8871.9));
        CHECK(s["run_s"]["p50"] == 847);
        CHECK(rounded(s["size"]["mean"].get<double>(), 1) == doctest::Approx(7.7));
        CHECK(s["size"]["p50"] == 3);
        CHECK(s["size"]["max"] == 100);
        CHECK(s["status"]["1"] == 20530);
        CHECK(s["status"]["0"] == 7946);
        CHECK(rounded(s["offered_utilization"].get<double>(), 3) == doctest::Approx(0.701));
        // The log says it was scheduled with EASY and records waits (field 3) for every job.
        CHECK(s["wait_s"]["count"] == 28476);
        CHECK(s["capacity"] == 100);
        CHECK(s["hour_clock"] == "local");
        long long by_hour = 0;
        for (const auto& h : s["arrivals_by_hour"])
            by_hour += h.get<long long>();
        CHECK(by_hour == 28476);
    }

    TEST_CASE("NASA-iPSC (swf-pwa/README.md): jobs and no recorded waits and utilization") {
        const Json s = stats_of("swf-pwa/NASA-iPSC-1993-3.1-cln.swf", "swf");
        CHECK(s["jobs"] == 18239);
        CHECK(s["wait_s"]["count"] == 0);
        CHECK(rounded(s["offered_utilization"].get<double>(), 3) == doctest::Approx(0.466));
    }

    TEST_CASE("Lublin-256 (swf-lublin-256/README.md): every figure of its table") {
        const Json s = stats_of("swf-lublin-256/lublin_256.swf", "swf");
        CHECK(s["jobs"] == 10000);
        CHECK(s["submit_span_s"] == 7706607);
        CHECK(rounded(s["run_s"]["mean"].get<double>(), 1) == doctest::Approx(4862.8));
        CHECK(s["run_s"]["p50"] == 137);
        CHECK(s["run_s"]["max"] == 124707);
        CHECK(rounded(s["size"]["mean"].get<double>(), 2) == doctest::Approx(22.10));
        CHECK(s["size"]["p50"] == 8);
        CHECK(s["size"]["max"] == 256);
        CHECK(s["size_x_run_s"] == 2092781168.0);
        CHECK(s["sorted"] == true);
        CHECK(s["capacity"] == 256);  // MaxNodes in the header
    }

    TEST_CASE("ITP (microsoft-itp-elasticflow/README.md): 69351 jobs and 1632719.7 GPU-hours") {
        // raw/ and elasticflow/ (its cluster*.csv; 195job.csv is the testbed subset) hold the
        // same jobs.
        for (const std::string folder : {"raw", "elasticflow"}) {
            CAPTURE(folder);
            const Json s = stats_of("microsoft-itp-elasticflow/" + folder, "itp");
            CHECK(s["jobs"] == 69351);
            CHECK(rounded(s["gpu_h"].get<double>(), 1) == doctest::Approx(1632719.7));
            CHECK(s["sorted"] == true);
        }
    }

    TEST_CASE("Azure LLM 2023 (azure-llm-2023/README.md): every figure of both logs") {
        struct Expected {
            const char* file;
            long long requests;
            const char *first, *last;
            double rate, in_mean, in_p50, in_max, out_mean, out_p50, out_max, in_total, out_total;
        };
        const Expected cases[] = {
            {"AzureLLMInferenceTrace_code.csv", 8819, "2023-11-16 18:17:03.97996",
             "2023-11-16 19:14:19.928016", 2.567, 2047.8, 1469, 7437, 27.9, 13, 1899, 18059974,
             245896},
            {"AzureLLMInferenceTrace_conv.csv", 19366, "2023-11-16 18:15:46.68059",
             "2023-11-16 19:14:08.402527", 5.530, 1154.7, 1020, 14050, 211.1, 129, 1000, 22361870,
             4088665},
        };
        for (const auto& e : cases) {
            CAPTURE(e.file);
            const Json s = stats_of(std::string("azure-llm-2023/") + e.file, "azure");
            CHECK(s["requests"] == e.requests);
            // The file writes 7 fractional digits; the README drops trailing zeros.
            auto trimmed = [](std::string t) {
                while (t.back() == '0')
                    t.pop_back();
                return t;
            };
            CHECK(trimmed(s["first"].get<std::string>()) == e.first);
            CHECK(trimmed(s["last"].get<std::string>()) == e.last);
            CHECK(rounded(s["rate_per_s"].get<double>(), 3) == doctest::Approx(e.rate));
            CHECK(rounded(s["input_tokens"]["mean"].get<double>(), 1) ==
                  doctest::Approx(e.in_mean));
            CHECK(s["input_tokens"]["p50"] == e.in_p50);
            CHECK(s["input_tokens"]["max"] == e.in_max);
            CHECK(rounded(s["output_tokens"]["mean"].get<double>(), 1) ==
                  doctest::Approx(e.out_mean));
            CHECK(s["output_tokens"]["p50"] == e.out_p50);
            CHECK(s["output_tokens"]["max"] == e.out_max);
            CHECK(s["input_tokens"]["total"] == e.in_total);
            CHECK(s["output_tokens"]["total"] == e.out_total);
            CHECK(s["hour_clock"] == "local");
            CHECK(s["arrivals_by_hour"][18].get<long long>() +
                      s["arrivals_by_hour"][19].get<long long>() ==
                  e.requests);
        }
    }

    TEST_CASE("Mooncake (mooncake/README.md): requests and mean lengths") {
        struct Expected {
            const char* file;
            long long requests;
            double in_mean, out_mean;
        };
        const Expected cases[] = {{"conversation_trace.jsonl", 12031, 12035, 343},
                                  {"synthetic_trace.jsonl", 3993, 15325, 149}};
        for (const auto& e : cases) {
            CAPTURE(e.file);
            const Json s = stats_of(std::string("mooncake/") + e.file, "mooncake");
            CHECK(s["requests"] == e.requests);
            CHECK(std::round(s["input_tokens"]["mean"].get<double>()) == e.in_mean);
            CHECK(std::round(s["output_tokens"]["mean"].get<double>()) == e.out_mean);
        }
    }

    TEST_CASE("Batsim's KTH slice (batsim/README.md) is jobs 15 to 1780 of the KTH-SP2 log") {
        // Two readers against files made by others: the slice's subtime is the SWF submit time
        // less 599,849 s, res the allocated processors, walltime the requested time, and its
        // profiles' flops at 1 Gflop/s the run time.
        JobTraceOptions swf;
        swf.path = shared_data_path("swf-pwa/KTH-SP2-1996-2.1-cln.swf");
        JobTraceOptions bat;
        bat.format = JobTraceFormat::batsim;
        bat.path = shared_data_path("batsim/kth_sp2_real/KTH-split-alloc-only-part-0.json");
        bat.flops_per_s = 1e9;
        auto a = open_job_trace(swf);
        auto b = open_job_trace(bat);
        TraceJob x, y;
        long long compared = 0;
        while (b->next(y)) {
            REQUIRE(a->next(x));
            CAPTURE(y.id);
            CHECK(x.id == y.id);
            CHECK(x.submit_s - 599849 == y.submit_s);
            CHECK(x.size == y.size);
            CHECK(x.requested_s == y.requested_s);
            CHECK(x.run_s == y.run_s);
            ++compared;
        }
        CHECK(compared == 1766);
        CHECK(b->header().max_procs == 96);
    }

    TEST_CASE("the peer traces' neutral CSV reads without a column map") {
        const Json s = stats_of("peer-traces/gavel-philly-4000.csv", "csv");
        CHECK(s["jobs"] == 4000);
        const Json b = stats_of("peer-traces/blox-las-4855.csv", "csv");
        CHECK(b["jobs"] == 4855);
        CHECK(b["size"]["max"] == 1);  // Blox's jobs take one GPU each
    }

    TEST_CASE("trace stats counts rows out of order instead of refusing them") {
        fleetsim::test::TempDir tmp("stats-unsorted");
        fleetsim::test::write_file(tmp / "u.csv",
                                   "job_id,submit_s,gpus,duration_s\na,10,1,5\n"
                                   "b,40,2,5\nc,20,1,5\nd,50,1,5\n");
        TraceStatsOptions o;
        o.path = tmp / "u.csv";
        o.format = "csv";
        const Json s = trace_stats(o);
        CHECK(s["jobs"] == 4);
        CHECK(s["sorted"] == false);
        CHECK(s["rows_out_of_order"] == 1);
        // Gaps between consecutive rows in order: 30 (a to b) and 30 (c to d); c gives none.
        CHECK(s["interarrival_s"]["count"] == 2);
        CHECK(s["interarrival_s"]["mean"] == 30);
    }

    TEST_CASE("trace formats are guessed from the file") {
        CHECK(guess_trace_format(shared_data_path("swf-lublin-256/lublin_256.swf")) == "swf");
        CHECK(guess_trace_format(shared_data_path("microsoft-itp-elasticflow/raw")) == "itp");
        CHECK(guess_trace_format(shared_data_path("microsoft-itp-elasticflow/raw/cluster01.csv")) ==
              "itp");
        CHECK(guess_trace_format(
                  shared_data_path("azure-llm-2023/AzureLLMInferenceTrace_code.csv")) == "azure");
        CHECK(guess_trace_format(shared_data_path("mooncake/synthetic_trace.jsonl")) == "mooncake");
        CHECK(guess_trace_format(shared_data_path("batsim/test_walltime.json")) == "batsim");
        CHECK(guess_trace_format(shared_data_path("peer-traces/blox-las-4855.csv")) == "csv");
    }
}
