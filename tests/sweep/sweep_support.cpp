#include "tests/sweep/sweep_support.hpp"

#include <fmt/format.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <cstdlib>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fleetsim::test {

std::string write_sweep(const TempDir& dir, const std::string& name, const std::string& body) {
    const std::string path = dir / (name + ".yaml");
    write_file(path, fmt::format(R"(name: {}
base: {}
set:
  horizon_s: 21600
  output.jobs_csv: false
{})",
                                 name, source_path("scenarios/default.yaml"), body));
    return path;
}

const char* const kSmallSweep = R"(seed: 3
replications: 2
vary:
  - grid:
      workload.classes.video-gen.price_usd_per_unit: [0.05, 0.1, 0.2]
  - zip:
      policy.name: [static-partition, revenue-greedy]
      policy.params: [{shares: {chat: 0.4, coding: 0.15, llm-training: 0.3, video-gen: 0.1, video-training: 0.05}}, {}]
)";

const char* const kSmallSweepFailing = "4,5,6,7";

FailPoints::FailPoints(const char* ids) {
    setenv("FLEETSIM_TEST_FAIL_POINTS", ids, 1);
}

FailPoints::~FailPoints() {
    unsetenv("FLEETSIM_TEST_FAIL_POINTS");
}

namespace {

std::string cell(const SQLite::Column& c) {
    if (c.isNull())
        return "NULL";
    if (c.isInteger())
        return "i" + std::to_string(c.getInt64());
    if (c.isFloat())
        return fmt::format("r{:.17g}", c.getDouble());
    return "t" + c.getString();
}

std::vector<std::string> rows(SQLite::Database& db, const std::string& sql) {
    std::vector<std::string> out;
    SQLite::Statement q(db, sql);
    while (q.executeStep()) {
        std::string line;
        for (int i = 0; i < q.getColumnCount(); ++i) {
            const std::string name = q.getColumnName(i);
            if (name == "wall_s" || name == "rank")
                continue;
            line += std::string(q.getColumnName(i)) + "=" + cell(q.getColumn(i)) + "|";
        }
        out.push_back(line);
    }
    return out;
}

}  // namespace

std::map<std::string, std::vector<std::string>> dump_sweep_db(const std::string& db_file) {
    SQLite::Database db(db_file, SQLite::OPEN_READONLY);
    std::map<std::string, std::vector<std::string>> out;
    out["meta"] = rows(db, "SELECT * FROM meta ORDER BY key");
    out["points"] = rows(db, "SELECT * FROM points ORDER BY point_id");
    out["classes"] = rows(db, "SELECT * FROM classes ORDER BY point_id, class_index");
    out["results"] = rows(db, "SELECT * FROM results");
    out["schema"] = rows(db, "SELECT type, name, sql FROM sqlite_master ORDER BY name");
    return out;
}

long long count_status(const std::string& db_file, const std::string& status) {
    SQLite::Database db(db_file, SQLite::OPEN_READONLY);
    db.setBusyTimeout(5000);
    SQLite::Statement q(db, "SELECT count(*) FROM points WHERE status = ?");
    q.bind(1, status);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

pid_t start_fleetsim(const std::vector<std::string>& args) {
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(FLEETSIM_BINARY));
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(FLEETSIM_BINARY, argv.data());
        _exit(127);
    }
    return pid;
}

int wait_child(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace fleetsim::test
