// The platform's failure model (`platform.failures`, optional: without it nothing fails): GPU
// failures per GPU type, node and rack failures per pool, planned maintenance windows, or a
// failure log replayed from a CSV file (one written by an earlier run, `failures.csv`). Each
// section's keys are a table (sim/config/key_table.hpp says how to add one); the checks that
// involve other keys or the platform follow each reader. docs/model.md ("Failures") says what
// the keys mean in the model.

#include "sim/config/sections.hpp"
#include "sim/io/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace fleetsim {

const char* to_string(FailureCause cause) {
    switch (cause) {
        case FailureCause::gpu:
            return "gpu";
        case FailureCause::node:
            return "node";
        case FailureCause::rack:
            return "rack";
        case FailureCause::maintenance:
            return "maintenance";
    }
    return "?";
}

namespace {

/** A Weibull mode keeps one clock per component (sim/generators/failure_source.hpp). */
constexpr long long kMaxWeibullComponents = 10'000'000;

const std::vector<std::string>& cause_names() {
    static const std::vector<std::string> names = {"gpu", "node", "rack", "maintenance"};
    return names;
}

}  // namespace

// ---- a failure mode (gpu_types.<gpu_type>, pools.<pool>.node, pools.<pool>.rack) -------------

KeyTable<FailureModeSpec> failure_mode_keys() {
    static const Key<FailureModeSpec> keys[] = {
        {.name = "mtbf_h",
         .member = &FailureModeSpec::mtbf_h,
         .range = Range::positive,
         .unit = "h",
         .help = "mean time between two failures of one component (one GPU, one node, one "
                 "rack); the rate of a gang of n GPUs is n / mtbf_h"},
        {.name = "weibull_shape",
         .member = &FailureModeSpec::weibull_shape,
         .need = Need::optional,
         .range = Range::positive,
         .help = "shape k of the Weibull distribution of the times between failures, mean "
                 "mtbf_h: 1 is exponential (a constant rate), below 1 early failures dominate, "
                 "above 1 wear-out; every component is new at t = 0"},
        {.name = "repair_s",
         .unit = "s",
         .type = "distribution of numbers > 0",
         .help = "how long the failed component's nodes stay down, drawn per failure from the "
                 "mode's own stream (a GPU failure takes its node down: an SXM GPU is not "
                 "swapped while its server runs)"},
    };
    return keys;
}

namespace {

FailureModeSpec read_failure_mode(const YamlValue& v) {
    FailureModeSpec mode;
    MapReader m(v, key_names(failure_mode_keys()));
    if (!m.ok())
        return mode;
    read_keys(m, failure_mode_keys(), mode, {{"repair_s", [&] {
                                                  if (auto r = m.required("repair_s"))
                                                      mode.repair_s =
                                                          read_distribution(*r, Range::positive);
                                              }}});
    return mode;
}

}  // namespace

// ---- node and rack failures of a pool (platform.failures.pools.<pool>)
// ---------------------------

KeyTable<PoolFailureSpec> pool_failure_keys() {
    static const Key<PoolFailureSpec> keys[] = {
        {.name = "node",
         .need = Need::optional,
         .type = "mapping (a failure mode)",
         .default_text = "no node failures",
         .help = "failures of a node as a whole (host, NIC, power supply): the node's GPUs go "
                 "down together"},
        {.name = "rack",
         .need = Need::optional,
         .type = "mapping (a failure mode)",
         .default_text = "no rack failures",
         .help = "failures of a rack (its top-of-rack switch or power feed): every node of the "
                 "rack (the pool's `nodes_per_rack`, from the fleet topology) goes down together"},
    };
    return keys;
}

// ---- maintenance windows (platform.failures.maintenance[])
// ---------------------------------------

KeyTable<MaintenanceSpec> maintenance_keys() {
    static const Key<MaintenanceSpec> keys[] = {
        {.name = "pool",
         .member = &MaintenanceSpec::pool,
         .type = "name of a pool",
         .help = "the pool whose nodes are drained"},
        {.name = "first_node",
         .member = &MaintenanceSpec::first_node,
         .need = Need::optional,
         .range = Range::non_negative,
         .unit = "node",
         .help = "the first node drained (0 is the pool's first)"},
        {.name = "nodes",
         .member = &MaintenanceSpec::nodes,
         .need = Need::optional,
         .range = Range{1, 10'000'000},
         .unit = "nodes",
         .also = "`first_node` + `nodes` <= the pool's nodes",
         .help = "how many consecutive nodes are drained"},
        {.name = "start_s",
         .member = &MaintenanceSpec::start_s,
         .range = Range::non_negative,
         .unit = "s",
         .help = "when the window opens: jobs on the nodes are stopped there (planned: they "
                 "keep all their work, and pay their restart cost)"},
        {.name = "duration_s",
         .member = &MaintenanceSpec::duration_s,
         .range = Range::positive,
         .unit = "s",
         .help = "how long the nodes stay down"},
    };
    return keys;
}

// ---- the failure model (platform.failures) -----------------------------------------------------

KeyTable<FailureSpec> failures_keys() {
    static const Key<FailureSpec> keys[] = {
        {.name = "gpu_types",
         .need = Need::optional,
         .type = "mapping of GPU types to failure modes",
         .default_text = "no GPU failures",
         .help = "GPU failures, per GPU type (keys: the failure mode's, below): every GPU of "
                 "that type fails on its own"},
        {.name = "pools",
         .need = Need::optional,
         .type = "mapping of pools",
         .default_text = "no node or rack failures",
         .help = "node and rack failures, per pool (keys below)"},
        {.name = "maintenance",
         .need = Need::optional,
         .type = "list of windows",
         .default_text = "none",
         .help = "planned maintenance windows (keys below): drained nodes, by the same path as "
                 "failures"},
        {.name = "log",
         .need = Need::optional,
         .type = "path",
         .also = "not with the three keys above",
         .default_text = "none",
         .help = "replay a failure log instead: a CSV file (relative to the file that holds the "
                 "platform) with columns `t_s`, `node` (a host name, `<pool>-<index>`), "
                 "`duration_s`, and optionally `gpu`, `cause`, `event`, in time order; the "
                 "`failures.csv` a run writes is one, so two policies can face the same failures"},
    };
    return keys;
}

namespace {

const PoolSpec* find_pool(const PlatformSpec& p, const std::string& name) {
    for (const auto& pool : p.pools) {
        if (pool.name == name)
            return &pool;
    }
    return nullptr;
}

void read_gpu_failures(const YamlValue& v, const PlatformSpec& p, FailureSpec& f) {
    for (const auto& [name, mode_value] : v.entries()) {
        if (!check_ref(mode_value, "GPU type", name, names_of(p.gpu_types)))
            continue;
        GpuFailureSpec g{name, read_failure_mode(mode_value)};
        long long gpus = 0;
        for (const auto& pool : p.pools) {
            if (pool.gpu_type == name)
                gpus += static_cast<long long>(pool.nodes) * pool.gpus_per_node;
        }
        if (g.mode.weibull_shape != 1.0 && gpus > kMaxWeibullComponents)
            mode_value.child("weibull_shape")
                .fail(fmt::format("expected at most {} GPUs under a Weibull failure mode (one "
                                  "clock per GPU; use weibull_shape 1), found {}",
                                  kMaxWeibullComponents, gpus));
        f.gpu_types.push_back(std::move(g));
    }
}

void read_pool_failures(const YamlValue& v, const PlatformSpec& p, FailureSpec& f) {
    for (const auto& [name, pool_value] : v.entries()) {
        if (!check_ref(pool_value, "pool", name, names_of(p.pools)))
            continue;
        MapReader m(pool_value, key_names(pool_failure_keys()));
        if (!m.ok())
            continue;
        PoolFailureSpec pf;
        pf.pool = name;
        read_keys(m, pool_failure_keys(), pf,
                  {{"node",
                    [&] {
                        if (m.has("node"))
                            pf.node = read_failure_mode(m.optional("node"));
                    }},
                   {"rack", [&] {
                        if (m.has("rack"))
                            pf.rack = read_failure_mode(m.optional("rack"));
                    }}});
        f.pools.push_back(std::move(pf));
    }
}

void read_maintenance(const YamlValue& v, const PlatformSpec& p, FailureSpec& f) {
    for (const auto& e : v.elements()) {
        MapReader m(e, key_names(maintenance_keys()));
        if (!m.ok())
            continue;
        MaintenanceSpec w;
        read_keys(m, maintenance_keys(), w);
        const PoolSpec* pool = find_pool(p, w.pool);
        if (!w.pool.empty() && pool == nullptr) {
            check_ref(m.optional("pool"), "pool", w.pool, names_of(p.pools));
        } else if (pool != nullptr &&
                   static_cast<long long>(w.first_node) + w.nodes > pool->nodes) {
            (m.has("nodes") ? m.optional("nodes") : m.optional("first_node"))
                .fail(fmt::format("expected first_node + nodes <= {} (the nodes of pool '{}'), "
                                  "found {} + {}",
                                  pool->nodes, w.pool, w.first_node, w.nodes));
        }
        f.maintenance.push_back(w);
    }
}

/** The log's path: absolute, or relative to the folder of the file that holds the platform. */
std::string log_path(const YamlValue& at, const std::string& named) {
    namespace fs = std::filesystem;
    const fs::path p(named);
    const std::string& holder = at.file();
    if (p.is_absolute() || holder.rfind("builtin:", 0) == 0 || holder.rfind("<", 0) == 0)
        return p.generic_string();
    return (fs::path(holder).parent_path() / p).lexically_normal().generic_string();
}

/**
 * Reads the failure log into f.log_rows. Every problem names the log's file, the row's line and
 * the column (as the key); in `fleetsim validate` each bad row is reported and reading goes on.
 */
void read_failure_log(const YamlValue& at, const PlatformSpec& p, FailureSpec& f) {
    const std::string path = log_path(at, f.log);
    Diagnostics& diagnostics = at.diagnostics();
    auto report = [&](const CsvError& e) {
        diagnostics.report(InputError(SourceSpan{e.file(), e.line(), e.column()},
                                      e.key().empty() ? at.path() : e.key(), e.message()));
    };
    if (!std::filesystem::is_regular_file(path)) {
        at.fail("cannot open the failure log '" + path + "'");
        return;
    }
    try {
        CsvReader csv(path);
        const std::size_t t_col = csv.column("t_s");
        const std::size_t node_col = csv.column("node");
        const std::size_t duration_col = csv.column("duration_s");
        const auto gpu_col = csv.find_column("gpu");
        const auto cause_col = csv.find_column("cause");
        const auto event_col = csv.find_column("event");
        std::vector<int> pool_of_name;
        double last_t = 0;
        CsvRow row;
        while (true) {
            try {
                if (!csv.next(row))
                    break;
                FailureLogRow r;
                r.t_s = row.number(t_col);
                if (r.t_s < 0)
                    row.fail(t_col, "expected a time >= 0, found " + row.text(t_col));
                if (r.t_s < last_t)
                    row.fail(t_col, fmt::format("expected times in increasing order, found {} "
                                                "after {}",
                                                row.text(t_col), last_t));
                last_t = r.t_s;
                // A node is a host name, `<pool>-<index>`: the pool is what precedes the last '-'.
                const std::string& node = row.text(node_col);
                const auto dash = node.rfind('-');
                const PoolSpec* pool =
                    dash == std::string::npos ? nullptr : find_pool(p, node.substr(0, dash));
                const auto index =
                    pool == nullptr ? std::nullopt : parse_number(node.substr(dash + 1));
                if (pool == nullptr || !index || *index < 0 || *index >= pool->nodes ||
                    *index != static_cast<double>(static_cast<long long>(*index))) {
                    row.fail(node_col, "no node '" + node +
                                           "' in the platform: expected <pool>-<index> with a "
                                           "pool of the platform and 0 <= index < its nodes");
                }
                r.pool = static_cast<int>(pool - p.pools.data());
                r.node = static_cast<int>(*index);
                r.duration_s = row.number(duration_col);
                if (!(r.duration_s > 0))
                    row.fail(duration_col,
                             "expected a duration > 0, found " + row.text(duration_col));
                if (gpu_col && !row.text(*gpu_col).empty()) {
                    const long long gpu = row.integer(*gpu_col);
                    if (gpu < 0 || gpu >= pool->gpus_per_node)
                        row.fail(*gpu_col,
                                 fmt::format("expected a GPU in [0, {}) of node {}, found {}",
                                             pool->gpus_per_node, node, gpu));
                    r.gpu = static_cast<int>(gpu);
                }
                r.cause = r.gpu >= 0 ? FailureCause::gpu : FailureCause::node;
                if (cause_col && !row.text(*cause_col).empty()) {
                    const std::string& cause = row.text(*cause_col);
                    const auto& names = cause_names();
                    const auto it = std::find(names.begin(), names.end(), cause);
                    if (it == names.end())
                        row.fail(*cause_col,
                                 "expected gpu, node, rack or maintenance, found '" + cause + "'");
                    r.cause = static_cast<FailureCause>(it - names.begin());
                }
                if (event_col && !row.text(*event_col).empty()) {
                    r.event = row.integer(*event_col);
                    if (r.event < 0)
                        row.fail(*event_col,
                                 "expected an event number >= 0, found " + row.text(*event_col));
                }
                f.log_rows.push_back(r);
            } catch (const CsvError& e) {
                report(e);  // returns only in fleetsim validate: go on with the next row
                if (e.line() == 0 || e.column() == 0)
                    return;  // the file itself is unreadable
            }
        }
    } catch (const CsvError& e) {
        report(e);
    }
}

}  // namespace

FailureSpec read_failures(const YamlValue& v, const PlatformSpec& p) {
    FailureSpec f;
    if (!v.defined())
        return f;
    MapReader m(v, key_names(failures_keys()));
    if (!m.ok())
        return f;
    read_keys(m, failures_keys(), f,
              {
                  {"gpu_types",
                   [&] {
                       if (m.has("gpu_types"))
                           read_gpu_failures(m.optional("gpu_types"), p, f);
                   }},
                  {"pools",
                   [&] {
                       if (m.has("pools"))
                           read_pool_failures(m.optional("pools"), p, f);
                   }},
                  {"maintenance",
                   [&] {
                       if (m.has("maintenance"))
                           read_maintenance(m.optional("maintenance"), p, f);
                   }},
                  {"log",
                   [&] {
                       if (!m.has("log"))
                           return;
                       f.log = m.text("log");
                       for (const char* other : {"gpu_types", "pools", "maintenance"}) {
                           if (m.has(other)) {
                               m.optional("log").fail(
                                   std::string("expected either a failure log or a failure "
                                               "model, found log and ") +
                                   other);
                               return;
                           }
                       }
                       if (!f.log.empty())
                           read_failure_log(m.optional("log"), p, f);
                   }},
              });
    return f;
}

/** Reports `name` at `at` when it is not one of `names`, with the nearest. */
bool check_ref(const YamlValue& at,
               const std::string& what,
               const std::string& name,
               const std::vector<std::string>& names) {
    if (std::find(names.begin(), names.end(), name) != names.end())
        return true;
    const std::string hint = nearest_name(name, names);
    at.fail("unknown " + what + " '" + name + "'" +
            (hint.empty() ? "" : ", did you mean '" + hint + "'?"));
    return false;
}

}  // namespace fleetsim
