#pragma once
// Seeded randomness. Every generator gets its own stream derived from (scenario seed, stream
// name), so adding a class or reordering them does not change the others' draws, and the same
// seed gives the same numbers on every machine: std::mt19937_64 is fully specified, and the
// samplers below are written out instead of using std::*_distribution (whose algorithms differ
// between standard libraries).

#include "sim/config/spec.hpp"

#include <cstdint>
#include <random>
#include <string>

namespace fleetsim {

class RandomStream {
public:
    RandomStream(std::uint64_t seed, const std::string& stream_name);

    /** Uniform in (0, 1): never exactly 0, so logs are safe. */
    double uniform01();
    double exponential(double mean);
    double normal();
    double sample(const DistributionSpec& d);

private:
    std::mt19937_64 engine_;
};

/** SplitMix64 of the seed and an FNV-1a hash of the name. */
std::uint64_t derive_seed(std::uint64_t seed, const std::string& stream_name);

}  // namespace fleetsim
