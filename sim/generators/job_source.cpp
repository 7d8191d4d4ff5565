#include "sim/generators/job_source.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fleetsim {

JobSource::JobSource(const ScenarioSpec& scenario) : horizon_s_(scenario.horizon_s) {
    for (std::size_t i = 0; i < scenario.workload.classes.size(); ++i) {
        const auto& c = scenario.workload.classes[i];
        if (c.kind != Kind::batch)
            continue;
        Stream s{static_cast<int>(i),
                 &c.batch,
                 RateProfile(c.batch.profile),
                 RandomStream(scenario.seed, "arrivals:" + c.name),
                 RandomStream(scenario.seed, "sizes:" + c.name),
                 0,
                 0,
                 nullptr,
                 ReplayJob{}};
        if (c.batch.trace)
            s.replay = std::make_unique<JobReplay>(*c.batch.trace, c.batch.trace_scan.cap_gpus);
        s.next_s = 0;
        advance(s);
        streams_.push_back(std::move(s));
    }
    find_next();
}

void JobSource::advance(Stream& s) {
    if (s.replay) {
        const bool exhausted = s.spec->max_jobs >= 0 && s.generated >= s.spec->max_jobs;
        if (!exhausted && s.replay->next(s.replayed) && s.replayed.submit_s < horizon_s_)
            s.next_s = s.replayed.submit_s;
        else
            s.next_s = std::numeric_limits<double>::infinity();
        return;
    }
    const double base_per_s = s.spec->arrival_rate_per_h / 3600.0;
    const bool exhausted = s.spec->max_jobs >= 0 && s.generated >= s.spec->max_jobs;
    if (base_per_s <= 0 || exhausted) {
        s.next_s = std::numeric_limits<double>::infinity();
        return;
    }
    // Thinning (Lewis and Shedler, 1979): candidates at the peak rate, kept with
    // probability rate(t) / peak rate.
    const double peak = base_per_s * s.profile.max_factor();
    double t = s.next_s;
    while (true) {
        t += s.arrivals.exponential(1.0 / peak);
        if (t >= horizon_s_) {
            s.next_s = std::numeric_limits<double>::infinity();
            return;
        }
        if (s.profile.max_factor() == 1.0 ||
            s.arrivals.uniform01() * s.profile.max_factor() <= s.profile.factor(t))
            break;
    }
    s.next_s = t;
}

void JobSource::find_next() {
    next_time_ = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < streams_.size(); ++i) {
        if (streams_[i].next_s < next_time_) {
            next_time_ = streams_[i].next_s;
            next_stream_ = i;
        }
    }
}

JobArrival JobSource::pop() {
    Stream& s = streams_[next_stream_];
    const BatchSpec& b = *s.spec;
    JobArrival j;
    j.cls = s.cls;
    j.submit_s = s.next_s;
    if (s.replay) {
        j.gpus = s.replayed.gpus;
        j.work_ref_gpu_s = s.replayed.run_s * j.gpus;
        j.requested_s = s.replayed.requested_s;
        j.recorded_wait_s = s.replayed.recorded_wait_s;
    } else {
        // A draw from a long tail (lognormal) may pass any int: it saturates at the largest
        // int instead of wrapping, and no fleet holds that many GPUs (kMaxFleetGpus), so the
        // job waits like any gang larger than the fleet. A constant size is range-checked
        // where it is read.
        const double drawn =
            std::min(s.sizes.sample(b.gpus), static_cast<double>(std::numeric_limits<int>::max()));
        j.gpus = std::max(1, static_cast<int>(std::lround(drawn)));
        const double work = s.sizes.sample(b.work);
        j.work_ref_gpu_s = b.work_is_duration ? work * j.gpus : work * 3600.0;
    }
    if (b.value_basis == BatchSpec::Value::per_job) {
        j.value_usd_per_job = b.value_usd_per_job;
        j.value_usd_per_ref_gpu_h = b.value_usd_per_job / (j.work_ref_gpu_s / 3600.0);
    } else {
        j.value_usd_per_ref_gpu_h = b.value_usd_per_gpu_h;
    }
    s.generated += 1;
    advance(s);
    find_next();
    return j;
}

}  // namespace fleetsim
