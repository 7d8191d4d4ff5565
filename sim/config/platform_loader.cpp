// The platform file (or `platform:` inline): its GPU types, sites and pools. Each section's
// keys are a table (sim/config/key_table.hpp says how to add one); the checks that involve
// other keys follow each section's reader.

#include "sim/config/sections.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace fleetsim {

// ---- GPU types (platform.gpu_types.<gpu_type>) -----------------------------------------------

KeyTable<GpuTypeSpec> gpu_type_keys() {
    static const Key<GpuTypeSpec> keys[] = {
        {.name = "dense_bf16_tflops",
         .member = &GpuTypeSpec::dense_bf16_tflops,
         .range = Range::positive,
         .unit = "TFLOP/s",
         .help = "dense BF16 speed per GPU; sets the speed factor against the reference GPU and "
                 "each SimGrid core's speed"},
        {.name = "memory_gb",
         .member = &GpuTypeSpec::memory_gb,
         .range = Range::positive,
         .unit = "GB",
         .help = "memory per GPU (described, not yet used in placement)"},
        {.name = "power_idle_w",
         .member = &GpuTypeSpec::power_idle_w,
         .range = Range::non_negative,
         .unit = "W",
         .help = "power of an idle GPU, including its share of host and network"},
        {.name = "power_busy_w",
         .member = &GpuTypeSpec::power_busy_w,
         .range = Range::positive,
         .unit = "W",
         .also = ">= `power_idle_w`",
         .help = "power of a busy GPU, same scope"},
        {.name = "capex_usd",
         .member = &GpuTypeSpec::capex_usd,
         .range = Range::non_negative,
         .unit = "USD",
         .help = "all-in purchase price per GPU (server and network share)"},
        {.name = "amortization_years",
         .member = &GpuTypeSpec::amortization_years,
         .range = Range::positive,
         .unit = "years",
         .help = "capex is charged evenly over this life (8,760 h a year), for every GPU-hour of "
                 "the horizon, busy or idle"},
        {.name = "speed_by_family",
         .need = Need::optional,
         .type = "mapping of family (llm, video) to number",
         .also = "each > 0",
         .default_text = "dense BF16 TFLOP/s relative to the reference GPU type",
         .help = "the throughput matrix's column for this type: how many reference-GPU seconds "
                 "of each family's work one GPU does per second (an A100: llm 0.4, video 0.55); "
                 "the workload's speed_by_family and a class's speed_by_gpu_type take "
                 "precedence"},
        description_key<GpuTypeSpec>(),
    };
    return keys;
}

namespace {

/** speed_by_family of a GPU type: llm and/or video, each a speed > 0. */
void read_type_speeds(const MapReader& g, GpuTypeSpec& spec) {
    if (!g.has("speed_by_family"))
        return;
    const YamlValue v = g.optional("speed_by_family");
    if (!v.is_map()) {
        v.fail("expected a mapping of family to speed, found " + v.found());
        return;
    }
    for (const auto& [family, sv] : v.entries()) {
        if (family != "llm" && family != "video") {
            sv.fail("unknown family '" + family + "': expected llm or video");
            continue;
        }
        if (const auto speed = sv.number(Range::positive))
            spec.speed_by_family[family] = *speed;
    }
}

void check_gpu_type(const GpuTypeSpec& spec, const MapReader& g) {
    // Both present: a missing one is reported as missing (read_key), not compared as 0.
    if (g.has("power_busy_w") && g.has("power_idle_w") && spec.power_busy_w < spec.power_idle_w) {
        g.optional("power_busy_w")
            .fail("expected power_busy_w >= power_idle_w (" +
                  fmt::format("{:g}", spec.power_idle_w) + "), found " +
                  fmt::format("{:g}", spec.power_busy_w));
    }
}

}  // namespace

// ---- sites (platform.sites.<site>) -------------------------------------------------------------

namespace {

void check_pue(const SiteSpec& spec, const YamlValue& at) {
    if (spec.pue < 1)
        at.fail("expected a PUE >= 1, found " + fmt::format("{:g}", spec.pue));
}

}  // namespace

KeyTable<SiteSpec> site_keys() {
    static const Key<SiteSpec> keys[] = {
        {.name = "energy_usd_per_kwh",
         .member = &SiteSpec::energy_usd_per_kwh,
         .range = Range::non_negative,
         .unit = "USD/kWh",
         .help = "price of facility energy"},
        {.name = "pue",
         .member = &SiteSpec::pue,
         .range = Range::positive,
         .type = "number >= 1",
         .check = check_pue,
         .help = "power usage effectiveness: facility energy = IT energy x PUE"},
        {.name = "overhead_usd_per_gpu_h",
         .member = &SiteSpec::overhead_usd_per_gpu_h,
         .need = Need::optional,
         .range = Range::non_negative,
         .unit = "USD/GPU-h",
         .help = "space, staff, maintenance, per GPU-hour of the horizon"},
        {.name = "subsidy_usd_per_gpu_h",
         .member = &SiteSpec::subsidy_usd_per_gpu_h,
         .need = Need::optional,
         .range = Range::non_negative,
         .unit = "USD/GPU-h",
         .help = "subtracted from the cost of every GPU-hour"},
        description_key<SiteSpec>(),
    };
    return keys;
}

// ---- pools (platform.pools.<pool>) -------------------------------------------------------------

namespace {

void check_retire(const PoolSpec& spec, const YamlValue& at) {
    if (!(spec.retire_at_s > spec.online_at_s)) {
        at.fail(fmt::format("expected retire_at_s after online_at_s ({:g} s), found {:g} s",
                            spec.online_at_s, spec.retire_at_s));
    }
}

}  // namespace

KeyTable<PoolSpec> pool_keys() {
    static const Key<PoolSpec> keys[] = {
        {.name = "site",
         .member = &PoolSpec::site,
         .type = "name of a site",
         .help = "where the pool is (its energy price, PUE, overhead)"},
        {.name = "gpu_type",
         .member = &PoolSpec::gpu_type,
         .type = "name of a GPU type",
         .help = "the GPU of every node"},
        {.name = "nodes",
         .member = &PoolSpec::nodes,
         .range = Range::positive,
         .unit = "nodes",
         .also = "at most 10,000,000",
         .help = "node count; each node is one SimGrid host"},
        {.name = "gpus_per_node",
         .member = &PoolSpec::gpus_per_node,
         .range = Range::positive,
         .unit = "GPUs",
         .also = "at most 1,024",
         .help = "GPUs per node (cores of the SimGrid host); a gang larger than a node takes "
                 "whole nodes"},
        {.name = "nodes_per_rack",
         .member = &PoolSpec::nodes_per_rack,
         .need = Need::optional,
         .range = Range::positive,
         .unit = "nodes",
         .help = "topology: the rack is the locality and failure domain"},
        {.name = "intra_node_gbps",
         .member = &PoolSpec::intra_node_gbps,
         .need = Need::optional,
         .range = Range::positive,
         .unit = "Gb/s",
         .help = "bandwidth between GPUs of a node (described)"},
        {.name = "inter_node_gbps",
         .member = &PoolSpec::inter_node_gbps,
         .need = Need::optional,
         .range = Range::positive,
         .unit = "Gb/s",
         .help = "each node's link to the pool's switch"},
        {.name = "online_at_s",
         .member = &PoolSpec::online_at_s,
         .need = Need::optional,
         .range = Range::non_negative,
         .unit = "s",
         .help = "when the pool comes online (is bought or rented); before, it holds no work "
                 "and costs nothing (docs/model.md, \"Fleets that change over time\")"},
        {.name = "retire_at_s",
         .member = &PoolSpec::retire_at_s,
         .need = Need::optional,
         .range = Range::positive,
         .unit = "s",
         .also = "> `online_at_s`",
         .default_text = "never",
         .check = check_retire,
         .help = "when the pool is retired (sold, or the rental ends): its running jobs "
                 "checkpoint and go back to their queues, its services lose the GPUs there; "
                 "afterwards it costs nothing"},
        {.name = "on_retire",
         .member = choice_member<&PoolSpec::on_retire>(),
         .need = Need::optional,
         .choices = {"migrate", "preempt"},
         .help = "what the retirement does to the pool's running jobs: migrate (a planned stop: "
                 "each writes a checkpoint first and keeps all its work) or preempt (each keeps "
                 "only the work of its last checkpoint, as when rented capacity is taken back); "
                 "either way they go back to their queues and pay their restart cost"},
        {.name = "rental_usd_per_gpu_h",
         .member = &PoolSpec::rental_usd_per_gpu_h,
         .need = Need::optional,
         .range = Range::non_negative,
         .unit = "USD/GPU-h",
         .default_text = "none: the pool is bought (its GPU type's capex, amortized)",
         .help = "a rented pool (cloud burst): this price per GPU-hour while it is owned, in "
                 "place of the GPU type's amortized capex (the site's overhead, subsidy and "
                 "energy still apply: put a rented pool in a site with none when the price "
                 "includes them)"},
        description_key<PoolSpec>(),
    };
    return keys;
}

namespace {

/** References to the platform's sites and GPU types, then the pool's size limits. */
void check_pool(const PoolSpec& spec, const MapReader& r, const PlatformSpec& p) {
    // An empty name is a missing key, reported where it is read.
    if (!spec.site.empty())
        check_ref(r.optional("site"), "site", spec.site, names_of(p.sites));
    if (!spec.gpu_type.empty())
        check_ref(r.optional("gpu_type"), "GPU type", spec.gpu_type, names_of(p.gpu_types));
    if (spec.nodes > 10'000'000)
        r.optional("nodes").fail("expected at most 10000000 nodes, found " +
                                 std::to_string(spec.nodes));
    if (spec.gpus_per_node > 1024)
        r.optional("gpus_per_node")
            .fail("expected at most 1024 GPUs per node, found " +
                  std::to_string(spec.gpus_per_node));
    else if (spec.nodes > 0 && spec.nodes <= 10'000'000 && spec.gpus_per_node > 0 &&
             static_cast<long long>(spec.nodes) * spec.gpus_per_node > kMaxFleetGpus)
        // Within both limits, 10^7 nodes of 1,024 GPUs are still 10^10 GPUs: the GPU counts
        // are ints, which would wrap.
        r.optional("gpus_per_node")
            .fail(fmt::format("expected nodes x gpus_per_node at most {}, found {} x {} = {}",
                              kMaxFleetGpus, spec.nodes, spec.gpus_per_node,
                              static_cast<long long>(spec.nodes) * spec.gpus_per_node));
}

}  // namespace

void check_fleet_size(const PlatformSpec& p, const YamlValue& at) {
    long long gpus = 0;
    long long nodes = 0;
    for (const auto& pool : p.pools) {
        if (pool.nodes > 10'000'000 || pool.gpus_per_node > 1024 ||
            static_cast<long long>(pool.nodes) * pool.gpus_per_node > kMaxFleetGpus)
            return;  // reported at the pool (check_pool)
        gpus += static_cast<long long>(pool.nodes) * pool.gpus_per_node;
        nodes += pool.nodes;
    }
    if (gpus > kMaxFleetGpus || nodes > kMaxFleetGpus) {
        at.fail(
            fmt::format("expected a fleet of at most {} GPUs and nodes in all pools, found {} "
                        "GPUs on {} nodes",
                        kMaxFleetGpus, gpus, nodes));
    }
}

// ---- the platform (platform) ---------------------------------------------------------------

KeyTable<PlatformSpec> platform_keys() {
    static const Key<PlatformSpec> keys[] = {
        {.name = "name", .member = &PlatformSpec::name, .help = "the platform's name"},
        description_key<PlatformSpec>(),
        {.name = "reference_gpu_type",
         .type = "name of a GPU type",
         .default_text = "the only GPU type, when there is one; else required",
         .help = "the GPU on which work and values per GPU-hour are measured (speed factor 1)"},
        {.name = "gpu_types",
         .type = "mapping of GPU types",
         .default_text = "required (at least one)",
         .help = "GPU types by name (keys below)"},
        {.name = "sites",
         .type = "mapping of sites",
         .default_text = "required (at least one)",
         .help = "sites by name (keys below)"},
        {.name = "pools",
         .type = "mapping of pools",
         .default_text = "required (at least one)",
         .help = "pools of identical nodes by name (keys below); a gang runs inside one pool"},
        {.name = "failures",
         .need = Need::optional,
         .type = "mapping",
         .default_text = "nothing fails",
         .help = "the failure model: GPU, node and rack failures with their repair times, "
                 "maintenance windows, or a failure log to replay (keys below; docs/model.md)"},
    };
    return keys;
}

namespace {

/**
 * Reads the named entries of one of the platform's mappings (gpu_types, sites, pools): each
 * a mapping of the section's keys, read into a spec named after its entry, then checked.
 */
template <class Spec, class Check>
void read_entries(const MapReader& m,
                  const char* key,
                  KeyTable<Spec> keys,
                  const char* none_found,
                  std::vector<Spec>& out,
                  Check check,
                  void (*read_mappings)(const MapReader&, Spec&) = nullptr) {
    auto entries = m.required(key);
    if (!entries)
        return;
    for (const auto& [name, v] : entries->entries()) {
        check_name(name, v);
        MapReader r(v, key_names(keys));
        if (!r.ok())
            continue;
        Spec spec;
        spec.name = name;
        if (read_mappings != nullptr) {
            // The section's mapping-valued keys are read by one function, after the others.
            KeyReaders readers;
            for (const auto& k : keys) {
                if (std::holds_alternative<std::monostate>(k.member))
                    readers.emplace_back(k.name, [] {});
            }
            read_keys(r, keys, spec, readers);
            read_mappings(r, spec);
        } else {
            read_keys(r, keys, spec);
        }
        check(spec, r);
        out.push_back(spec);
    }
    if (entries->is_map() && out.empty())
        entries->fail(none_found);
}

void read_reference_gpu_type(const MapReader& m, PlatformSpec& p) {
    if (p.gpu_types.size() == 1 && !m.has("reference_gpu_type")) {
        p.reference_gpu_type = p.gpu_types.front().name;
        return;
    }
    p.reference_gpu_type = m.text("reference_gpu_type");
    if (!p.reference_gpu_type.empty())
        check_ref(m.optional("reference_gpu_type"), "GPU type", p.reference_gpu_type,
                  names_of(p.gpu_types));
}

}  // namespace

PlatformSpec read_platform(const YamlValue& v) {
    PlatformSpec p;
    p.file = v.file();
    MapReader m(v, key_names(platform_keys()));
    if (!m.ok())
        return p;
    auto no_check = [](const auto&, const MapReader&) {};
    read_keys(
        m, platform_keys(), p,
        {
            // Read last, below: it names one of the GPU types.
            {"reference_gpu_type", [] {}},
            {"gpu_types",
             [&] {
                 read_entries(m, "gpu_types", gpu_type_keys(),
                              "expected at least one GPU type, found none", p.gpu_types,
                              check_gpu_type, read_type_speeds);
             }},
            {"sites",
             [&] {
                 read_entries(m, "sites", site_keys(), "expected at least one site, found none",
                              p.sites, no_check);
             }},
            {"pools",
             [&] {
                 read_entries(
                     m, "pools", pool_keys(), "expected at least one pool, found none", p.pools,
                     [&](const PoolSpec& spec, const MapReader& r) { check_pool(spec, r, p); });
             }},
            // After the GPU types and pools it names.
            {"failures", [&] { p.failures = read_failures(m.optional("failures"), p); }},
        });
    check_fleet_size(p, m.optional("pools"));
    read_reference_gpu_type(m, p);
    // The reference type's speed is 1 by definition: work is measured on it.
    for (const auto& t : p.gpu_types) {
        if (t.name != p.reference_gpu_type)
            continue;
        for (const auto& [family, speed] : t.speed_by_family) {
            if (speed != 1) {
                const YamlValue at =
                    m.optional("gpu_types").child(t.name).child("speed_by_family").child(family);
                at.fail("expected 1 for the reference GPU type (work is measured on it), found " +
                        at.found());
            }
        }
    }
    return p;
}

}  // namespace fleetsim
