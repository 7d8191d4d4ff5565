#pragma once
// Runs the fleetsim binary in its own process (SimGrid's engine is one per process) and
// captures its exit code and output. Scenario tests use this instead of calling the engine.

#include <string>
#include <vector>

namespace fleetsim::test {

struct Spawned {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/** Runs `program args...`, waits, returns exit code and captured streams. */
Spawned spawn(const std::string& program, const std::vector<std::string>& args);

/** Runs the fleetsim binary under test. */
Spawned run_fleetsim(const std::vector<std::string>& args);

/** A fresh empty folder under the build tree's test area, removed at exit of the object. */
class TempDir {
public:
    explicit TempDir(const std::string& tag);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);
/** Path of a file in the source tree (scenarios/..., tests/...). */
std::string source_path(const std::string& relative);
/** The arguments of `fleetsim run SCENARIO --out OUT -q --no-report --set S...`, SCENARIO
    relative to the source tree. */
std::vector<std::string> quiet_run_args(const std::string& scenario,
                                        const std::string& out,
                                        const std::vector<std::string>& sets);
/** Path of a file in ../shared/data (the public data sets). */
std::string shared_data_path(const std::string& relative);

}  // namespace fleetsim::test
