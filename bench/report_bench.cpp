// Report benchmark (issue 5): how big report.html gets and how fast it opens, for the default
// run and for a 30-day run of a 10,000-GPU lab (the default lab scaled: 1,250 nodes of 8, every
// demand and arrival rate times 10,000 / 4,096). Prints the file size, the time `fleetsim
// report` takes to write it, and, over several loads in the machine's headless Chromium
// (report/probe.cjs), the time from navigation start to every chart drawn and the CPU time of
// the page's main thread. The machine is shared, so the load average is printed too: wall time
// grows with others' load, CPU time much less. No assertions: docs/performance.md keeps figures.
//
// usage: report_bench [--loads N] [--only default|10k]

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

/** Runs a shell command; returns its stdout, or exits when it fails. */
std::string run(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
        std::fprintf(stderr, "cannot run: %s\n", command.c_str());
        std::exit(1);
    }
    char buf[4096];
    while (std::size_t n = fread(buf, 1, sizeof buf, pipe))
        out.append(buf, n);
    if (pclose(pipe) != 0) {
        std::fprintf(stderr, "failed: %s\n", command.c_str());
        std::exit(1);
    }
    return out;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double load_average() {
    std::ifstream in("/proc/loadavg");
    double one = 0;
    in >> one;
    return one;
}

struct Case {
    std::string name;
    std::vector<std::string> sets;
};

Case ten_thousand_gpus() {
    // The default lab (platforms/h100-lab.yaml, workloads/lab-mix.yaml) at 10,000 GPUs: demand
    // scales with the fleet so that the mix, and so the report's shape, stays the same.
    const double k = 10000.0 / 4096.0;
    auto scaled = [&](const char* key, double base) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s=%.4g", key, base * k);
        return std::string(buf);
    };
    return {"10k",
            {"platform.pools.h100-a.nodes=1250", "horizon_s=2592000",
             scaled("workload.classes.chat.demand_units_per_s", 1.543),
             scaled("workload.classes.coding.demand_units_per_s", 0.600),
             scaled("workload.classes.video-gen.demand_units_per_s", 5.47),
             scaled("workload.classes.llm-training.arrival_rate_per_h", 0.364),
             scaled("workload.classes.video-training.arrival_rate_per_h", 0.85)}};
}

void bench(const Case& c, int loads) {
    const std::string dir = std::string(FLEETSIM_BENCH_OUT) + "/" + c.name;
    std::string command = std::string(FLEETSIM_BINARY) + " run -q --out " + dir;
    for (const auto& s : c.sets)
        command += " --set " + s;
    std::printf("%s: %s\n", c.name.c_str(), command.c_str());
    run(command);

    std::vector<double> write_s;
    for (int i = 0; i < 3; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        run(std::string(FLEETSIM_BINARY) + " report -q " + dir);
        write_s.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    const std::string html = dir + "/report.html";
    const auto bytes = fs::file_size(html);
    const auto summary = nlohmann::json::parse(std::ifstream(dir + "/summary.json"));
    std::printf(
        "  %s GPUs, %.0f days; report.html %.2f MB (%ju bytes); fleetsim report writes "
        "it in %.2f s (median of 3)\n",
        summary["fleet"]["gpus"].dump().c_str(), summary["horizon_s"].get<double>() / 86400,
        bytes / 1e6, static_cast<std::uintmax_t>(bytes), median(write_s));

    const double load_before = load_average();
    const auto seen = nlohmann::json::parse(run(
        std::string(FLEETSIM_NODE) + " " + FLEETSIM_SOURCE_DIR + "/report/probe.cjs --modules " +
        FLEETSIM_REPORT_NODE_MODULES + " --html " + html + " --loads " + std::to_string(loads)));
    const double load_after = load_average();
    std::vector<double> ready, cpu, libs, paint;
    for (const auto& l : seen["loads_ms"]) {
        ready.push_back(l["ready_ms"].get<double>());
        cpu.push_back(l["main_thread_cpu_ms"].get<double>());
        libs.push_back(l["timing"]["script_start_ms"].get<double>());
        paint.push_back(l.value("first_contentful_paint_ms", -1.0));
    }
    std::printf(
        "  %d loads in headless Chromium: every chart drawn at median %.0f ms (min %.0f, "
        "max %.0f) after navigation start; page main-thread CPU median %.0f ms; first paint "
        "(headline) at median %.0f ms; libraries parsed at median %.0f ms; console errors %zu; "
        "load average %.1f -> %.1f\n",
        loads, median(ready), *std::min_element(ready.begin(), ready.end()),
        *std::max_element(ready.begin(), ready.end()), median(cpu), median(paint), median(libs),
        seen["console_errors"].size(), load_before, load_after);
}

}  // namespace

int main(int argc, char** argv) {
    int loads = 5;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--loads") && i + 1 < argc)
            loads = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else {
            std::fprintf(stderr, "usage: report_bench [--loads N] [--only default|10k]\n");
            return 2;
        }
    }
    for (const Case& c : {Case{"default", {}}, ten_thousand_gpus()}) {
        if (only.empty() || only == c.name)
            bench(c, loads);
    }
    return 0;
}
