// static-partition: every class owns a fixed share of the fleet's GPUs and never uses more.
//
// This is how many labs run today (a GPU budget per team, Lucid/Helios "virtual clusters"): it
// isolates teams from each other, and it leaves GPUs idle in one share while demand waits in
// another. That idle-while-waiting is exactly what the opportunity-cost figures price.
// Services are sized to min(demand, share); batch jobs start in submission order within their
// class while the class stays within its share (head-of-line blocking per class).
// Complexity per call: O(classes x pools + jobs started).

#include "policies/allocation.hpp"
#include "policies/registry.hpp"

#include <fmt/format.h>

#include <cmath>
#include <memory>

namespace fleetsim {
namespace {

class StaticPartition final : public Policy {
public:
    explicit StaticPartition(std::vector<int> cap_gpus) : cap_gpus_(std::move(cap_gpus)) {}

    void decide(const SchedulerState& state, Decisions& out) override {
        size_services_from_free(state, out, [this](ClassId id) { return cap(id); });

        for (ClassId id : batch_classes(state)) {
            const ClassState& c = state.cls(id);
            while (!c.waiting.empty()) {
                const Job& head = state.job(*c.waiting.begin());
                if (head.gpus > cap(id)) {
                    // It can never run inside the share: refuse it rather than let it block
                    // its class for the rest of the run.
                    out.reject(head.id, "gang of " + std::to_string(head.gpus) +
                                            " GPUs is larger than the class's share of " +
                                            std::to_string(cap(id)) + " GPUs");
                    continue;
                }
                if (c.gpus_held + head.gpus > cap(id))
                    break;
                if (!out.start(head.id))
                    break;
            }
        }
    }

private:
    int cap(ClassId id) const { return cap_gpus_[static_cast<std::size_t>(id)]; }
    std::vector<int> cap_gpus_;
};

PolicyInfo info() {
    return {"static-partition",
            "fixed GPU shares per class: a class never uses more than its share, even when others' "
            "shares sit idle",
            "per-team quotas / virtual clusters (Helios, Hu et al., SC'21; Lucid, ASPLOS'23)",
            {{"shares", "map-of-number", "", "fraction of fleet GPUs",
              "class name -> fraction of all GPUs it owns; every class must be listed and the "
              "fractions must sum to at most 1"}}};
}

std::unique_ptr<Policy> make(const ParamSet& params, const ScenarioSpec& scenario) {
    const auto shares = params.number_map("shares");
    int total_gpus = 0;
    for (const auto& p : scenario.platform.pools)
        total_gpus += p.nodes * p.gpus_per_node;
    std::vector<int> caps;
    double sum = 0;
    std::string missing;
    for (const auto& c : scenario.workload.classes) {
        auto it = shares.find(c.name);
        if (it == shares.end()) {
            missing += (missing.empty() ? "" : ", ") + c.name;
            continue;
        }
        if (it->second < 0 || it->second > 1) {
            params.fail_entry("shares", c.name,
                              "expected a fraction in [0, 1], found " + std::to_string(it->second));
        }
        sum += it->second;
        caps.push_back(static_cast<int>(std::floor(it->second * total_gpus + 1e-9)));
    }
    if (!missing.empty())
        params.fail("shares", "expected a share for every class; missing: " + missing);
    for (const auto& [name, share] : shares) {
        bool known = false;
        for (const auto& c : scenario.workload.classes)
            known = known || c.name == name;
        if (!known) {
            std::vector<std::string> names;
            for (const auto& c : scenario.workload.classes)
                names.push_back(c.name);
            std::string hint = nearest_name(name, names);
            params.fail_entry("shares", name,
                              "unknown class '" + name + "'" +
                                  (hint.empty() ? "" : ", did you mean '" + hint + "'?"));
        }
    }
    if (sum > 1 + 1e-9)
        params.fail("shares",
                    "expected shares summing to at most 1, found " + fmt::format("{:.6g}", sum));
    return std::make_unique<StaticPartition>(std::move(caps));
}

}  // namespace

FLEETSIM_REGISTER_POLICY(info(), make)

}  // namespace fleetsim
