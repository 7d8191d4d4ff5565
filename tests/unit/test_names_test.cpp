// ctest runs each doctest case by name (doctest_discover_tests), and a ';' in a name splits it
// into ctest entries that select no case and pass while running nothing. Guard against it.
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

TEST_SUITE("meta") {
    TEST_CASE("no test case name contains a semicolon") {
        namespace fs = std::filesystem;
        // The name may be split over several string literals (clang-format wraps long ones).
        const std::regex test_case_name(R"re(TEST_CASE\(\s*((?:"[^"]*"\s*)+)\))re");
        int files = 0, names = 0;
        for (const auto& entry :
             fs::recursive_directory_iterator(fleetsim::test::source_path("tests"))) {
            if (entry.path().extension() != ".cpp")
                continue;
            ++files;
            const std::string text = fleetsim::test::read_file(entry.path().string());
            CAPTURE(entry.path().string());
            for (std::sregex_iterator m(text.begin(), text.end(), test_case_name), end; m != end;
                 ++m) {
                ++names;
                const std::string name = (*m)[1];
                CAPTURE(name);
                CHECK(name.find(';') == std::string::npos);
            }
        }
        CHECK(files > 10);
        CHECK(names > 100);
    }
}
