// reserved: blocks of the fleet reserved for some classes, each scheduled by its own policy,
// and the rest of the fleet shared by the other classes under another.
//
// How planners often decide: "15% of the fleet for the video product, everything else by
// value". Each block in `blocks` names its classes (one, or a group), its share and the
// policy that runs inside it; `others` is the policy for the classes no block names, on the
// nodes no block holds. A block is a real partition: whole nodes, `share` of the nodes of
// every pool its classes may use (rounded to the nearest node; blocks take the last nodes of
// a pool, in the order listed, and the rest keeps the first ones), and its policy sees those
// nodes as its whole fleet and its classes as the whole workload (policies/fleet_block.hpp
// says how, without changing the policy). A reserved GPU stays idle when its block has no
// demand, however long other classes wait: that idle-while-waiting is the reservation's cost,
// and the opportunity-cost figures price it, since the shadow price of a pool is the value
// of demand waiting that may use the pool, whatever block holds its nodes.
// With no blocks, `reserved` is its `others` policy on the whole fleet (the same decisions,
// byte for byte: tests/scenarios/reserved_test.cpp).
// Source: capacity reservations and per-team virtual clusters beside a shared pool (Helios,
// Hu et al., SC'21; Kubernetes' ResourceQuota with a shared default namespace).
// Complexity per call: the inner policies' own, plus O(running jobs + new jobs) to follow the
// fleet.

#include "policies/fleet_block.hpp"
#include "policies/registry.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>

namespace fleetsim {
namespace {

constexpr const char* kDefaultPolicy = "opportunity-cost";

class Reserved final : public Policy {
public:
    explicit Reserved(std::vector<std::unique_ptr<FleetBlock>> blocks)
        : blocks_(std::move(blocks)) {}

    void decide(const SchedulerState& state, Decisions& out) override {
        for (auto& b : blocks_)
            b->decide(state, out);
    }

private:
    std::vector<std::unique_ptr<FleetBlock>> blocks_;
};

PolicyInfo info() {
    return {"reserved",
            "blocks of whole nodes reserved for some classes, each scheduled by its own policy; "
            "the other classes share the rest under another",
            "capacity reservations beside a shared pool (Helios virtual clusters, Hu et al., "
            "SC'21)",
            {{"blocks", "list of blocks", "[]", "",
              "each block a mapping: `classes` (a class or a list), `share` (fraction of the "
              "nodes of each pool its classes may use, rounded to whole nodes), `policy` "
              "(default opportunity-cost) and its `params`, optional `name`"},
             {"others", "mapping", "{policy: opportunity-cost}", "",
              "`policy` and `params` for the classes no block names, on the nodes no block "
              "holds"}}};
}

/** A block or `others` as written: classes, share, policy. */
struct BlockParams {
    std::string name;
    std::vector<std::string> classes;
    const ParamValue* classes_at = nullptr;
    double share = 0;
    const ParamValue* share_at = nullptr;
    PolicySpec policy;
    const ParamValue* at = nullptr;
};

/** `policy` and `params` of a block's mapping (or the defaults, placed at the mapping). */
PolicySpec inner_policy(const ParamValue& block, const ParamValue::Map& m) {
    PolicySpec p;
    p.name = kDefaultPolicy;
    p.name_where = block.where;
    if (auto it = m.find("policy"); it != m.end()) {
        p.name = param_text(it->second);
        p.name_where = it->second.where;
        if (p.name == "reserved")
            throw InputError(it->second.where, it->second.path,
                             "a block's policy cannot itself be reserved");
    }
    if (auto it = m.find("params"); it != m.end()) {
        p.params = it->second;
        // A mapping; its keys are the inner policy's to check, against the block.
        if (!std::holds_alternative<ParamValue::Map>(p.params.value))
            throw InputError(
                p.params.where, p.params.path,
                "expected a mapping of the policy's parameters, found " + describe_param(p.params));
    } else {
        p.params.value = ParamValue::Map{};
        p.params.where = block.where;
        p.params.path = block.path + ".params";
    }
    return p;
}

BlockParams read_block(const ParamValue& v, const ScenarioSpec& scenario) {
    const auto& m = param_map(v, {"name", "classes", "share", "policy", "params"});
    BlockParams b;
    b.at = &v;
    auto classes = m.find("classes");
    auto share = m.find("share");
    if (classes == m.end() || share == m.end())
        throw InputError(v.where, v.path,
                         std::string("expected a block with `classes` and `share`, missing ") +
                             (classes == m.end() ? "`classes`" : "`share`"));
    b.classes_at = &classes->second;
    b.share_at = &share->second;
    std::vector<std::string> known;
    for (const auto& c : scenario.workload.classes)
        known.push_back(c.name);
    for (const ParamValue* e : param_list(classes->second)) {
        const std::string name = param_text(*e);
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            const std::string hint = nearest_name(name, known);
            throw InputError(e->where, e->path,
                             "unknown class '" + name + "'" +
                                 (hint.empty() ? "" : ", did you mean '" + hint + "'?"));
        }
        b.classes.push_back(name);
    }
    if (b.classes.empty())
        throw InputError(classes->second.where, classes->second.path,
                         "expected at least one class, found an empty list");
    b.share = param_number(share->second);
    if (!(b.share > 0 && b.share <= 1))
        throw InputError(share->second.where, share->second.path,
                         fmt::format("expected a fraction in (0, 1], found {:g}", b.share));
    b.name = m.count("name") ? param_text(m.at("name")) : b.classes.front();
    if (!m.count("name") && b.classes.size() > 1)
        b.name += fmt::format("+{}", b.classes.size() - 1);
    b.policy = inner_policy(v, m);
    return b;
}

/** The pools (whole indices) that any of `classes` may use. */
std::set<int> pools_of(const ScenarioSpec& s, const std::vector<std::string>& classes) {
    std::set<int> out;
    for (const auto& c : s.workload.classes) {
        if (std::find(classes.begin(), classes.end(), c.name) == classes.end())
            continue;
        for (std::size_t p = 0; p < s.platform.pools.size(); ++p) {
            const auto& name = s.platform.pools[p].name;
            if (c.pools.empty() || std::find(c.pools.begin(), c.pools.end(), name) != c.pools.end())
                out.insert(static_cast<int>(p));
        }
    }
    return out;
}

/** Whether the block holds nodes of a pool that class `c` may use. */
bool has_node_for(const ScenarioSpec& s, const BlockSpec& block, const std::string& c) {
    const std::set<int> usable = pools_of(s, {c});
    return std::any_of(block.nodes.begin(), block.nodes.end(),
                       [&](const BlockNodes& n) { return usable.count(n.pool) > 0; });
}

std::unique_ptr<Policy> make(const ParamSet& params, const ScenarioSpec& scenario) {
    // A block mirrors its inner policy's decisions and refuses a job that became waiting
    // behind its back; a failure requeues jobs that way. Until blocks follow failures, the
    // combination is refused up front rather than stopping a run midway.
    if (scenario.platform.failures.enabled()) {
        throw InputError(scenario.policy.name_where, "policy.name",
                         "reserved does not yet work with a failure model (platform.failures): "
                         "use another policy, or run without failures");
    }
    // A block's view is cut from the platform at the start; a pool that comes online or
    // retires would change the fleet behind it (and a retirement requeues jobs as a failure).
    if (scenario.platform.fleet_changes()) {
        throw InputError(scenario.policy.name_where, "policy.name",
                         "reserved does not yet work with a fleet that changes over time (a "
                         "pool's online_at_s or retire_at_s): use another policy, or a fixed "
                         "fleet");
    }
    std::vector<BlockParams> blocks;
    if (const ParamValue* given = params.given("blocks")) {
        for (const ParamValue* v : param_list(*given))
            blocks.push_back(read_block(*v, scenario));
    }
    std::map<std::string, std::string> block_of;  // class -> the block that names it
    for (const auto& b : blocks) {
        for (const auto& c : b.classes) {
            auto [it, fresh] = block_of.emplace(c, b.name);
            if (!fresh)
                throw InputError(b.classes_at->where, b.classes_at->path,
                                 "class '" + c + "' is already in block " + it->second);
        }
    }
    // Each block takes round(share x nodes) of every pool its classes may use, from the end.
    const auto& pools = scenario.platform.pools;
    std::vector<int> left(pools.size());
    for (std::size_t p = 0; p < pools.size(); ++p)
        left[p] = pools[p].nodes;
    std::vector<std::unique_ptr<FleetBlock>> made;
    for (const auto& b : blocks) {
        BlockSpec spec{b.name, b.classes, {}, b.policy};
        for (int p : pools_of(scenario, b.classes)) {
            const auto& pool = pools[static_cast<std::size_t>(p)];
            const int count = static_cast<int>(std::lround(b.share * pool.nodes));
            if (count > left[static_cast<std::size_t>(p)])
                throw InputError(b.share_at->where, b.share_at->path,
                                 fmt::format("block {} wants {} of pool {}'s {} nodes, but only "
                                             "{} are left after the blocks before it",
                                             b.name, count, pool.name, pool.nodes,
                                             left[static_cast<std::size_t>(p)]));
            if (count == 0)
                continue;
            left[static_cast<std::size_t>(p)] -= count;
            spec.nodes.push_back({p, left[static_cast<std::size_t>(p)], count});
        }
        for (const auto& c : b.classes) {
            if (!has_node_for(scenario, spec, c))
                throw InputError(b.share_at->where, b.share_at->path,
                                 fmt::format("block {}: a share of {:g} gives class {} no whole "
                                             "node of the pools it may use",
                                             b.name, b.share, c));
        }
        made.push_back(std::make_unique<FleetBlock>(scenario, std::move(spec)));
    }
    // `others`: the classes no block names, on the nodes left.
    BlockSpec rest{"others", {}, {}, {}};
    for (const auto& c : scenario.workload.classes) {
        if (!block_of.count(c.name))
            rest.classes.push_back(c.name);
    }
    for (std::size_t p = 0; p < pools.size(); ++p) {
        if (left[p] > 0)
            rest.nodes.push_back({static_cast<int>(p), 0, left[p]});
    }
    ParamValue others_default;
    others_default.value = ParamValue::Map{};
    const ParamValue* others = params.given("others");
    if (others == nullptr) {
        others_default.where =
            params.given("blocks") ? params.given("blocks")->where : SourceSpan{};
        others_default.path = "policy.params.others";
        others = &others_default;
    }
    rest.policy = inner_policy(*others, param_map(*others, {"policy", "params"}));
    if (!rest.classes.empty()) {
        for (const auto& c : rest.classes) {
            if (!has_node_for(scenario, rest, c))
                throw InputError(others->where, others->path,
                                 "class '" + c +
                                     "' is in no block, and the blocks leave no node "
                                     "of the pools it may use");
        }
        made.push_back(std::make_unique<FleetBlock>(scenario, std::move(rest)));
    }
    for (const auto& b : made)
        spdlog::info("reserved: block {} holds {} GPUs under {}", b->name(), b->gpus(),
                     b->policy_name());
    return std::make_unique<Reserved>(std::move(made));
}

}  // namespace

FLEETSIM_REGISTER_POLICY(info(), make)

}  // namespace fleetsim
