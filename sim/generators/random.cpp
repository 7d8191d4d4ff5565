#include "sim/generators/random.hpp"

#include <cmath>
#include <numbers>

namespace fleetsim {

std::uint64_t derive_seed(std::uint64_t seed, const std::string& stream_name) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : stream_name) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (h | 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

RandomStream::RandomStream(std::uint64_t seed, const std::string& stream_name)
    : engine_(derive_seed(seed, stream_name)) {}

double RandomStream::uniform01() {
    // 53 random bits, shifted by half a step: values in (0, 1).
    return (static_cast<double>(engine_() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

double RandomStream::exponential(double mean) {
    return -mean * std::log(uniform01());
}

double RandomStream::normal() {
    // Box-Muller; one value per call keeps the stream simple to reason about.
    const double u1 = uniform01();
    const double u2 = uniform01();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double RandomStream::sample(const DistributionSpec& d) {
    switch (d.shape) {
        case DistributionSpec::Shape::constant:
            return d.value;
        case DistributionSpec::Shape::exponential:
            return exponential(d.mean);
        case DistributionSpec::Shape::lognormal: {
            // mean = exp(mu + sigma^2 / 2), so mu = ln(mean) - sigma^2 / 2.
            const double mu = std::log(d.mean) - d.sigma * d.sigma / 2;
            return std::exp(mu + d.sigma * normal());
        }
        case DistributionSpec::Shape::uniform:
            return d.low + (d.high - d.low) * uniform01();
        case DistributionSpec::Shape::empirical: {
            double total = 0;
            for (std::size_t i = 0; i < d.values.size(); ++i)
                total += d.weights.empty() ? 1.0 : d.weights[i];
            double pick = uniform01() * total;
            for (std::size_t i = 0; i < d.values.size(); ++i) {
                pick -= d.weights.empty() ? 1.0 : d.weights[i];
                if (pick <= 0)
                    return d.values[i];
            }
            return d.values.back();
        }
    }
    return 0;
}

}  // namespace fleetsim
