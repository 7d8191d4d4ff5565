// Many problems at once, byte for byte: each tests/bad_inputs/many/NN-<what>.yaml holds
// problems in every section of the inputs (types, ranges, unknown keys with and without a
// nearest key, references, cross-key checks), and NN-<what>.expected is exactly what
// `fleetsim validate` prints for it on stderr: every problem, in reading order, then the count.
// The expected files were made by the loader before it read through key tables (commit
// 2ef06c2), so they pin the messages and their order. `fleetsim run` stops at the first one.
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

using namespace fleetsim::test;
namespace fs = std::filesystem;

namespace {

/** The output with the source folder taken out of paths, as when run from the repository. */
std::string relative_paths(std::string text) {
    const std::string root = source_path("");
    for (auto at = text.find(root); at != std::string::npos; at = text.find(root, at))
        text.erase(at, root.size());
    return text;
}

}  // namespace

TEST_SUITE("bad-input") {
    TEST_CASE("validate lists every problem of a file, byte for byte, and run stops at the first") {
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(source_path("tests/bad_inputs/many"))) {
            if (e.path().extension() == ".yaml")
                files.push_back(e.path());
        }
        std::sort(files.begin(), files.end());
        REQUIRE(files.size() >= 4);
        std::size_t problems = 0;
        for (const auto& f : files) {
            CAPTURE(f.filename().string());
            const std::string expected =
                read_file(fs::path(f).replace_extension(".expected").string());
            auto v = run_fleetsim({"validate", f.string()});
            CHECK(v.exit_code == 2);
            CHECK(v.out.empty());
            CHECK(relative_paths(v.err) == expected);
            problems +=
                static_cast<std::size_t>(std::count(expected.begin(), expected.end(), '\n'));

            auto r = run_fleetsim({"run", f.string()});
            CHECK(r.exit_code == 2);
            CHECK(r.out.empty());
            CHECK(relative_paths(r.err) ==
                  "fleetsim: " + expected.substr(0, expected.find('\n') + 1));
        }
        CHECK(problems > 100);
    }
}
