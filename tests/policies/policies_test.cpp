// Each policy's decide() on a hand-built SchedulerState (no SimGrid): what it starts, what it
// leaves waiting, how it sizes services. The state is built from a scenario a user could
// write (tests/support/specs.hpp) and jobs submitted by hand, in id order.
#include "policies/registry.hpp"
#include "tests/support/specs.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;
using namespace fleetsim::test;

namespace {

struct World {
    TempDir dir{"policy"};
    ScenarioSpec spec;
    PolicyInstance policy;
    std::unique_ptr<SchedulerState> state;

    World(const std::string& classes, const std::string& policy_yaml, int slow_nodes = 2)
        : spec(load_yaml_scenario(
              dir,
              "name: p\n" + small_platform_yaml(slow_nodes) + "workload:\n  name: w\n  classes:\n" +
                  classes + "policy: " + policy_yaml + "\nhorizon_s: 3600\nseed: 1\ntick_s: 60\n")),
          policy(PolicyRegistry::instance().create(spec)),
          state(std::make_unique<SchedulerState>(spec, policy.placement)) {}

    JobId submit(const std::string& cls, int gpus, double value_usd_per_gpu_h) {
        Job j;
        j.cls = state->class_id(cls);
        REQUIRE(j.cls >= 0);
        j.gpus = gpus;
        j.work_ref_gpu_s = gpus * 3600.0;
        j.value_usd_per_ref_gpu_h = value_usd_per_gpu_h;
        return state->submit(j);
    }

    /** Calls the policy once; returns the ids it started, in order. */
    std::vector<JobId> decide() {
        Decisions out(*state);
        policy.policy->decide(*state, out);
        std::vector<JobId> started;
        for (const auto& [action, id] : out.actions()) {
            CHECK(action == Decisions::Action::start);  // none of these preempts
            started.push_back(id);
        }
        return started;
    }

    JobStatus status(JobId id) const { return state->job(id).status; }
};

std::string batch_class(const std::string& name, const std::string& pools = "[slow]") {
    return "    " + name + ": {family: llm, kind: batch, pools: " + pools +
           ", arrival_rate_per_h: 1, gpus: 1, duration_s: 60, value_usd_per_gpu_h: 1}\n";
}

// A service needing 0.002 x 900 / 0.8 = 2.25 reference GPUs: 3 slow GPUs, or 2 fast ones.
const std::string kChat =
    "    chat: {family: llm, kind: service, unit: u, demand_units_per_s: 0.002, "
    "gpu_s_per_unit: 900, price_usd_per_unit: 2, slo_s: 60, max_utilization: 0.8}\n";

}  // namespace

TEST_SUITE("policy-fifo") {
    TEST_CASE("fifo starts in submission order and stops at the first job that does not fit") {
        World w(batch_class("a") + batch_class("b"), "fifo");
        const JobId j0 = w.submit("a", 8, 1);
        const JobId j1 = w.submit("b", 16, 1);  // both slow nodes: not while j0 runs
        const JobId j2 = w.submit("a", 4, 1);   // would fit, but is behind j1
        CHECK(w.decide() == std::vector<JobId>{j0});
        CHECK(w.status(j1) == JobStatus::waiting);
        CHECK(w.status(j2) == JobStatus::waiting);
        CHECK(w.decide().empty());  // nothing changed, nothing to do
        w.state->complete(j0);
        CHECK(w.decide() == std::vector<JobId>{j1});
        CHECK(w.state->job(j1).alloc.parts.size() == 2);  // a gang over two nodes
        w.state->complete(j1);
        CHECK(w.decide() == std::vector<JobId>{j2});
    }

    TEST_CASE("fifo sizes services first, from free GPUs only: it never evicts a job") {
        // slow: one node of 8; chat may use both pools, slow first.
        World w(kChat + batch_class("a"), "fifo", 1);
        const JobId running = w.submit("a", 6, 1);
        REQUIRE(w.state->start(running, 0));  // running before the service asks
        CHECK(w.decide().empty());
        const ClassState& chat = w.state->cls(w.state->class_id("chat"));
        // 2.25 reference GPUs: the 2 free slow GPUs, then ceil(0.25 / 2) = 1 fast GPU.
        CHECK(chat.held_by_pool == std::vector<int>{2, 1});
        CHECK(w.status(running) == JobStatus::running);
        CHECK(w.state->shadow_price_usd_per_ref_gpu_h() == 0);

        // From an empty fleet the service is sized before any job: 3 slow GPUs, so a 6-GPU job
        // no longer fits in the 5 left and waits (and prices the shadow at its value).
        World e(kChat + batch_class("a"), "fifo", 1);
        const JobId late = e.submit("a", 6, 1);
        CHECK(e.decide().empty());
        CHECK(e.state->cls(e.state->class_id("chat")).held_by_pool == std::vector<int>{3, 0});
        CHECK(e.status(late) == JobStatus::waiting);
        CHECK(e.state->shadow_price_usd_per_ref_gpu_h() == 1);
    }
}

TEST_SUITE("policy-static-partition") {
    TEST_CASE("a class never holds more than its share, even when the rest is idle") {
        World w(batch_class("a") + batch_class("b"),
                "{name: static-partition, params: {shares: {a: 0.34, b: 0.34}}}");
        // 24 GPUs in all: each class may hold floor(0.34 x 24) = 8.
        const JobId a1 = w.submit("a", 8, 1);
        const JobId a2 = w.submit("a", 4, 1);
        const JobId b1 = w.submit("b", 4, 1);
        const JobId b2 = w.submit("b", 4, 1);
        const JobId b3 = w.submit("b", 1, 1);
        CHECK(w.decide() == std::vector<JobId>{a1, b1, b2});
        CHECK(w.status(a2) == JobStatus::waiting);  // 8 + 4 > 8
        CHECK(w.status(b3) == JobStatus::waiting);  // 4 + 4 + 1 > 8
        CHECK(w.state->fleet.free_gpus(0) == 0);
        CHECK(w.state->fleet.free_gpus(1) == 8);  // the fast node (not in their pools)
        w.state->complete(b1);
        CHECK(w.decide() == std::vector<JobId>{b3});
        CHECK(w.status(a2) == JobStatus::waiting);  // a is still at its cap
    }

    TEST_CASE("shares are checked: every class listed, each in [0, 1], summing to at most 1") {
        CHECK_THROWS_AS(World(batch_class("a") + batch_class("b"),
                              "{name: static-partition, params: {shares: {a: 0.5}}}"),
                        InputError);
        CHECK_THROWS_AS(World(batch_class("a") + batch_class("b"),
                              "{name: static-partition, params: {shares: {a: 0.7, b: 0.4}}}"),
                        InputError);
        CHECK_THROWS_AS(
            World(batch_class("a"), "{name: static-partition, params: {shares: {a: 0.5, c: 0.1}}}"),
            InputError);
    }
}

TEST_SUITE("policy-revenue-greedy") {
    TEST_CASE("revenue-greedy starts the most valuable work first and skips what does not fit") {
        World w(batch_class("lo", "[slow, fast]") + batch_class("hi", "[slow, fast]"),
                "revenue-greedy");
        const JobId lo = w.submit("lo", 8, 1);
        const JobId big = w.submit("hi", 16, 5);   // the slow pool's 16
        const JobId huge = w.submit("hi", 24, 5);  // larger than any pool: skipped
        const JobId small = w.submit("hi", 8, 5);  // the fast node
        const auto started = w.decide();
        CHECK(started == std::vector<JobId>{big, small});
        CHECK(w.state->job(big).alloc.pool == 0);
        CHECK(w.state->job(small).alloc.pool == 1);
        CHECK(w.status(lo) == JobStatus::waiting);
        CHECK(w.status(huge) == JobStatus::waiting);
        // The best waiting demand: hi's 24-GPU job at 5 USD/GPU-h.
        CHECK(w.state->shadow_price_usd_per_ref_gpu_h() == 5);
    }

    TEST_CASE("revenue-greedy takes GPUs back from a service worth less than a waiting job") {
        // chat at full load earns 2 x 3600 x 0.8 / 900 = 6.4 USD per reference GPU-h.
        World w(kChat + batch_class("hi", "[slow]"), "revenue-greedy", 1);  // slow: 8 GPUs
        w.decide();
        const ClassState& chat = w.state->cls(w.state->class_id("chat"));
        CHECK(chat.gpus_held == 3);              // 2.25 reference GPUs on the slow pool first
        const JobId job = w.submit("hi", 8, 7);  // worth more than chat: it gets all 8
        CHECK(w.decide() == std::vector<JobId>{job});
        CHECK(chat.held_by_pool[0] == 0);
        CHECK(chat.held_by_pool[1] == 2);  // chat moved to the fast node (2 x speed 2)
    }
}
