#include "policies/fleet_block.hpp"

#include "policies/registry.hpp"

#include <algorithm>
#include <stdexcept>

namespace fleetsim {
namespace {

/** The whole scenario cut down to a block: its pools' nodes, its classes, its policy. */
ScenarioSpec block_scenario(const ScenarioSpec& whole, const BlockSpec& block) {
    ScenarioSpec s = whole;
    s.resolved_yaml.clear();
    s.platform.pools.clear();
    std::vector<std::string> pool_names;
    for (const auto& n : block.nodes) {
        PoolSpec pool = whole.platform.pools.at(static_cast<std::size_t>(n.pool));
        pool.nodes = n.count;
        pool_names.push_back(pool.name);
        s.platform.pools.push_back(pool);
    }
    s.workload.classes.clear();
    for (const auto& c : whole.workload.classes) {
        if (std::find(block.classes.begin(), block.classes.end(), c.name) == block.classes.end())
            continue;
        WorkloadClassSpec here = c;
        // The pools the class may use, in its own order, among the block's.
        const std::vector<std::string>& wanted = c.pools.empty() ? pool_names : c.pools;
        here.pools.clear();
        for (const auto& p : wanted) {
            if (std::find(pool_names.begin(), pool_names.end(), p) != pool_names.end())
                here.pools.push_back(p);
        }
        if (here.pools.empty())
            throw std::logic_error("block " + block.name + ": class " + c.name +
                                   " may use none of the block's pools");
        s.workload.classes.push_back(std::move(here));
    }
    s.policy = block.policy;
    return s;
}

}  // namespace

FleetBlock::FleetBlock(const ScenarioSpec& whole, BlockSpec block)
    : block_(std::move(block)),
      spec_(std::make_unique<ScenarioSpec>(block_scenario(whole, block_))),
      inner_(PolicyRegistry::instance().create(*spec_)),
      view_(std::make_unique<SchedulerState>(*spec_, inner_.placement)) {
    view_class_.assign(whole.workload.classes.size(), -1);
    for (const auto& c : view_->classes) {
        ClassId w = -1;
        for (std::size_t i = 0; i < whole.workload.classes.size(); ++i) {
            if (whole.workload.classes[i].name == c.name)
                w = static_cast<ClassId>(i);
        }
        whole_class_.push_back(w);
        view_class_[static_cast<std::size_t>(w)] = c.id;
    }
    // Pools are numbered and their nodes laid out in platform order (Fleet's constructor).
    std::vector<int> pool_first_node;
    int node = 0;
    for (const auto& p : whole.platform.pools) {
        pool_first_node.push_back(node);
        node += p.nodes;
    }
    for (const auto& n : block_.nodes) {
        whole_pool_.push_back(n.pool);
        whole_first_node_.push_back(pool_first_node[static_cast<std::size_t>(n.pool)] + n.first);
    }
    // Work done by a running job is the whole state's figure (the engine's, from SimGrid).
    view_->progress_probe = [this](const Job& j) {
        return whole_->progress_probe(whole_->job(whole_job_[static_cast<std::size_t>(j.id)]));
    };
}

std::vector<std::pair<int, int>> FleetBlock::whole_parts(const Allocation& view_alloc) const {
    const Pool& pool = view_->fleet.pool(view_alloc.pool);
    const int offset = whole_first_node_[static_cast<std::size_t>(view_alloc.pool)] -
                       pool.first_node;
    std::vector<std::pair<int, int>> parts;
    parts.reserve(view_alloc.parts.size());
    for (const auto& [n, gpus] : view_alloc.parts)
        parts.emplace_back(n + offset, gpus);
    return parts;
}

void FleetBlock::decide(const SchedulerState& whole, Decisions& out) {
    whole_ = &whole;
    view_->now_s = whole.now_s;
    view_->tick_s = whole.tick_s;
    // In the engine's order: completions free GPUs, then arrivals join the queues.
    pull_completions(whole);
    pull_submissions(whole, out);
    pull_services(whole);
    Decisions view_out(*view_);
    view_out.observe([this, &out](const Decisions::Change& c) { mirror(c, out); });
    inner_.policy->decide(*view_, view_out);
    check_holdings(whole);
}

void FleetBlock::pull_completions(const SchedulerState& whole) {
    std::vector<JobId> done;
    for (const auto& c : view_->classes) {
        for (JobId id : c.running) {
            const Job& w = whole.job(whole_job_[static_cast<std::size_t>(id)]);
            if (w.status == JobStatus::completed) {
                done.push_back(id);
            } else if (w.status != JobStatus::running) {
                throw std::logic_error("block " + block_.name + ": job " + std::to_string(w.id) +
                                       " became " + to_string(w.status) +
                                       " outside the policy, which a block does not follow");
            }
        }
    }
    // In job order, as the engine completes them, so the view's nodes free in the same order.
    std::sort(done.begin(), done.end());
    for (JobId id : done)
        view_->complete(id);
}

void FleetBlock::pull_submissions(const SchedulerState& whole, Decisions& out) {
    for (; seen_jobs_ < whole.jobs.size(); ++seen_jobs_) {
        const Job& w = whole.jobs[seen_jobs_];
        const ClassId v = view_class_[static_cast<std::size_t>(w.cls)];
        if (v < 0)
            continue;
        Job j = w;
        j.cls = v;
        j.alloc = Allocation{};
        const JobId id = view_->submit(j);
        if (static_cast<std::size_t>(id) != whole_job_.size())
            throw std::logic_error("block " + block_.name + ": view job ids out of step");
        whole_job_.push_back(w.id);
        if (w.status == JobStatus::rejected) {
            view_->reject(id, w.reject_reason);  // the engine refused it: the view follows
        } else if (w.status != JobStatus::waiting) {
            throw std::logic_error("block " + block_.name + ": job " + std::to_string(w.id) +
                                   " was " + to_string(w.status) + " before its block saw it");
        } else if (!view_->could_ever_fit(view_->job(id))) {
            // As the engine refuses a gang larger than every pool: here, than the block.
            const std::string reason = "gang of " + std::to_string(w.gpus) +
                                       " GPUs is larger than the class's pools in block " +
                                       block_.name;
            view_->reject(id, reason);
            out.reject(w.id, reason);
        }
    }
}

void FleetBlock::pull_services(const SchedulerState& whole) {
    for (auto& c : view_->classes) {
        if (c.kind != Kind::service)
            continue;
        const ClassState& w = whole.cls(whole_class_[static_cast<std::size_t>(c.id)]);
        c.demand_units_per_s = w.demand_units_per_s;
        c.backlog_units = w.backlog_units;
    }
}

void FleetBlock::mirror(const Decisions::Change& change, Decisions& out) {
    using What = Decisions::Change::What;
    if (change.what == What::service) {
        const ClassState& c = view_->cls(change.service);
        const Allocation& held = c.service_alloc[static_cast<std::size_t>(change.pool)];
        const int pool = whole_pool_[static_cast<std::size_t>(change.pool)];
        const std::vector<std::pair<int, int>> parts =
            held.gpus > 0 ? whole_parts(held) : std::vector<std::pair<int, int>>{};
        if (!out.set_service_parts(whole_class_[static_cast<std::size_t>(c.id)], pool, parts))
            throw std::logic_error("block " + block_.name + ": service " + c.name +
                                   " given GPUs that are not free in the fleet");
        return;
    }
    const Job& j = view_->job(change.job);
    const JobId w = whole_job_[static_cast<std::size_t>(j.id)];
    if (change.what == What::start) {
        const int pool = whole_pool_[static_cast<std::size_t>(change.pool)];
        if (!out.start_on(w, pool, whole_parts(j.alloc)))
            throw std::logic_error("block " + block_.name + ": job " + std::to_string(w) +
                                   " started on GPUs that are not free in the fleet");
    } else if (change.what == What::preempt) {
        out.preempt(w);
    } else {
        out.reject(w, j.reject_reason);
    }
}

void FleetBlock::check_holdings(const SchedulerState& whole) const {
    // Each class is wholly in this block: the view and the fleet must agree on what it holds.
    for (const auto& c : view_->classes) {
        const ClassState& w = whole.cls(whole_class_[static_cast<std::size_t>(c.id)]);
        if (c.gpus_held != w.gpus_held || c.waiting.size() != w.waiting.size())
            throw std::logic_error("block " + block_.name + ": class " + c.name + " holds " +
                                   std::to_string(c.gpus_held) + " GPUs with " +
                                   std::to_string(c.waiting.size()) + " jobs waiting in the " +
                                   "view, " + std::to_string(w.gpus_held) + " and " +
                                   std::to_string(w.waiting.size()) + " in the fleet");
    }
}

}  // namespace fleetsim
