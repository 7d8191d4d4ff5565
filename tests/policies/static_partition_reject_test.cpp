// static-partition refuses a gang that can never fit its class's share, instead of letting it
// block the class's queue for the rest of the run.
#include "tests/support/policy_harness.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;
using namespace fleetsim::test;

TEST_SUITE("policy-static-partition") {
    TEST_CASE("a gang larger than its class's share is rejected and the jobs behind it start") {
        // 2 nodes x 8 GPUs = 16 GPUs; class a owns 0.5 of them = 8 GPUs.
        ScenarioSpec s = small_scenario();
        add_pool(s, "p", 2, 8);
        add_batch(s, "a", 2.0);
        add_batch(s, "b", 2.0);
        Harness h(s, "static-partition",
                  param({{"shares", param({{"a", param("0.5")}, {"b", param("0.5")}})}}));
        const JobId big = h.submit("a", 9, 1.0);    // 9 > 8: can never run inside the share
        const JobId small = h.submit("a", 8, 1.0);  // fits exactly
        auto actions = h.decide();
        REQUIRE(actions.size() == 2);
        CHECK(actions[0] == std::make_pair(Decisions::Action::reject, big));
        CHECK(actions[1] == std::make_pair(Decisions::Action::start, small));
        CHECK(h.state().job(big).status == JobStatus::rejected);
        CHECK(h.state().job(big).reject_reason.find("share of 8 GPUs") != std::string::npos);
        CHECK(h.state().job(small).status == JobStatus::running);
    }
}
