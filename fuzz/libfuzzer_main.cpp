// One libFuzzer binary per target: FLEETSIM_FUZZ_TARGET names its function (fuzz/CMakeLists.txt).
#include "fuzz/harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return fleetsim::fuzz::FLEETSIM_FUZZ_TARGET(data, size);
}
