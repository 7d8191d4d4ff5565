#include "policies/registry.hpp"

#include <algorithm>
#include <stdexcept>

namespace fleetsim {

PolicyRegistry& PolicyRegistry::instance() {
    static PolicyRegistry registry;
    return registry;
}

const std::vector<ParamSpec>& common_policy_params() {
    static const std::vector<ParamSpec> params = {
        {"placement", "text", "pack", "",
         "where a gang goes among nodes that fit: pack (fullest node first, keeps whole nodes "
         "free) "
         "or spread (emptiest node first)"},
    };
    return params;
}

void PolicyRegistry::add(PolicyInfo info, PolicyFactory factory) {
    if (find(info.name) != nullptr)
        throw std::logic_error("policy registered twice: " + info.name);
    for (const auto& p : common_policy_params())
        info.params.push_back(p);
    entries_.push_back(Entry{std::move(info), std::move(factory)});
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.info.name < b.info.name; });
}

const PolicyInfo* PolicyRegistry::find(const std::string& name) const {
    for (const auto& e : entries_) {
        if (e.info.name == name)
            return &e.info;
    }
    return nullptr;
}

std::vector<PolicyInfo> PolicyRegistry::list() const {
    std::vector<PolicyInfo> out;
    for (const auto& e : entries_)
        out.push_back(e.info);
    return out;
}

PolicyInstance PolicyRegistry::create(const ScenarioSpec& scenario) const {
    const PolicySpec& spec = scenario.policy;
    for (const auto& e : entries_) {
        if (e.info.name != spec.name)
            continue;
        ParamSet params(spec.params, e.info);
        PolicyInstance out;
        out.placement = params.choice("placement", {"pack", "spread"}) == "spread"
                            ? PlacementRule::spread
                            : PlacementRule::pack;
        out.policy = e.factory(params, scenario);
        return out;
    }
    std::vector<std::string> names;
    for (const auto& e : entries_)
        names.push_back(e.info.name);
    std::string hint = nearest_name(spec.name, names);
    std::string list;
    for (const auto& n : names)
        list += (list.empty() ? "" : ", ") + n;
    throw InputError(
        spec.name_where, "policy.name",
        "unknown policy '" + spec.name + "'" +
            (hint.empty() ? "; registered policies: " + list : ", did you mean '" + hint + "'?"));
}

}  // namespace fleetsim
