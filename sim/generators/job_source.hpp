#pragma once
// Batch job arrivals: one stream per class, merged in time order. A generated class is a
// Poisson stream (non-homogeneous through thinning against the rate profile) with its own
// seeded random streams; a class with a `trace` replays its log, read as it goes
// (sim/traces/job_replay.hpp). No SimGrid here: the engine and the offline hindsight bound
// draw the same jobs from the same seed.

#include "sim/config/spec.hpp"
#include "sim/generators/random.hpp"
#include "sim/generators/rate_profile.hpp"
#include "sim/model/state.hpp"
#include "sim/traces/job_replay.hpp"

#include <limits>
#include <memory>
#include <vector>

namespace fleetsim {

class JobSource {
public:
    JobSource(const ScenarioSpec& scenario);

    /** Time of the next arrival (infinity when none is left before the horizon). */
    double next_time() const { return next_time_; }
    /** Builds the next job (without an id) and advances to the one after. */
    Job pop();

private:
    struct Stream {
        ClassId cls;
        const BatchSpec* spec;
        RateProfile profile;
        RandomStream arrivals;
        RandomStream sizes;
        double next_s = std::numeric_limits<double>::infinity();
        long long generated = 0;
        std::unique_ptr<JobReplay> replay;  ///< a class with a trace
        ReplayJob replayed;                 ///< its next job
    };
    void advance(Stream& s);
    void find_next();

    double horizon_s_;
    std::vector<Stream> streams_;
    double next_time_ = std::numeric_limits<double>::infinity();
    std::size_t next_stream_ = 0;
};

}  // namespace fleetsim
