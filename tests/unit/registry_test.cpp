// A policy whose registration the linker dropped would vanish silently: pin the list.
#include "policies/registry.hpp"

#include <doctest/doctest.h>

using namespace fleetsim;

TEST_SUITE("registry") {
    TEST_CASE("every policy is registered exactly once, sorted by name") {
        std::vector<std::string> names;
        for (const auto& info : PolicyRegistry::instance().list())
            names.push_back(info.name);
        // One name a line, so that parallel additions merge cleanly.
        // clang-format off
        const std::vector<std::string> expected = {
            "easy-backfill",
            "fair-share",
            "fifo",
            "las",
            "market",
            "opportunity-cost",
            "priority",
            "reserved",
            "revenue-greedy",
            "sjf",
            "static-partition",
        };
        // clang-format on
        CHECK(names == expected);
    }

    TEST_CASE("every policy documents itself and takes the common placement parameter") {
        for (const auto& info : PolicyRegistry::instance().list()) {
            CAPTURE(info.name);
            CHECK_FALSE(info.summary.empty());
            CHECK_FALSE(info.source.empty());
            bool has_placement = false;
            for (const auto& p : info.params)
                has_placement = has_placement || p.key == "placement";
            CHECK(has_placement);
        }
    }
}
