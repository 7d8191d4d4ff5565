#pragma once
// Batch job arrivals: one stream per class, merged in time order. A generated class is a
// Poisson stream (non-homogeneous through thinning against the rate profile) with its own
// seeded random streams; a class with a `trace` replays its log, read as it goes
// (sim/traces/job_replay.hpp). No SimGrid here: the engine and the offline hindsight bound
// draw the same jobs from the same seed.

#include "sim/config/spec.hpp"
#include "sim/generators/random.hpp"
#include "sim/generators/rate_profile.hpp"
#include "sim/traces/job_replay.hpp"

#include <limits>
#include <memory>
#include <vector>

namespace fleetsim {

/** One batch job as drawn: the engine submits it as a Job (waiting_job() in sim/model/state.hpp)
    and the hindsight bound schedules it in its LP. */
struct JobArrival {
    int cls = 0;  ///< index of its class in workload.classes (a ClassId once in the model)
    double submit_s = 0;
    int gpus = 1;
    double work_ref_gpu_s = 0;           ///< whole gang's work, in reference-GPU seconds
    double value_usd_per_ref_gpu_h = 0;  ///< revenue per reference GPU-hour of work
    double value_usd_per_job = 0;        ///< > 0 when the class is paid per completed job
    double requested_s = -1;      ///< replayed logs: requested run time (reference GPU); -1 none
    double recorded_wait_s = -1;  ///< replayed logs: the wait the log recorded; -1 none
};

class JobSource {
public:
    JobSource(const ScenarioSpec& scenario);

    /** Time of the next arrival (infinity when none is left before the horizon). */
    double next_time() const { return next_time_; }
    /** Draws the next job and advances to the one after. */
    JobArrival pop();

private:
    struct Stream {
        int cls;
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
