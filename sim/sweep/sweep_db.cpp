#include "sim/sweep/sweep_db.hpp"

#include "sim/config/input_error.hpp"
#include "sim/io/csv.hpp"
#include "sim/schema/schema.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <unistd.h>

namespace fleetsim::sweep {
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// 2: the points table gained the fleet_* columns of point_figures() after fleet_utilization.
// 3: the points table gained the llm_* and video_* columns (summary.json `families`); the
//    settings, stats, paired and effects tables and the points_plain and results_plain views
//    appeared; meta gained base_fingerprint and analysis.
constexpr const char* kSchemaVersion = "3";

/** `name` as an SQL identifier: in double quotes, inner quotes doubled. */
std::string ident(const std::string& name) {
    std::string out = "\"";
    for (char c : name) {
        out += c;
        if (c == '"')
            out += '"';
    }
    return out + "\"";
}

/** The classes table's columns (classes.csv's), each with whether it holds words. */
struct ClassColumn {
    std::string name;
    bool text = false;  ///< words (TEXT); every other column holds a number or nothing (REAL)
};

const std::vector<ClassColumn>& class_columns() {
    static const std::vector<ClassColumn> columns = [] {
        std::vector<ClassColumn> out;
        for (const auto& f : fields_info<ClassFigures>()) {
            if (f.in_csv())
                out.push_back({std::string(f.name), f.kind == ValueKind::text});
        }
        return out;
    }();
    return columns;
}

std::vector<std::string> class_column_names() {
    std::vector<std::string> out;
    for (const auto& c : class_columns())
        out.push_back(c.name);
    return out;
}

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string host_name() {
    char buf[256] = {0};
    gethostname(buf, sizeof buf - 1);
    return buf;
}

std::vector<std::string> table_columns(SQLite::Database& db,
                                       const std::string& schema,
                                       const std::string& table) {
    std::vector<std::string> out;
    SQLite::Statement q(db, fmt::format("PRAGMA {}.table_info({})", schema, ident(table)));
    while (q.executeStep())
        out.push_back(q.getColumn(1).getString());
    return out;
}

void bind_cell(SQLite::Statement& q, int index, const ClassColumn& column, const std::string& v) {
    if (v.empty()) {
        q.bind(index);
        return;
    }
    if (!column.text) {
        double d = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
        if (ec == std::errc() && p == v.data() + v.size()) {
            q.bind(index, d);
            return;
        }
    }
    q.bind(index, v);
}

void bind_value(SQLite::Statement& q, int index, const SweptValue& v) {
    switch (v.kind) {
        case SweptValue::Kind::integer:
            q.bind(index, static_cast<int64_t>(v.integer));
            break;
        case SweptValue::Kind::real:
            q.bind(index, v.real);
            break;
        case SweptValue::Kind::text:
            q.bind(index, v.text);
            break;
    }
}

/** A cell of an exported CSV: numbers as the shortest text that reads back the same double. */
void write_cell(CsvWriter& out, const SQLite::Column& c) {
    if (c.isNull())
        out.empty();
    else if (c.isInteger())
        out.field(static_cast<long long>(c.getInt64()));
    else if (c.isFloat())
        out.field(c.getDouble());
    else
        out.field(c.getString());
}

/** Writes `path` through a temporary file renamed into place: `write` fills the stream. */
void write_atomically(const fs::path& path, const std::function<void(std::ostream&)>& write) {
    const fs::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary);
        write(out);
        out.flush();
        if (!out)
            throw std::runtime_error("cannot write " + tmp.string());
    }
    fs::rename(tmp, path);
}

/** An SQL name for a swept key that needs no quotes: every character but letters, digits and
 * '_' becomes '_' (workload.classes.video-gen.price_usd_per_unit ->
 * workload_classes_video_gen_price_usd_per_unit); a name already taken gets "_key". */
std::vector<std::string> plain_names(const std::vector<std::string>& keys) {
    std::vector<std::string> taken = reserved_columns();
    std::vector<std::string> out;
    for (const auto& k : keys) {
        std::string name;
        for (char c : k)
            name += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
        if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())))
            name = "k_" + name;
        while (std::find(taken.begin(), taken.end(), name) != taken.end())
            name += "_key";
        taken.push_back(name);
        out.push_back(name);
    }
    return out;
}

/** The plan's points, all pending, into an empty points table. */
void insert_points(SQLite::Database& db, const SweepPlan& plan) {
    std::string names = "point_id, point_key", marks = "?, ?";
    for (const auto& k : plan.keys) {
        names += ", " + ident(k);
        marks += ", ?";
    }
    names += ", seed, replication";
    marks += ", ?, ?";
    SQLite::Statement insert(db, fmt::format("INSERT INTO points ({}) VALUES ({})", names, marks));
    for (const auto& p : plan.points) {
        int i = 1;
        insert.bind(i++, static_cast<int64_t>(p.id));
        insert.bind(i++, p.point_key);
        for (const auto& v : p.values)
            bind_value(insert, i++, v);
        insert.bind(i++, static_cast<int64_t>(p.seed));
        insert.bind(i++, p.replication);
        insert.exec();
        insert.reset();
    }
}

void create_schema(SQLite::Database& db, const SweepPlan& plan) {
    std::string params;
    for (const auto& k : plan.keys)
        params += "    " + ident(k) + ",\n";  // no declared type: values keep the sweep file's
    std::string totals;
    for (const auto& t : point_figures())
        totals += fmt::format(",\n    {} REAL", t.column);
    db.exec(fmt::format(R"(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE points (
    point_id INTEGER PRIMARY KEY,
    point_key TEXT NOT NULL UNIQUE,
{}    seed INTEGER NOT NULL,
    replication INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    exit_code INTEGER,
    error TEXT,
    wall_s REAL,
    rank INTEGER{}
);
CREATE TABLE runs (
    run_id INTEGER PRIMARY KEY,
    started_utc TEXT NOT NULL,
    finished_utc TEXT,
    host TEXT,
    pid INTEGER,
    jobs INTEGER,
    ranks INTEGER,
    shard TEXT,
    mpi_library TEXT,
    points_done INTEGER,
    points_failed INTEGER,
    outcome TEXT NOT NULL,
    source TEXT
);)",
                        params, totals));
    std::string class_cols;
    for (const auto& c : class_columns())
        class_cols += fmt::format("    {} {},\n", ident(c.name), c.text ? "TEXT" : "REAL");
    db.exec(fmt::format(R"(
CREATE TABLE classes (
    point_id INTEGER NOT NULL REFERENCES points (point_id),
    class_index INTEGER NOT NULL,
{}    PRIMARY KEY (point_id, class_index)
) WITHOUT ROWID;)",
                        class_cols));
    // The view results.csv is exported from: one row per finished point and class.
    std::string cols = "p.point_id AS point_id, p.status AS status";
    for (const auto& k : plan.keys)
        cols += fmt::format(", p.{0} AS {0}", ident(k));
    cols += ", p.seed AS seed, p.replication AS replication";
    for (const auto& c : class_columns())
        cols += fmt::format(", c.{0} AS {0}", ident(c.name));
    db.exec(fmt::format(
        "CREATE VIEW results AS SELECT {} FROM points p LEFT JOIN classes c ON c.point_id = "
        "p.point_id WHERE p.status <> 'pending' ORDER BY p.point_id, c.class_index;",
        cols));
    // The same two tables with each swept key under a name SQL needs no quotes for.
    const auto plain = plain_names(plan.keys);
    std::string point_cols = "point_id, point_key", result_cols = "point_id, status";
    for (std::size_t k = 0; k < plan.keys.size(); ++k) {
        point_cols += fmt::format(", {} AS {}", ident(plan.keys[k]), plain[k]);
        result_cols += fmt::format(", {} AS {}", ident(plan.keys[k]), plain[k]);
    }
    point_cols += ", seed, replication, status, exit_code, error, wall_s, rank";
    for (const auto& t : point_figures())
        point_cols += ", " + t.column;
    result_cols += ", seed, replication";
    for (const auto& c : class_columns())
        result_cols += ", " + ident(c.name);
    db.exec(fmt::format("CREATE VIEW points_plain AS SELECT {} FROM points;", point_cols));
    db.exec(fmt::format("CREATE VIEW results_plain AS SELECT {} FROM results;", result_cols));
    // Statistics over the seeds (docs/sweeps.md, "Statistics"): rewritten from the points and
    // classes tables at the end of every invocation.
    std::string setting_keys;
    for (const auto& k : plan.keys)
        setting_keys += "    " + ident(k) + ",\n";
    db.exec(fmt::format(R"(
CREATE TABLE settings (
    setting_id INTEGER PRIMARY KEY,
{}    points INTEGER NOT NULL,
    done INTEGER NOT NULL,
    failed INTEGER NOT NULL
);
CREATE TABLE stats (
    setting_id INTEGER NOT NULL REFERENCES settings (setting_id),
    "class" TEXT NOT NULL,
    figure TEXT NOT NULL,
    n INTEGER NOT NULL,
    mean REAL, sd REAL, ci95_low REAL, ci95_high REAL,
    PRIMARY KEY (setting_id, "class", figure)
) WITHOUT ROWID;
CREATE TABLE paired (
    setting_id INTEGER NOT NULL REFERENCES settings (setting_id),
    baseline_setting_id INTEGER NOT NULL REFERENCES settings (setting_id),
    "class" TEXT NOT NULL,
    figure TEXT NOT NULL,
    n INTEGER NOT NULL,
    mean_difference REAL, sd_difference REAL, ci95_low REAL, ci95_high REAL,
    PRIMARY KEY (setting_id, "class", figure)
) WITHOUT ROWID;
CREATE TABLE effects (
    effect_id INTEGER PRIMARY KEY,
    design INTEGER NOT NULL,
    method TEXT NOT NULL,
    context TEXT NOT NULL,
    "key" TEXT NOT NULL,
    low REAL, high REAL,
    "class" TEXT NOT NULL,
    figure TEXT NOT NULL,
    n INTEGER NOT NULL,
    slope REAL, slope_ci95_low REAL, slope_ci95_high REAL,
    change REAL, change_ci95_low REAL, change_ci95_high REAL
);)",
                        setting_keys));

    SQLite::Statement meta(db, "INSERT INTO meta (key, value) VALUES (?, ?)");
    Json keys = plan.keys;
    const std::vector<std::pair<std::string, std::string>> rows = {
        {"schema_version", kSchemaVersion},
        {"name", plan.name},
        {"sweep_file", plan.sweep_file},
        {"base", plan.base},
        {"keys", keys.dump()},
        {"points", std::to_string(plan.points.size())},
        {"fingerprint", plan.fingerprint},
        {"base_fingerprint", plan.base_fingerprint},
        {"analysis", analysis_to_json(plan.analysis, plan.keys).dump()},
        {"version", fleetsim_version()}};
    for (const auto& [k, v] : rows) {
        meta.bind(1, k);
        meta.bind(2, v);
        meta.exec();
        meta.reset();
    }
    insert_points(db, plan);
}

void set_meta(SQLite::Database& db, const std::string& key, const std::string& value) {
    SQLite::Statement q(db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    q.bind(1, key);
    q.bind(2, value);
    q.exec();
}

/** A file SQLite cannot read (garbage, a truncated copy) is bad input naming the file. */
[[noreturn]] void refuse_unreadable(const std::string& file, const std::string& why) {
    throw InputError(SourceSpan{file, 0, 0}, "",
                     "not a readable sweep database (SQLite: " + why +
                         "): a damaged, truncated or foreign file; move it away, or choose "
                         "another folder with --out");
}

bool unreadable(const SQLite::Exception& e) {
    const int code = e.getErrorCode() & 0xff;  // the primary code of an extended one
    return code == SQLITE_NOTADB || code == SQLITE_CORRUPT || code == SQLITE_CANTOPEN ||
           code == SQLITE_IOERR;
}

/**
 * Reads every page of `schema` once (PRAGMA quick_check) before anything relies on it, so that
 * a damaged file is refused by name here rather than as an internal error halfway through.
 */
void check_readable(SQLite::Database& db, const std::string& schema, const std::string& file) {
    try {
        SQLite::Statement q(db, fmt::format("PRAGMA {}.quick_check", schema));
        if (q.executeStep()) {
            const std::string result = q.getColumn(0).getString();
            if (result != "ok")
                refuse_unreadable(file, result);
        }
    } catch (const SQLite::Exception& e) {
        if (unreadable(e))
            refuse_unreadable(file, e.what());
        throw;
    }
}

/** Attaches `file` as schema src, refusing by name one SQLite cannot read. */
void attach_source(SQLite::Database& db, const std::string& file) {
    try {
        SQLite::Statement attach(db, "ATTACH DATABASE ? AS src");
        attach.bind(1, file);
        attach.exec();
    } catch (const SQLite::Exception& e) {
        if (unreadable(e))
            refuse_unreadable(file, e.what());
        throw;
    }
    check_readable(db, "src", file);
}

std::unique_ptr<SQLite::Database> open_file(const std::string& path, bool create) {
    try {
        auto db = std::make_unique<SQLite::Database>(
            path, SQLite::OPEN_READWRITE | (create ? SQLite::OPEN_CREATE : 0));
        db->setBusyTimeout(10000);  // a reader (a notebook, `fleetsim report`) may hold it briefly
        check_readable(*db, "main", path);
        db->exec("PRAGMA journal_mode = WAL");
        // FULL: a committed point survives power loss, not only a killed process. One fsync per
        // point is small against a point's run (docs/performance.md, "Sweeps").
        db->exec("PRAGMA synchronous = FULL");
        return db;
    } catch (const SQLite::Exception& e) {
        if (unreadable(e))
            refuse_unreadable(path, e.what());
        throw;
    }
}

bool has_meta(SQLite::Database& db, const std::string& schema = "main") {
    SQLite::Statement q(
        db, fmt::format("SELECT count(*) FROM {}.sqlite_master WHERE type = 'table' AND name = "
                        "'meta'",
                        schema));
    q.executeStep();
    return q.getColumn(0).getInt() == 1;
}

std::string meta_of(SQLite::Database& db, const std::string& schema, const std::string& key) {
    SQLite::Statement q(db, fmt::format("SELECT value FROM {}.meta WHERE key = ?", schema));
    q.bind(1, key);
    return q.executeStep() ? q.getColumn(0).getString() : std::string();
}

/**
 * A database of another schema (an older fleetsim's: fewer points columns) cannot take this
 * fleetsim's points or be exported as it documents: refuse it by name rather than fail in SQL.
 */
void check_schema(SQLite::Database& db, const std::string& schema, const std::string& file) {
    const std::string theirs = meta_of(db, schema, "schema_version");
    if (theirs == kSchemaVersion)
        return;
    throw InputError(
        SourceSpan{file, 0, 0}, "",
        fmt::format("was made by another fleetsim (sweep database schema {}, this fleetsim's is "
                    "{}; docs/sweeps.md, \"Database\"): run the sweep again into another folder "
                    "(--out), or use the fleetsim that made it",
                    theirs.empty() ? "unknown" : theirs, kSchemaVersion));
}

/** Writes the result of `sql` to `path` as CSV: a header of the column names, a row per row. */
void export_csv(SQLite::Database& db, const std::string& sql, const fs::path& path) {
    SQLite::Statement q(db, sql);
    write_atomically(path, [&](std::ostream& out) {
        CsvWriter csv(out);
        for (int i = 0; i < q.getColumnCount(); ++i)
            csv.field(q.getColumnName(i));
        csv.end_row();
        while (q.executeStep()) {
            for (int i = 0; i < q.getColumnCount(); ++i)
                write_cell(csv, q.getColumn(i));
            csv.end_row();
        }
        csv.finish();
    });
}

}  // namespace

std::string db_path(const std::string& path) {
    return fs::is_directory(path) ? (fs::path(path) / "sweep.db").string() : path;
}

SweepDb::SweepDb(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}
SweepDb::SweepDb(SweepDb&&) noexcept = default;
SweepDb& SweepDb::operator=(SweepDb&&) noexcept = default;
SweepDb::~SweepDb() = default;

namespace {

/**
 * Renumbers the points of a sweep whose file grew (more seeds, replications or values; the
 * same base scenario, `set`, keys and fleetsim): every finished point is matched by its
 * point_key (its values and seed) and keeps its row and its classes under its new id; the new
 * points are pending. All in one transaction. A finished point the file no longer has is an
 * InputError: a sweep may grow, but what it ran is never dropped.
 */
Growth grow(SQLite::Database& db, const SweepPlan& plan, const std::string& path) {
    Growth g;
    g.before = std::stoll(meta_of(db, "main", "points"));
    g.after = static_cast<long long>(plan.points.size());
    SQLite::Transaction t(db);
    db.exec("CREATE TEMP TABLE plan_keys (point_key TEXT PRIMARY KEY) WITHOUT ROWID");
    {
        SQLite::Statement insert(db, "INSERT OR IGNORE INTO temp.plan_keys VALUES (?)");
        for (const auto& p : plan.points) {
            insert.bind(1, p.point_key);
            insert.exec();
            insert.reset();
        }
    }
    {
        SQLite::Statement dropped(db,
                                  "SELECT count(*), min(point_id) FROM points WHERE status <> "
                                  "'pending' AND point_key NOT IN (SELECT point_key FROM "
                                  "temp.plan_keys)");
        dropped.executeStep();
        if (const long long n = dropped.getColumn(0).getInt64(); n > 0) {
            throw InputError(
                SourceSpan{plan.sweep_file, 0, 0}, "",
                fmt::format("{} has {} finished point{} that this sweep file no longer makes "
                            "(point {} first): a sweep may grow (more seeds, replications or "
                            "values) but not drop what it ran. Choose another folder with --out",
                            path, n, n == 1 ? "" : "s", dropped.getColumn(1).getInt64()));
        }
    }
    db.exec("CREATE TEMP TABLE old_points AS SELECT * FROM points");
    db.exec("CREATE TEMP TABLE old_classes AS SELECT * FROM classes");
    db.exec("DELETE FROM classes");
    db.exec("DELETE FROM points");
    insert_points(db, plan);
    std::string sets =
        "status = o.status, exit_code = o.exit_code, error = o.error, wall_s = "
        "o.wall_s, rank = o.rank";
    for (const auto& c : point_figures())
        sets += fmt::format(", {0} = o.{0}", c.column);
    db.exec("UPDATE points SET " + sets +
            " FROM temp.old_points o WHERE o.point_key = points.point_key");
    std::string cols = "p.point_id, c.class_index";
    for (const auto& c : class_columns())
        cols += ", c." + ident(c.name);
    db.exec("INSERT INTO classes SELECT " + cols +
            " FROM temp.old_classes c JOIN temp.old_points o ON o.point_id = c.point_id JOIN "
            "points p ON p.point_key = o.point_key");
    {
        SQLite::Statement kept(db, "SELECT count(*) FROM points WHERE status <> 'pending'");
        kept.executeStep();
        g.kept = kept.getColumn(0).getInt64();
    }
    // What grew: settings (the swept values) and seeds the folder had no point of.
    {
        std::string keys;
        for (const auto& k : plan.keys)
            keys += (keys.empty() ? "" : ", ") + ident(k);
        if (!keys.empty()) {
            SQLite::Statement settings(
                db, fmt::format("SELECT count(*) FROM (SELECT {0} FROM points EXCEPT SELECT {0} "
                                "FROM temp.old_points)",
                                keys));
            settings.executeStep();
            g.new_settings = settings.getColumn(0).getInt64();
        }
        SQLite::Statement seeds(db,
                                "SELECT seed FROM points EXCEPT SELECT seed FROM "
                                "temp.old_points ORDER BY seed");
        while (seeds.executeStep())
            g.new_seeds.push_back(seeds.getColumn(0).getInt64());
    }
    set_meta(db, "fingerprint", plan.fingerprint);
    set_meta(db, "points", std::to_string(plan.points.size()));
    db.exec("DROP TABLE temp.old_classes");
    db.exec("DROP TABLE temp.old_points");
    db.exec("DROP TABLE temp.plan_keys");
    t.commit();
    return g;
}

}  // namespace

SweepDb SweepDb::open_for(const SweepPlan& plan, const std::string& dir, Growth* growth) {
    create_folder(dir, "--out");
    const std::string path = (fs::path(dir) / "sweep.db").string();
    SweepDb out(open_file(path, true));
    SQLite::Database& db = *out.db_;
    if (!has_meta(db)) {
        // Created in one transaction: a kill during creation leaves no half-made sweep.
        SQLite::Transaction t(db);
        create_schema(db, plan);
        t.commit();
        return out;
    }
    check_schema(db, "main", path);
    const std::string theirs = meta_of(db, "main", "fingerprint");
    if (theirs != plan.fingerprint) {
        if (meta_of(db, "main", "base_fingerprint") != plan.base_fingerprint) {
            throw InputError(
                SourceSpan{plan.sweep_file, 0, 0}, "",
                fmt::format("{} holds another sweep (fingerprint {}, this file gives {}): the "
                            "base scenario, `set`, the swept keys or fleetsim changed since it "
                            "was made (a sweep may only grow: more seeds, replications or "
                            "values). Choose another folder with --out, or delete {} to start "
                            "over",
                            path, theirs, plan.fingerprint, dir));
        }
        const Growth g = grow(db, plan, path);
        if (growth != nullptr)
            *growth = g;
    }
    // The baseline and the designs say how to analyse, not what ran: the file's own are used.
    set_meta(db, "analysis", analysis_to_json(plan.analysis, plan.keys).dump());
    auto cols = table_columns(db, "main", "classes");
    if (cols.size() < 2 ||
        std::vector<std::string>(cols.begin() + 2, cols.end()) != class_column_names()) {
        throw InputError(SourceSpan{path, 0, 0}, "",
                         "its classes table does not have the columns of this fleetsim's "
                         "classes.csv: it was made by another version; choose another --out");
    }
    return out;
}

std::string SweepDb::fingerprint_of(const std::string& path) {
    const std::string file = db_path(path);
    if (!fs::exists(file))
        throw InputError(SourceSpan{path, 0, 0}, "", "not a sweep folder: no sweep.db in it");
    try {
        // Read-only, and no journal mode set: open_file's `journal_mode = WAL` would write a
        // database header into a short file of the user's named by mistake.
        SQLite::Database db(file, SQLite::OPEN_READONLY);
        db.setBusyTimeout(10000);
        check_readable(db, "main", file);
        if (!has_meta(db))
            throw InputError(SourceSpan{file, 0, 0}, "",
                             "not a sweep database: it has no meta table");
        check_schema(db, "main", file);
        return meta_of(db, "main", "fingerprint");
    } catch (const SQLite::Exception& e) {
        if (unreadable(e))
            refuse_unreadable(file, e.what());
        throw;
    }
}

SweepDb SweepDb::create_like(const std::string& source, const std::string& dir) {
    const std::string file = db_path(source);
    if (!fs::exists(file))
        throw InputError(SourceSpan{source, 0, 0}, "", "not a sweep folder: no sweep.db in it");
    create_folder(dir, "OUT");
    SweepDb out(open_file((fs::path(dir) / "sweep.db").string(), true));
    SQLite::Database& db = *out.db_;
    if (has_meta(db)) {
        check_schema(db, "main", (fs::path(dir) / "sweep.db").string());
        return out;
    }
    attach_source(db, file);
    {
        if (!has_meta(db, "src"))
            throw InputError(SourceSpan{file, 0, 0}, "",
                             "not a sweep database: it has no meta table");
        check_schema(db, "src", file);
        SQLite::Transaction t(db);
        std::vector<std::string> ddl;
        SQLite::Statement q(db,
                            "SELECT sql FROM src.sqlite_master WHERE type IN ('table', 'view') "
                            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid");
        while (q.executeStep())
            ddl.push_back(q.getColumn(0).getString());
        for (const auto& sql : ddl)
            db.exec(sql);
        db.exec("INSERT INTO main.meta SELECT * FROM src.meta");
        db.exec("INSERT INTO main.points SELECT * FROM src.points");
        std::string reset =
            "UPDATE main.points SET status = 'pending', exit_code = NULL, "
            "error = NULL, wall_s = NULL, rank = NULL";
        for (const auto& c : point_figures())
            reset += fmt::format(", {} = NULL", c.column);
        db.exec(reset);
        t.commit();
    }
    db.exec("DETACH DATABASE src");
    return out;
}

std::string SweepDb::meta(const std::string& key) const {
    return meta_of(*db_, "main", key);
}

std::vector<long long> SweepDb::unfinished(bool retry_failed) const {
    std::vector<long long> out;
    SQLite::Statement q(*db_, retry_failed ? "SELECT point_id FROM points WHERE status <> 'done' "
                                             "ORDER BY point_id"
                                           : "SELECT point_id FROM points WHERE status = "
                                             "'pending' ORDER BY point_id");
    while (q.executeStep())
        out.push_back(q.getColumn(0).getInt64());
    return out;
}

PointCounts SweepDb::counts() const {
    PointCounts c;
    SQLite::Statement q(*db_, "SELECT status, count(*) FROM points GROUP BY status");
    while (q.executeStep()) {
        const std::string s = q.getColumn(0).getString();
        const long long n = q.getColumn(1).getInt64();
        c.total += n;
        if (s == "done")
            c.done = n;
        else if (s == "failed")
            c.failed = n;
    }
    return c;
}

void SweepDb::record(const PointOutcome& o) {
    if (o.status == PointOutcome::Status::interrupted)
        return;
    SQLite::Transaction t(*db_);
    std::string sets = "status = ?, exit_code = ?, error = ?, wall_s = ?, rank = ?";
    for (const auto& c : point_figures())
        sets += fmt::format(", {} = ?", c.column);
    SQLite::Statement update(*db_, "UPDATE points SET " + sets + " WHERE point_id = ?");
    int i = 1;
    update.bind(i++, status_name(o.status));
    if (o.exit_code)
        update.bind(i++, *o.exit_code);
    else
        update.bind(i++);
    if (o.error.empty())
        update.bind(i++);
    else
        update.bind(i++, o.error);
    update.bind(i++, o.wall_s);
    update.bind(i++, o.rank);
    for (const auto& c : point_figures()) {
        auto it = o.totals.find(c.column);
        if (it == o.totals.end())
            update.bind(i++);
        else
            update.bind(i++, it->second);
    }
    update.bind(i++, static_cast<int64_t>(o.point_id));
    if (update.exec() != 1)
        throw std::runtime_error(fmt::format("sweep.db has no point {}", o.point_id));

    SQLite::Statement clear(*db_, "DELETE FROM classes WHERE point_id = ?");
    clear.bind(1, static_cast<int64_t>(o.point_id));
    clear.exec();
    const auto& columns = class_columns();
    std::string marks = "?, ?";
    for (std::size_t k = 0; k < columns.size(); ++k)
        marks += ", ?";
    SQLite::Statement insert(*db_, "INSERT INTO classes VALUES (" + marks + ")");
    for (std::size_t r = 0; r < o.rows.size(); ++r) {
        insert.bind(1, static_cast<int64_t>(o.point_id));
        insert.bind(2, static_cast<int64_t>(r));
        for (std::size_t k = 0; k < columns.size(); ++k)
            bind_cell(insert, static_cast<int>(k) + 3, columns[k], o.rows[r].at(k));
        insert.exec();
        insert.reset();
    }
    t.commit();
}

long long SweepDb::begin_run(const RunInfo& info) {
    SQLite::Statement q(*db_,
                        "INSERT INTO runs (started_utc, host, pid, jobs, ranks, shard, "
                        "mpi_library, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, 'running')");
    q.bind(1, utc_now());
    q.bind(2, host_name());
    q.bind(3, static_cast<int64_t>(::getpid()));
    q.bind(4, info.jobs);
    q.bind(5, info.ranks);
    if (info.shard.empty())
        q.bind(6);
    else
        q.bind(6, info.shard);
    if (info.mpi_library.empty())
        q.bind(7);
    else
        q.bind(7, info.mpi_library);
    q.exec();
    return db_->getLastInsertRowid();
}

void SweepDb::end_run(long long run_id, const std::string& outcome, const PointCounts& c) {
    SQLite::Statement q(*db_,
                        "UPDATE runs SET finished_utc = ?, points_done = ?, points_failed = ?, "
                        "outcome = ? WHERE run_id = ?");
    q.bind(1, utc_now());
    q.bind(2, static_cast<int64_t>(c.done));
    q.bind(3, static_cast<int64_t>(c.failed));
    q.bind(4, outcome);
    q.bind(5, static_cast<int64_t>(run_id));
    q.exec();
}

long long SweepDb::merge_from(const std::string& other) {
    const std::string file = db_path(other);
    if (!fs::exists(file))
        throw InputError(SourceSpan{other, 0, 0}, "", "not a sweep folder: no sweep.db in it");
    attach_source(*db_, file);
    struct Detach {
        SQLite::Database& db;
        ~Detach() {
            try {
                db.exec("DETACH DATABASE src");
            } catch (const std::exception&) {
            }
        }
    } detach{*db_};
    if (!has_meta(*db_, "src"))
        throw InputError(SourceSpan{file, 0, 0}, "", "not a sweep database: it has no meta table");
    check_schema(*db_, "src", file);
    const std::string mine = meta(std::string("fingerprint"));
    const std::string theirs = meta_of(*db_, "src", "fingerprint");
    if (mine != theirs) {
        throw InputError(SourceSpan{file, 0, 0}, "",
                         fmt::format("holds another sweep (fingerprint {}, expected {}): only "
                                     "shards of one sweep can be merged",
                                     theirs, mine));
    }
    for (const char* table : {"points", "classes"}) {
        if (table_columns(*db_, "main", table) != table_columns(*db_, "src", table))
            throw InputError(SourceSpan{file, 0, 0}, "",
                             std::string("its ") + table +
                                 " table differs from the merged one's (another fleetsim version)");
    }
    SQLite::Transaction t(*db_);
    db_->exec(
        "CREATE TEMP TABLE take AS SELECT s.point_id FROM src.points s JOIN main.points m ON "
        "m.point_id = s.point_id WHERE s.point_key = m.point_key AND s.status <> 'pending' AND "
        "(m.status = 'pending' OR (m.status = 'failed' AND s.status = 'done'))");
    long long taken = 0;
    {
        SQLite::Statement n(*db_, "SELECT count(*) FROM temp.take");
        n.executeStep();
        taken = n.getColumn(0).getInt64();
    }
    db_->exec("DELETE FROM main.classes WHERE point_id IN (SELECT point_id FROM temp.take)");
    db_->exec("DELETE FROM main.points WHERE point_id IN (SELECT point_id FROM temp.take)");
    db_->exec(
        "INSERT INTO main.points SELECT * FROM src.points WHERE point_id IN (SELECT point_id "
        "FROM temp.take)");
    db_->exec(
        "INSERT INTO main.classes SELECT * FROM src.classes WHERE point_id IN (SELECT point_id "
        "FROM temp.take)");
    SQLite::Statement runs(
        *db_,
        "INSERT INTO main.runs (started_utc, finished_utc, host, pid, jobs, ranks, shard, "
        "mpi_library, points_done, points_failed, outcome, source) SELECT started_utc, "
        "finished_utc, host, pid, jobs, ranks, shard, mpi_library, points_done, points_failed, "
        "outcome, coalesce(source, ?) FROM src.runs ORDER BY run_id");
    runs.bind(1, fs::absolute(file).lexically_normal().string());
    runs.exec();
    db_->exec("DROP TABLE temp.take");
    t.commit();
    return taken;
}

namespace {

/** An interval's cells: mean, sd, low, high (empty where there is none). */
void write_interval(CsvWriter& csv, const Interval& i) {
    csv.field(i.mean).field(i.sd).field(i.low).field(i.high);
}

void bind_optional(SQLite::Statement& q, int index, const std::optional<double>& v) {
    if (v)
        q.bind(index, *v);
    else
        q.bind(index);
}

void bind_interval(SQLite::Statement& q, int first, const Interval& i) {
    q.bind(first, i.mean);
    bind_optional(q, first + 1, i.sd);
    bind_optional(q, first + 2, i.low);
    bind_optional(q, first + 3, i.high);
}

std::optional<double> times(const std::optional<double>& v, double f) {
    return v ? std::optional(*v * f) : std::nullopt;
}

}  // namespace

void SweepDb::store_statistics(const SweepRuns& runs, const SweepStatistics& stats) const {
    SQLite::Database& db = *db_;
    SQLite::Transaction t(db);
    for (const char* table : {"effects", "paired", "stats", "settings"})
        db.exec(std::string("DELETE FROM ") + table);
    std::string key_cols;
    for (const auto& k : runs.keys)
        key_cols += ", " + ident(k);
    // A setting's values are those of its first point, with their types.
    SQLite::Statement setting(
        db, fmt::format("INSERT INTO settings (setting_id{0}, points, done, failed) SELECT ?{0}, "
                        "?, ?, ? FROM points WHERE point_id = ?",
                        key_cols));
    for (const auto& s : stats.settings) {
        setting.bind(1, static_cast<int64_t>(s.id));
        setting.bind(2, static_cast<int64_t>(s.points));
        setting.bind(3, static_cast<int64_t>(s.done));
        setting.bind(4, static_cast<int64_t>(s.failed));
        setting.bind(5, static_cast<int64_t>(s.first_point));
        setting.exec();
        setting.reset();
    }
    SQLite::Statement stat(db, "INSERT INTO stats VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& r : stats.stats) {
        const FigureId& f = runs.figures[r.figure];
        stat.bind(1, static_cast<int64_t>(stats.settings[r.setting].id));
        stat.bind(2, f.cls);
        stat.bind(3, f.figure);
        stat.bind(4, static_cast<int64_t>(r.interval.n));
        bind_interval(stat, 5, r.interval);
        stat.exec();
        stat.reset();
    }
    SQLite::Statement pair(db, "INSERT INTO paired VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& r : stats.paired) {
        const FigureId& f = runs.figures[r.figure];
        pair.bind(1, static_cast<int64_t>(stats.settings[r.setting].id));
        pair.bind(2, static_cast<int64_t>(stats.settings[r.baseline].id));
        pair.bind(3, f.cls);
        pair.bind(4, f.figure);
        pair.bind(5, static_cast<int64_t>(r.difference.n));
        bind_interval(pair, 6, r.difference);
        pair.exec();
        pair.reset();
    }
    SQLite::Statement effect(
        db,
        "INSERT INTO effects (design, method, context, \"key\", low, high, \"class\", "
        "figure, n, slope, slope_ci95_low, slope_ci95_high, change, change_ci95_low, "
        "change_ci95_high) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    const Analysis analysis = analysis_from_json(Json::parse(meta("analysis")), runs.keys);
    for (const auto& e : stats.effects) {
        const Design& d = analysis.designs.at(e.design);
        Json context = Json::object();
        for (std::size_t k = 0; k < runs.keys.size(); ++k) {
            if (std::find(d.keys.begin(), d.keys.end(), k) == d.keys.end())
                context[runs.keys[k]] = e.context[k];
        }
        const FigureId& f = runs.figures[e.figure];
        const double range = e.high - e.low;
        effect.bind(1, static_cast<int64_t>(d.block));
        effect.bind(2, design_name(d.kind));
        effect.bind(3, context.dump());
        effect.bind(4, runs.keys[e.key]);
        effect.bind(5, e.low);
        effect.bind(6, e.high);
        effect.bind(7, f.cls);
        effect.bind(8, f.figure);
        effect.bind(9, static_cast<int64_t>(e.n));
        effect.bind(10, e.slope);
        bind_optional(effect, 11, e.slope_low);
        bind_optional(effect, 12, e.slope_high);
        effect.bind(13, e.slope * range);
        bind_optional(effect, 14, times(e.slope_low, range));
        bind_optional(effect, 15, times(e.slope_high, range));
        effect.exec();
        effect.reset();
    }
    t.commit();
}

void write_statistics(const std::string& dir,
                      const SweepRuns& runs,
                      const Analysis& analysis,
                      const SweepStatistics& stats) {
    auto header = [&](CsvWriter& csv, std::initializer_list<const char*> before,
                      std::initializer_list<const char*> after) {
        for (const char* h : before)
            csv.field(h);
        for (const auto& k : runs.keys)
            csv.field(k);
        for (const char* h : after)
            csv.field(h);
        csv.end_row();
    };
    auto values = [&](CsvWriter& csv, const std::vector<std::string>& v) {
        for (const auto& x : v)
            csv.field(x);
    };
    write_atomically(fs::path(dir) / "stats.csv", [&](std::ostream& out) {
        CsvWriter csv(out);
        header(csv, {"setting_id"},
               {"class", "figure", "n", "mean", "sd", "ci95_low", "ci95_high"});
        for (const auto& r : stats.stats) {
            const Setting& s = stats.settings[r.setting];
            const FigureId& f = runs.figures[r.figure];
            csv.field(s.id);
            values(csv, s.values);
            csv.field(f.cls).field(f.figure).field(r.interval.n);
            write_interval(csv, r.interval);
            csv.end_row();
        }
        csv.finish();
    });
    write_atomically(fs::path(dir) / "paired.csv", [&](std::ostream& out) {
        CsvWriter csv(out);
        header(csv, {"setting_id"},
               {"baseline_setting_id", "class", "figure", "n", "mean_difference", "sd_difference",
                "ci95_low", "ci95_high"});
        for (const auto& r : stats.paired) {
            const Setting& s = stats.settings[r.setting];
            const FigureId& f = runs.figures[r.figure];
            csv.field(s.id);
            values(csv, s.values);
            csv.field(stats.settings[r.baseline].id).field(f.cls).field(f.figure);
            csv.field(r.difference.n);
            write_interval(csv, r.difference);
            csv.end_row();
        }
        csv.finish();
    });
    write_atomically(fs::path(dir) / "effects.csv", [&](std::ostream& out) {
        CsvWriter csv(out);
        header(csv, {"design", "method"},
               {"key", "low", "high", "class", "figure", "n", "slope", "slope_ci95_low",
                "slope_ci95_high", "change", "change_ci95_low", "change_ci95_high"});
        for (const auto& e : stats.effects) {
            const Design& d = analysis.designs.at(e.design);
            const FigureId& f = runs.figures[e.figure];
            const double range = e.high - e.low;
            csv.field(d.block).field(design_name(d.kind));
            values(csv, e.context);
            csv.field(runs.keys[e.key]).field(e.low).field(e.high).field(f.cls).field(f.figure);
            csv.field(e.n).field(e.slope).field(e.slope_low).field(e.slope_high);
            csv.field(e.slope * range)
                .field(times(e.slope_low, range))
                .field(times(e.slope_high, range));
            csv.end_row();
        }
        csv.finish();
    });
}

void SweepDb::export_files(const std::string& dir) const {
    // points.csv: one row per finished point with the run's own totals. wall_s and rank are
    // left out (they say how the point ran, not what it gave), so the file is the same bytes
    // for any -j, rank count, shard split or resume, as results.csv is. Written first: if the
    // process dies between the two renames, points.csv holds every run results.csv does, which
    // is what the report needs (it reads the money figures of results.csv's runs from it).
    std::string cols = "point_id, status";
    for (const auto& k : Json::parse(meta("keys")))
        cols += ", " + ident(k.get<std::string>());
    cols += ", seed, replication, exit_code, error";
    for (const auto& c : point_figures())
        cols += fmt::format(", {}", c.column);
    export_csv(
        *db_,
        fmt::format("SELECT {} FROM points WHERE status <> 'pending' ORDER BY point_id", cols),
        fs::path(dir) / "points.csv");
    export_csv(*db_, "SELECT * FROM results", fs::path(dir) / "results.csv");
    const std::vector<std::string> keys = Json::parse(meta("keys")).get<std::vector<std::string>>();
    const Analysis analysis = analysis_from_json(Json::parse(meta("analysis")), keys);
    // The statistics read the two files just written, as the report does: one computation.
    const SweepRuns runs = read_sweep_runs((fs::path(dir) / "points.csv").string(),
                                           (fs::path(dir) / "results.csv").string(), keys);
    const SweepStatistics stats = compute_statistics(runs, analysis);
    store_statistics(runs, stats);
    write_statistics(dir, runs, analysis, stats);

    const PointCounts c = counts();
    Json j;
    j["name"] = meta("name");
    j["base"] = meta("base");
    j["keys"] = Json::parse(meta("keys"));
    j["points"] = c.total;
    j["version"] = meta("version");
    j["sweep_file"] = meta("sweep_file");
    j["fingerprint"] = meta("fingerprint");
    j["done"] = c.done;
    j["failed"] = c.failed;
    j["pending"] = c.pending();
    j["settings"] = stats.settings.size();
    j["analysis"] = Json::parse(meta("analysis"));
    write_atomically(fs::path(dir) / "sweep.json",
                     [&](std::ostream& out) { out << j.dump(2) << "\n"; });
}

}  // namespace fleetsim::sweep
