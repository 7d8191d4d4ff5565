#pragma once
// A sweep file (docs/sweeps.md) read into a plan: the base scenario, the overrides every point
// shares, and the list of points, each a value per swept dotted key plus a seed. The plan is a
// pure function of the sweep file and the base scenario's bytes, so every process that reads
// the same files (each MPI rank, each shard of a job array, a resumed run) numbers the points
// the same way and computes the same fingerprint.

#include "sim/config/scenario_loader.hpp"
#include "sim/stats/statistics.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace fleetsim::sweep {

/** One value of one swept key. */
struct SweptValue {
    /** How the database stores it: the YAML scalar's type, or the flow text of a collection. */
    enum class Kind { integer, real, text };
    Kind kind = Kind::text;
    long long integer = 0;
    double real = 0;
    std::string text;           ///< Kind::text: the string (flow YAML for a list or a mapping)
    std::string override_text;  ///< what `fleetsim run --set KEY=` receives (a YAML value)
    SourceSpan where;           ///< where the sweep file wrote it (a list element, a range)

    /** The value as the database's exports write it (points.csv, results.csv). */
    std::string csv_text() const;
};

/** One run of the base scenario. */
struct SweepPoint {
    long long id = 0;                ///< index in enumeration order (docs/sweeps.md)
    std::vector<SweptValue> values;  ///< one per SweepPlan::keys, same order
    std::uint64_t seed = 0;
    int replication = 0;
    std::string point_key;  ///< 16 hex digits: hash of the values and the seed
};

struct SweepPlan {
    std::string name;
    std::string sweep_file;
    std::string base;                ///< path of the base scenario as opened (or builtin:...)
    std::vector<Override> fixed;     ///< the `set:` overrides, applied before the swept ones
    std::vector<std::string> keys;   ///< swept dotted keys, in order of first appearance
    std::vector<SweepPoint> points;  ///< in id order
    bool keep_point_outputs = false;
    /** 16 hex digits over the base scenario's bytes, `set`, keys and every point: two plans
     * with the same fingerprint run the same simulations. */
    std::string fingerprint;
    /** 16 hex digits over fleetsim's version, the base scenario's bytes, `set` and the keys: two
     * plans with the same base fingerprint differ at most in their points (a sweep that grew). */
    std::string base_fingerprint;
    /** The baseline, the keys that follow it, and the one-at-a-time and sample designs, as the
     * statistics use them (keys by index, values as the exports write them). */
    Analysis analysis;

    /** The overrides of one point: `set`, the swept values, then the seed. */
    std::vector<Override> overrides(const SweepPoint& point) const;
};

/**
 * A check of one setting's loaded scenario beyond the loader's (fleetsim passes the policy
 * registry's: the policy's name and parameters). Throws InputError on a problem.
 */
using ScenarioCheck = std::function<void(const ScenarioSpec&)>;

/**
 * Reads and checks a sweep file, loads its base scenario (which must be valid with `set`
 * applied) and enumerates the points. Then every setting (a point without its seed) is loaded
 * as its point would be, and checked by `check` when given, so that a value the scenario
 * rejects stops the sweep before anything runs. Bad input is an InputError (or InputErrors)
 * at file:line with the key, for a setting at the line of the value that makes it fail.
 */
SweepPlan load_sweep(const std::string& path, const ScenarioCheck& check = {});

/** The keys of a sweep file (docs/sweeps.md lists each). */
const std::vector<std::string>& sweep_file_keys();

/** Column names the points table reserves; a swept key may not take one of them. */
const std::vector<std::string>& reserved_columns();

}  // namespace fleetsim::sweep
