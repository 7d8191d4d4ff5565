// The scenario's `policy`: a registered policy's name and its parameters, kept as written
// (with their positions) for the policy's own ParamSet to check (policies/registry.hpp).

#include "sim/config/sections.hpp"

namespace fleetsim {

KeyTable<PolicySpec> policy_keys() {
    static const Key<PolicySpec> keys[] = {
        {.name = "name",
         .member = &PolicySpec::name,
         .type = "name",
         .help = "a registered policy (`fleetsim policies` lists them)"},
        {.name = "params",
         .need = Need::optional,
         .type = "mapping",
         .default_text = "`{}`",
         .help = "the policy's parameters: each policy declares its own, with type, unit and "
                 "default, in [docs/policies.md](policies.md) (`fleetsim policies --markdown`); "
                 "unknown parameters are errors. Every policy takes `placement` (`pack` or "
                 "`spread`)"},
    };
    return keys;
}

namespace {

ParamValue to_param(const YamlValue& v) {
    ParamValue p;
    p.where = v.where();
    p.path = v.path();
    if (v.is_map()) {
        ParamValue::Map map;
        for (const auto& [k, child] : v.entries())
            map.emplace(k, to_param(child));
        p.value = std::move(map);
    } else if (v.is_sequence()) {
        ParamValue::List list;
        for (const auto& e : v.elements())
            list.push_back(to_param(e));
        p.value = std::move(list);
    } else if (v.is_scalar()) {
        p.value = v.node().Scalar();
    }
    return p;
}

/** `params`, always a Map in the spec (empty when absent or, reported, not a mapping). */
void read_params(const MapReader& m, PolicySpec& p) {
    YamlValue params = m.optional("params");
    if (params.defined()) {
        if (!params.is_map())
            params.fail("expected a mapping of parameters, found " + params.found());
        p.params = to_param(params);
    } else {
        p.params.value = ParamValue::Map{};
        p.params.where = m.value().where();
        p.params.path = params.path();
    }
    if (!std::holds_alternative<ParamValue::Map>(p.params.value))
        p.params.value = ParamValue::Map{};
}

}  // namespace

PolicySpec read_policy(const YamlValue& v) {
    PolicySpec p;
    if (v.is_scalar()) {  // "policy: fifo" is short for "policy: {name: fifo}"
        p.name = v.text().value_or("");
        p.name_where = v.where();
        p.params.value = ParamValue::Map{};
        p.params.where = v.where();
        p.params.path = v.path() + ".params";
        return p;
    }
    MapReader m(v, key_names(policy_keys()));
    if (!m.ok())
        return p;
    read_keys(m, policy_keys(), p, {{"params", [&] { read_params(m, p); }}});
    p.name_where = m.optional("name").where();
    return p;
}

}  // namespace fleetsim
