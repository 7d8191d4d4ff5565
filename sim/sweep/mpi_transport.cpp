#include "sim/sweep/mpi_transport.hpp"

#include "sim/sweep/point_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace fleetsim::sweep {

int launched_world_size() {
    for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
        if (const char* v = std::getenv(var))
            return std::max(1, std::atoi(v));
    }
    // PMIx (srun --mpi=pmix) names the process but not the world size.
    if (std::getenv("PMIX_RANK") != nullptr)
        return 1;
    return 0;
}

const fleetsim_mpi_api& load_mpi() {
    namespace fs = std::filesystem;
    std::vector<std::string> candidates = {
        (fs::path(self_exe()).parent_path() / "libfleetsim_mpi.so").string()};
#ifdef FLEETSIM_MPI_PLUGIN
    candidates.emplace_back(FLEETSIM_MPI_PLUGIN);
#endif
    std::string tried;
    for (const auto& path : candidates) {
        if (!fs::exists(path)) {
            tried += "\n  " + path + ": not found";
            continue;
        }
        // RTLD_GLOBAL: OpenMPI opens its components (mca_*.so) later, and they resolve libmpi's
        // own (ompi_, opal_) symbols from the global scope.
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
        if (handle == nullptr) {
            tried += "\n  " + path + ": " + dlerror();
            continue;
        }
        using Get = const fleetsim_mpi_api* (*)();
        auto get = reinterpret_cast<Get>(dlsym(handle, "fleetsim_mpi_get"));
        const fleetsim_mpi_api* api = get ? get() : nullptr;
        if (api == nullptr || api->version != FLEETSIM_MPI_API_VERSION) {
            tried += "\n  " + path + ": not a fleetsim MPI plugin of this version";
            continue;
        }
        return *api;
    }
    throw std::runtime_error(
        "this sweep was started by an MPI launcher, but this fleetsim has no MPI support: "
        "install OpenMPI (tools/install-deps.sh) and rebuild, or run without mpirun (or with "
        "--mpi off)" +
        tried);
}

}  // namespace fleetsim::sweep
