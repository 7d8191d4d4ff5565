// ctest runs each doctest case by name (doctest_discover_tests), and a ';' in a name splits it
// into ctest entries that select no case and pass while running nothing. Guard against it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/spawn.hpp"

TEST_SUITE("meta") {
    TEST_CASE("no test case name contains a semicolon") {
        namespace fs = std::filesystem;
        const std::regex name_with_semicolon(R"re(TEST_CASE\("[^"]*;[^"]*"\))re");
        int files = 0;
        for (const auto& entry : fs::recursive_directory_iterator(fleetsim::test::source_path("tests"))) {
            if (entry.path().extension() != ".cpp") continue;
            ++files;
            const std::string text = fleetsim::test::read_file(entry.path().string());
            CAPTURE(entry.path().string());
            CHECK_FALSE(std::regex_search(text, name_with_semicolon));
        }
        CHECK(files > 10);
    }
}
