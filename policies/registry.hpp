#pragma once
// Policies register themselves by name with one line at the bottom of their own file. The
// registry lives in a function-local static (no static-initialisation-order fiasco), and
// policies are built as an OBJECT library so the linker keeps every registration
// (tests/unit/registry_test.cpp checks the list of names).

#include "policies/params.hpp"
#include "policies/policy.hpp"
#include "sim/config/spec.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fleetsim {

using PolicyFactory = std::function<std::unique_ptr<Policy>(const ParamSet&, const ScenarioSpec&)>;

class PolicyRegistry {
public:
    static PolicyRegistry& instance();

    /** Adds a policy; a duplicate name is a programming error (std::logic_error). */
    void add(PolicyInfo info, PolicyFactory factory);
    /** Builds the scenario's policy; unknown names and bad parameters are InputErrors. */
    PolicyInstance create(const ScenarioSpec& scenario) const;
    /** Every policy, sorted by name, with the parameters every policy shares appended. */
    std::vector<PolicyInfo> list() const;
    const PolicyInfo* find(const std::string& name) const;

private:
    struct Entry {
        PolicyInfo info;
        PolicyFactory factory;
    };
    std::vector<Entry> entries_;
};

/** Parameters every policy takes (placement), added by the registry. */
const std::vector<ParamSpec>& common_policy_params();

}  // namespace fleetsim

#define FLEETSIM_CONCAT_INNER(a, b) a##b
#define FLEETSIM_CONCAT(a, b) FLEETSIM_CONCAT_INNER(a, b)
/** Registers a policy: FLEETSIM_REGISTER_POLICY(info_function, factory). */
#define FLEETSIM_REGISTER_POLICY(info, factory)                                \
    namespace {                                                                \
    const bool FLEETSIM_CONCAT(fleetsim_registered_, __LINE__) =               \
        (::fleetsim::PolicyRegistry::instance().add((info), (factory)), true); \
    }
