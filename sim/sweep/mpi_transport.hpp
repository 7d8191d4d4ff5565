#pragma once
// Finds out whether mpirun (or srun) started this process, and loads the MPI plugin
// (mpi_api.h) when it did.

#include "sim/sweep/mpi_api.h"

#include <string>

namespace fleetsim::sweep {

/**
 * The world size announced by an MPI launcher's environment (OpenMPI's mpirun, PMI or PMIx
 * under srun or MPICH's hydra), 1 when a launcher is seen without a size, 0 when none is seen.
 */
int launched_world_size();

/**
 * Loads libfleetsim_mpi.so (beside the binary, or where the build put it) with its symbols
 * global, as OpenMPI's own components need. Throws std::runtime_error with what to do when this
 * fleetsim was built without MPI.
 */
const fleetsim_mpi_api& load_mpi();

}  // namespace fleetsim::sweep
