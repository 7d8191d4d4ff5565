#pragma once
// A sweep file (docs/sweeps.md) read into a plan: the base scenario, the overrides every point
// shares, and the list of points, each a value per swept dotted key plus a seed. The plan is a
// pure function of the sweep file and the base scenario's bytes, so every process that reads
// the same files (each MPI rank, each shard of a job array, a resumed run) numbers the points
// the same way and computes the same fingerprint.

#include "sim/config/scenario_loader.hpp"

#include <cstdint>
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

    /** The overrides of one point: `set`, the swept values, then the seed. */
    std::vector<Override> overrides(const SweepPoint& point) const;
};

/**
 * Reads and checks a sweep file, loads its base scenario (which must be valid with `set`
 * applied) and enumerates the points. Bad input is an InputError at file:line with the key.
 */
SweepPlan load_sweep(const std::string& path);

/** The keys of a sweep file (docs/sweeps.md lists each). */
const std::vector<std::string>& sweep_file_keys();

/** Column names the points table reserves; a swept key may not take one of them. */
const std::vector<std::string>& reserved_columns();

}  // namespace fleetsim::sweep
