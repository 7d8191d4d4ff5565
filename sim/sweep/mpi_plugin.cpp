// The MPI plugin (mpi_api.h): a thin table over MPI_COMM_WORLD. Everything else about sweeping
// under MPI (who runs what, the database) lives in the fleetsim binary.
//
// The binary already holds SimGrid, whose library defines MPI_Init, MPI_Send and the rest for
// its MPI emulator (SMPI); a plain call from here would bind to those. So every MPI function is
// looked up in libmpi itself (found from one of its data symbols) and called through a pointer.
// RTLD_DEEPBIND would do the same for the whole plugin, but breaks OpenMPI (its copy of
// `environ` differs from the program's, and opal_setenv aborts in free()).

#include "sim/sweep/mpi_api.h"

#include <mpi.h>

#include <dlfcn.h>

namespace {

struct Mpi {
    decltype(&MPI_Initialized) initialized = nullptr;
    decltype(&MPI_Init) init = nullptr;
    decltype(&MPI_Comm_rank) comm_rank = nullptr;
    decltype(&MPI_Comm_size) comm_size = nullptr;
    decltype(&MPI_Finalize) finalize = nullptr;
    decltype(&MPI_Abort) abort = nullptr;
    decltype(&MPI_Send) send = nullptr;
    decltype(&MPI_Iprobe) iprobe = nullptr;
    decltype(&MPI_Probe) probe = nullptr;
    decltype(&MPI_Get_count) get_count = nullptr;
    decltype(&MPI_Recv) recv = nullptr;
    decltype(&MPI_Bcast) bcast = nullptr;
    decltype(&MPI_Get_library_version) library_version = nullptr;
};

Mpi mpi;

template <typename F>
bool find(void* lib, const char* name, F& out) {
    out = reinterpret_cast<F>(dlsym(lib, name));
    return out != nullptr;
}

/** Fills `mpi` from the library that defines MPI_COMM_WORLD's object. */
bool bind_libmpi() {
    Dl_info info;
    if (dladdr(static_cast<const void*>(MPI_COMM_WORLD), &info) == 0 || info.dli_fname == nullptr)
        return false;
    void* lib = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
    if (lib == nullptr)
        return false;
    return find(lib, "MPI_Initialized", mpi.initialized) && find(lib, "MPI_Init", mpi.init) &&
           find(lib, "MPI_Comm_rank", mpi.comm_rank) && find(lib, "MPI_Comm_size", mpi.comm_size) &&
           find(lib, "MPI_Finalize", mpi.finalize) && find(lib, "MPI_Abort", mpi.abort) &&
           find(lib, "MPI_Send", mpi.send) && find(lib, "MPI_Iprobe", mpi.iprobe) &&
           find(lib, "MPI_Probe", mpi.probe) && find(lib, "MPI_Get_count", mpi.get_count) &&
           find(lib, "MPI_Recv", mpi.recv) && find(lib, "MPI_Bcast", mpi.bcast) &&
           find(lib, "MPI_Get_library_version", mpi.library_version);
}

int init(int* rank, int* size) {
    if (!bind_libmpi())
        return 2;
    int initialized = 0;
    mpi.initialized(&initialized);
    if (!initialized && mpi.init(nullptr, nullptr) != MPI_SUCCESS)
        return 1;
    mpi.comm_rank(MPI_COMM_WORLD, rank);
    mpi.comm_size(MPI_COMM_WORLD, size);
    return 0;
}

int finalize() {
    return mpi.finalize();
}

void abort_all(int code) {
    mpi.abort(MPI_COMM_WORLD, code);
}

int send(const void* buf, int len, int dest, int tag) {
    return mpi.send(buf, len, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
}

int iprobe(int* source, int* tag, int* len) {
    int flag = 0;
    MPI_Status status;
    mpi.iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
    if (!flag)
        return 0;
    *source = status.MPI_SOURCE;
    *tag = status.MPI_TAG;
    mpi.get_count(&status, MPI_BYTE, len);
    return 1;
}

int probe(int source, int tag, int* len) {
    MPI_Status status;
    int rc = mpi.probe(source, tag, MPI_COMM_WORLD, &status);
    mpi.get_count(&status, MPI_BYTE, len);
    return rc;
}

int recv(void* buf, int len, int source, int tag) {
    return mpi.recv(buf, len, MPI_BYTE, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

int bcast(void* buf, int len, int root) {
    return mpi.bcast(buf, len, MPI_BYTE, root, MPI_COMM_WORLD);
}

const char* library_version() {
    static char text[MPI_MAX_LIBRARY_VERSION_STRING] = {0};
    int len = 0;
    mpi.library_version(text, &len);
    return text;
}

const fleetsim_mpi_api kApi = {
    FLEETSIM_MPI_API_VERSION, init, finalize, abort_all, send, iprobe, probe, recv, bcast,
    library_version};

}  // namespace

extern "C" const fleetsim_mpi_api* fleetsim_mpi_get(void) {
    return &kApi;
}
