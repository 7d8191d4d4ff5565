// docs/config.md must name every key the loader accepts, and only those: the loader's own
// lists (accepted_keys(), which its MapReaders read) are the source of truth.
#include "sim/config/scenario_loader.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <set>
#include <sstream>

using namespace fleetsim;
using namespace fleetsim::test;

TEST_SUITE("config-docs") {
    TEST_CASE("docs/config.md names every key the loader accepts") {
        const std::string doc = read_file(source_path("docs/config.md"));
        std::size_t keys = 0;
        for (const auto& group : accepted_keys()) {
            for (const auto& key : group.keys) {
                const std::string dotted = group.prefix + key;
                CAPTURE(dotted);
                CHECK(doc.find("| `" + dotted + "` |") != std::string::npos);
                ++keys;
            }
        }
        CHECK(keys > 60);  // the list is really the loader's, not an empty one
    }

    TEST_CASE("every key docs/config.md lists is one the loader accepts") {
        std::set<std::string> accepted;
        for (const auto& group : accepted_keys()) {
            for (const auto& key : group.keys)
                accepted.insert(group.prefix + key);
        }
        std::istringstream doc(read_file(source_path("docs/config.md")));
        std::string line;
        std::set<std::string> listed;
        while (std::getline(doc, line)) {
            if (line.rfind("| `", 0) != 0)
                continue;
            const std::string key = line.substr(3, line.find('`', 3) - 3);
            CAPTURE(key);
            CHECK(accepted.count(key) == 1);
            listed.insert(key);
        }
        CHECK(listed == accepted);
    }
}
