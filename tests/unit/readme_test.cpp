// The README's example of a new policy is a real, registered and tested policy file: the block
// must be that file, byte for byte, so that the example compiles and stays true.
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

using fleetsim::test::read_file;
using fleetsim::test::source_path;

TEST_SUITE("meta") {
    TEST_CASE("the README's example policy is policies/sjf.cpp verbatim") {
        const std::string readme = read_file(source_path("README.md"));
        const std::string intro = "The whole of `policies/sjf.cpp`";
        const auto at = readme.find(intro);
        REQUIRE(at != std::string::npos);
        const std::string open = "```cpp\n";
        const auto begin = readme.find(open, at);
        REQUIRE(begin != std::string::npos);
        const auto end = readme.find("```\n", begin + open.size());
        REQUIRE(end != std::string::npos);
        const std::string block = readme.substr(begin + open.size(), end - begin - open.size());
        CHECK(block == read_file(source_path("policies/sjf.cpp")));
    }
}
