// The sweep under MPI (mpirun --oversubscribe, as CI runs it): the same database as on local
// cores, for any number of ranks, with the points spread over the ranks.
#include "tests/sweep/sweep_support.hpp"

#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <cstdlib>
#include <set>

using namespace fleetsim::test;

#ifdef FLEETSIM_MPIEXEC
TEST_SUITE("sweep mpi") {
    TEST_CASE("mpirun -np 2 and -np 3 give the database of a local run") {
        // CI may run as root, which OpenMPI refuses without these.
        setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
        setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
        TempDir tmp("sweep-mpi");
        const auto file = write_sweep(tmp, "mpi", kSmallSweep);
        const FailPoints fail(kSmallSweepFailing);
        auto local = run_fleetsim({"sweep", file, "-j", "2", "--out", tmp / "local", "-q"});
        REQUIRE(local.exit_code == 3);
        for (const char* ranks : {"2", "3"}) {
            CAPTURE(ranks);
            const std::string out = tmp / ("mpi" + std::string(ranks));
            auto r = spawn(FLEETSIM_MPIEXEC, {"--oversubscribe", "-np", ranks, FLEETSIM_BINARY,
                                              "sweep", file, "--out", out, "-q"});
            INFO(r.out);
            INFO(r.err);
            REQUIRE(r.exit_code == 3);  // rank 0's: the sweep has failed points
            CHECK(dump_sweep_db(tmp / "local/sweep.db") == dump_sweep_db(out + "/sweep.db"));
            for (const char* f : {"stats.csv", "paired.csv", "effects.csv"})
                CHECK(read_file(tmp / "local/" + std::string(f)) == read_file(out + "/" + f));
            CHECK(read_file(tmp / "local/results.csv") == read_file(out + "/results.csv"));
            CHECK(read_file(tmp / "local/points.csv") == read_file(out + "/points.csv"));
            CHECK(read_file(tmp / "local/sweep.json") == read_file(out + "/sweep.json"));
            SQLite::Database db(out + "/sweep.db", SQLite::OPEN_READONLY);
            CHECK(db.execAndGet("SELECT ranks FROM runs").getInt() == std::atoi(ranks));
            CHECK(db.execAndGet("SELECT mpi_library FROM runs").getString().find("MPI") !=
                  std::string::npos);
            // Work went to more than one rank (rank 0 runs points too, between messages).
            CHECK(db.execAndGet("SELECT count(DISTINCT rank) FROM points").getInt() >= 2);
        }
    }
}
#endif
