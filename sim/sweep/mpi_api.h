#pragma once
/*
 * The few MPI calls a sweep makes, behind a plain C table that the MPI plugin
 * (libfleetsim_mpi.so, built only when CMake finds MPI) fills in.
 *
 * Why a plugin: linking libmpi into the fleetsim binary adds the load of libmpi and its
 * dependencies to every process start, and a sweep starts the binary once per point
 * (docs/performance.md, "Sweeps", measured it). The binary loads the plugin only when it
 * finds itself launched by mpirun or srun.
 */

#ifdef __cplusplus
extern "C" {
#endif

#define FLEETSIM_MPI_API_VERSION 1

struct fleetsim_mpi_api {
    int version; /* FLEETSIM_MPI_API_VERSION */
    /* MPI_Init; writes this process's rank and the world size. 0 on success. */
    int (*init)(int* rank, int* size);
    int (*finalize)(void);
    void (*abort)(int code);
    /* Blocking standard send of len bytes. */
    int (*send)(const void* buf, int len, int dest, int tag);
    /* Non-blocking probe for any source and tag: 1 and the message's envelope when one waits. */
    int (*iprobe)(int* source, int* tag, int* len);
    /* Blocking probe for (source, tag): writes the message's length. */
    int (*probe)(int source, int tag, int* len);
    int (*recv)(void* buf, int len, int source, int tag);
    int (*bcast)(void* buf, int len, int root);
    /* The library's own version string (MPI_Get_library_version). */
    const char* (*library_version)(void);
};

/* The plugin's one exported symbol. */
const struct fleetsim_mpi_api* fleetsim_mpi_get(void);

#ifdef __cplusplus
}
#endif
