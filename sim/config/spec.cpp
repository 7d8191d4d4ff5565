#include "sim/config/spec.hpp"

namespace fleetsim {

const char* to_string(Family f) {
    return f == Family::llm ? "llm" : "video";
}
const char* to_string(Kind k) {
    return k == Kind::service ? "service" : "batch";
}

double DistributionSpec::mean_value() const {
    switch (shape) {
        case Shape::constant:
            return value;
        case Shape::exponential:
        case Shape::lognormal:
            return mean;
        case Shape::uniform:
            return (low + high) / 2;
        case Shape::empirical: {
            double total_w = 0, sum = 0;
            for (std::size_t i = 0; i < values.size(); ++i) {
                double w = weights.empty() ? 1.0 : weights[i];
                total_w += w;
                sum += w * values[i];
            }
            return total_w > 0 ? sum / total_w : 0;
        }
    }
    return 0;
}

}  // namespace fleetsim
