// Bad parameters of the new policies and of the bound are input errors (exit 2) that name the
// key, what was expected and what was found; checked on the real binary.
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace fleetsim::test;

namespace {

void expect_input_error(const std::vector<std::string>& args, const std::string& needle) {
    auto r = run_fleetsim(args);
    CAPTURE(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(needle) != std::string::npos);
}

std::vector<std::string> validate(const std::string& policy, const std::string& params) {
    return {"validate", source_path("scenarios/sora-2025.yaml"),
            "--set",    "policy.name=" + policy,
            "--set",    "policy.params=" + params};
}

}  // namespace

TEST_SUITE("policy-input") {
    TEST_CASE("bad policy parameters are reported with the key and the nearest valid name") {
        expect_input_error(validate("priority", "{priorities: {chta: 1}}"),
                           "unknown class 'chta', did you mean 'chat'?");
        expect_input_error(validate("fair-share", "{weights: {chat: -1}}"),
                           "expected a value >= 0 for class 'chat', found -1");
        expect_input_error(validate("market", "{interval_s: 0}"), "expected interval_s > 0");
        expect_input_error(validate("las", "{queues: 2.5}"), "expected an integer for 'queues'");
        expect_input_error(validate("opportunity-cost", "{payback: 2}"),
                           "did you mean 'payback_h'?");
        expect_input_error(validate("easy-backfill", "{max_scan: 0}"), "expected max_scan >= 1");
    }

    TEST_CASE("a bound interval that is not a whole number of ticks is an input error") {
        expect_input_error(
            {"bound", source_path("scenarios/sora-2025.yaml"), "--interval-s", "450"},
            "whole multiple of tick_s (300 s), found 450 s");
    }
}
