#include "sim/generators/failure_source.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fleetsim {

double weibull_mean_factor(double shape) {
    return std::tgamma(1.0 + 1.0 / shape);
}

struct FailureSource::Process {
    virtual ~Process() = default;
    virtual double next_time() const = 0;
    virtual FailureEvent pop() = 0;
};

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

/**
 * The failures of `components` identical components (the GPUs, the nodes or the racks of one
 * pool) under one failure mode, and the repair time of each.
 */
class RenewalProcess final : public FailureSource::Process {
public:
    RenewalProcess(const ScenarioSpec& s,
                   FailureCause cause,
                   int pool,
                   long long components,
                   int gpus_per_node,
                   const FailureModeSpec& mode)
        : cause_(cause),
          pool_(pool),
          components_(components),
          gpus_per_node_(gpus_per_node),
          mode_(mode),
          horizon_s_(s.horizon_s),
          mean_s_(mode.mtbf_h * 3600.0),
          scale_s_(mean_s_ / weibull_mean_factor(mode.weibull_shape)),
          times_(s.seed,
                 std::string("failures:") + to_string(cause) + ":" +
                     s.platform.pools[static_cast<std::size_t>(pool)].name),
          repairs_(s.seed,
                   std::string("repairs:") + to_string(cause) + ":" +
                       s.platform.pools[static_cast<std::size_t>(pool)].name) {
        if (components_ <= 0) {
            next_s_ = kInfinity;
        } else if (exponential()) {
            next_s_ = times_.exponential(mean_s_ / static_cast<double>(components_));
        } else {
            // One clock per component, in component order, so the draws do not depend on the
            // heap's layout.
            for (long long c = 0; c < components_; ++c)
                clocks_.push({weibull(), c});
            next_s_ = clocks_.top().first;
        }
        if (next_s_ >= horizon_s_)
            next_s_ = kInfinity;
    }

    double next_time() const override { return next_s_; }

    FailureEvent pop() override {
        FailureEvent e;
        e.t_s = next_s_;
        e.cause = cause_;
        e.pool = pool_;
        long long component = 0;
        if (exponential()) {
            // Which of the n components failed: uniform, from the same stream as the times.
            component = std::min(
                components_ - 1,
                static_cast<long long>(times_.uniform01() * static_cast<double>(components_)));
            next_s_ += times_.exponential(mean_s_ / static_cast<double>(components_));
        } else {
            component = clocks_.top().second;
            clocks_.pop();
            clocks_.push({e.t_s + weibull(), component});
            next_s_ = clocks_.top().first;
        }
        if (cause_ == FailureCause::gpu) {
            e.first = static_cast<int>(component / gpus_per_node_);
            e.gpu = static_cast<int>(component % gpus_per_node_);
        } else {
            e.first = static_cast<int>(component);
        }
        e.duration_s = repairs_.sample(mode_.repair_s);
        if (next_s_ >= horizon_s_)
            next_s_ = kInfinity;
        return e;
    }

private:
    bool exponential() const { return mode_.weibull_shape == 1.0; }
    double weibull() {
        // Inverse transform: scale x (-ln U)^(1/k), mean = scale x Gamma(1 + 1/k).
        return scale_s_ * std::pow(-std::log(times_.uniform01()), 1.0 / mode_.weibull_shape);
    }

    using Clock = std::pair<double, long long>;  ///< next failure, component
    FailureCause cause_;
    int pool_;
    long long components_;
    int gpus_per_node_;
    FailureModeSpec mode_;
    double horizon_s_;
    double mean_s_;
    double scale_s_;
    RandomStream times_;
    RandomStream repairs_;
    std::priority_queue<Clock, std::vector<Clock>, std::greater<>> clocks_;
    double next_s_ = kInfinity;
};

/** Events known in advance (maintenance windows, a failure log), in time order. */
class ScheduledEvents final : public FailureSource::Process {
public:
    ScheduledEvents(std::vector<FailureEvent> events, double horizon_s)
        : events_(std::move(events)), horizon_s_(horizon_s) {
        std::stable_sort(
            events_.begin(), events_.end(),
            [](const FailureEvent& a, const FailureEvent& b) { return a.t_s < b.t_s; });
    }
    double next_time() const override {
        return at_ < events_.size() && events_[at_].t_s < horizon_s_ ? events_[at_].t_s : kInfinity;
    }
    FailureEvent pop() override { return events_[at_++]; }

private:
    std::vector<FailureEvent> events_;
    double horizon_s_;
    std::size_t at_ = 0;
};

const PoolSpec& pool_named(const PlatformSpec& p, const std::string& name, int& index) {
    for (std::size_t i = 0; i < p.pools.size(); ++i) {
        if (p.pools[i].name == name) {
            index = static_cast<int>(i);
            return p.pools[i];
        }
    }
    throw std::logic_error("failure model names an unknown pool '" + name + "'");
}

/** A failure log's rows as events: rows of one event (same `event`, time, cause and duration)
    take their nodes down together. */
std::vector<FailureEvent> log_events(const PlatformSpec& p) {
    std::vector<int> first_node;
    int nodes = 0;
    for (const auto& pool : p.pools) {
        first_node.push_back(nodes);
        nodes += pool.nodes;
    }
    std::vector<FailureEvent> out;
    long long last_event = -1;
    for (const auto& row : p.failures.log_rows) {
        const int node = first_node[static_cast<std::size_t>(row.pool)] + row.node;
        const bool joins = !out.empty() && row.event >= 0 && row.event == last_event &&
                           out.back().t_s == row.t_s && out.back().duration_s == row.duration_s &&
                           out.back().cause == row.cause;
        if (joins) {
            out.back().nodes.push_back(node);
            continue;
        }
        FailureEvent e;
        e.t_s = row.t_s;
        e.cause = row.cause;
        e.pool = -1;
        e.gpu = row.gpu;
        e.duration_s = row.duration_s;
        e.nodes = {node};
        out.push_back(std::move(e));
        last_event = row.event;
    }
    return out;
}

}  // namespace

FailureSource::FailureSource(const ScenarioSpec& s) : horizon_s_(s.horizon_s) {
    const FailureSpec& f = s.platform.failures;
    // GPU failures, pool by pool (in platform order) for each GPU type given.
    for (std::size_t i = 0; i < s.platform.pools.size(); ++i) {
        const PoolSpec& pool = s.platform.pools[i];
        for (const auto& g : f.gpu_types) {
            if (g.gpu_type != pool.gpu_type)
                continue;
            processes_.push_back(std::make_unique<RenewalProcess>(
                s, FailureCause::gpu, static_cast<int>(i),
                static_cast<long long>(pool.nodes) * pool.gpus_per_node, pool.gpus_per_node,
                g.mode));
        }
    }
    for (const auto& pf : f.pools) {
        int index = 0;
        const PoolSpec& pool = pool_named(s.platform, pf.pool, index);
        if (pf.node)
            processes_.push_back(std::make_unique<RenewalProcess>(
                s, FailureCause::node, index, pool.nodes, pool.gpus_per_node, *pf.node));
        if (pf.rack) {
            // FleetTopology's racks: nodes_per_rack consecutive nodes, the last rack partial.
            const long long racks = (pool.nodes + pool.nodes_per_rack - 1) / pool.nodes_per_rack;
            processes_.push_back(std::make_unique<RenewalProcess>(
                s, FailureCause::rack, index, racks, pool.gpus_per_node, *pf.rack));
        }
    }
    if (!f.maintenance.empty()) {
        std::vector<FailureEvent> windows;
        for (const auto& m : f.maintenance) {
            FailureEvent e;
            e.t_s = m.start_s;
            e.cause = FailureCause::maintenance;
            (void)pool_named(s.platform, m.pool, e.pool);
            e.first = m.first_node;
            e.count = m.nodes;
            e.duration_s = m.duration_s;
            windows.push_back(e);
        }
        processes_.push_back(std::make_unique<ScheduledEvents>(std::move(windows), horizon_s_));
    }
    if (!f.log_rows.empty())
        processes_.push_back(std::make_unique<ScheduledEvents>(log_events(s.platform), horizon_s_));
    find_next();
}

FailureSource::~FailureSource() = default;
FailureSource::FailureSource(FailureSource&&) noexcept = default;
FailureSource& FailureSource::operator=(FailureSource&&) noexcept = default;

void FailureSource::find_next() {
    next_time_ = kInfinity;
    for (std::size_t i = 0; i < processes_.size(); ++i) {
        const double t = processes_[i]->next_time();
        if (t < next_time_) {
            next_time_ = t;
            next_process_ = i;
        }
    }
}

FailureEvent FailureSource::pop() {
    FailureEvent e = processes_[next_process_]->pop();
    find_next();
    return e;
}

}  // namespace fleetsim
