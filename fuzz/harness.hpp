#pragma once
// The fuzz targets' shared part (docs/testing.md, "Fuzzing"). Each target feeds bytes to one of
// fleetsim's real parser entry points, the one `fleetsim run`, `validate`, `sweep`, `report` or
// `trace` calls. Bad input must end as the bad-input exceptions main() maps to exit 2
// (InputError, InputErrors, CsvError and so TraceError): guarded() swallows those and lets
// anything else escape, so that libFuzzer (or fleetsim_fuzz_replay) reports it as a crash, as
// it does a sanitizer report, a leak or an input slower than its -timeout.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsim::fuzz {

/** A fuzz target: one input, returns 0 (libFuzzer's convention). */
using Target = int (*)(const std::uint8_t* data, std::size_t size);

struct TargetEntry {
    const char* name;  ///< fuzz_<name> is its libFuzzer binary, fuzz/regressions/<name>/ its inputs
    Target run;
};

/** Every target, in the order docs/testing.md lists them. */
const std::vector<TargetEntry>& targets();

/**
 * The process's scratch folder: a copy of the repository's scenarios/, platforms/, workloads/
 * and fuzz/fixtures/ (so that the shipped files' relative paths resolve), made on first use and
 * removed at exit. Inputs are written into it, as the parsers read files.
 */
const std::string& scratch();

/** Writes `text` to scratch()/`relative` (replacing it) and returns the full path. */
std::string put(const std::string& relative, std::string_view text);

/** The bytes as text. */
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/** Runs `f`; bad-input exceptions end it quietly, anything else escapes. */
void guarded(const std::function<void()>& f);

// The targets (config_targets.cpp, report_targets.cpp, trace_targets.cpp).
int scenario(const std::uint8_t* data, std::size_t size);
int platform(const std::uint8_t* data, std::size_t size);
int workload(const std::uint8_t* data, std::size_t size);
int sweep(const std::uint8_t* data, std::size_t size);
int summary_json(const std::uint8_t* data, std::size_t size);
int report_run_csv(const std::uint8_t* data, std::size_t size);
int report_sweep(const std::uint8_t* data, std::size_t size);
int trace_swf(const std::uint8_t* data, std::size_t size);
int trace_itp(const std::uint8_t* data, std::size_t size);
int trace_batsim(const std::uint8_t* data, std::size_t size);
int trace_csv(const std::uint8_t* data, std::size_t size);
int trace_azure(const std::uint8_t* data, std::size_t size);
int trace_mooncake(const std::uint8_t* data, std::size_t size);

}  // namespace fleetsim::fuzz
