// fleetsim_fuzz_replay TARGET PATH...: runs a fuzz target on each file (or each file of each
// folder) as libFuzzer would, in any build: the ctest tests replay_<target> run it on
// fuzz/regressions/<target>/, so an input that once crashed fleetsim stays checked by the plain
// test suite. A crash is the process's; anything but a bad-input exception escapes (exit != 0).

#include "fuzz/harness.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: fleetsim_fuzz_replay TARGET PATH...\n";
        return 2;
    }
    const auto& all = fleetsim::fuzz::targets();
    const auto target = std::find_if(all.begin(), all.end(),
                                     [&](const auto& t) { return std::string(t.name) == argv[1]; });
    if (target == all.end()) {
        std::cerr << "no fuzz target '" << argv[1] << "'\n";
        return 2;
    }
    std::vector<fs::path> files;
    for (int i = 2; i < argc; ++i) {
        if (fs::is_directory(argv[i])) {
            for (const auto& e : fs::directory_iterator(argv[i]))
                if (e.is_regular_file() && e.path().extension() != ".md")
                    files.push_back(e.path());
        } else {
            files.push_back(argv[i]);
        }
    }
    std::sort(files.begin(), files.end());  // the same order every time
    if (files.empty()) {                    // a test that replays nothing must not pass
        std::cerr << "no inputs to replay for " << target->name << "\n";
        return 1;
    }
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(in), {}};
        std::cout << "replaying " << f.string() << " (" << bytes.size() << " bytes)" << std::endl;
        target->run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    }
    std::cout << files.size() << " inputs of " << target->name << " ran clean\n";
    return 0;
}
