#include "sim/report/run_summary.hpp"

namespace fleetsim {

RunSummary read_run_summary(const std::string& path) {
    const OrderedJson doc = read_json_file(path);
    JsonFields top(path, doc);
    RunSummary s;
    s.scenario = top.text("scenario");
    s.policy = top.text("policy");
    s.seed = top.number("seed");
    s.horizon_s = top.number("horizon_s");
    s.version = top.has("version") ? top.text("version") : "";
    const JsonFields fleet = top.object("fleet");
    s.gpus = fleet.number("gpus");
    s.gpu_h_capacity = fleet.number("gpu_h_capacity");
    s.gpu_h_busy = fleet.number("gpu_h_busy");
    s.utilization = fleet.number("utilization");
    if (fleet.has("mean_shadow_price_usd_per_gpu_h"))
        s.mean_shadow_price_usd_per_gpu_h =
            fleet.optional_number("mean_shadow_price_usd_per_gpu_h");
    s.fleet_raw = fleet.node();
    const JsonFields totals = top.object("totals");
    s.revenue_usd = totals.number("revenue_usd");
    s.cost_usd = totals.number("cost_usd");
    s.profit_usd = totals.number("profit_usd");
    s.opportunity_cost_usd = totals.number("opportunity_cost_usd");
    s.totals_raw = totals.node();
    const JsonFields classes = top.object("classes");
    for (const auto& [name, node] : classes.node().items()) {
        const JsonFields c = classes.object(name);
        ClassSummary cs;
        cs.name = name;
        cs.family = c.text("family");
        cs.kind = c.text("kind");
        cs.gpu_h = c.number("gpu_h");
        cs.revenue_usd = c.number("revenue_usd");
        cs.cost_usd = c.number("cost_usd");
        cs.profit_usd = c.number("profit_usd");
        cs.revenue_usd_per_gpu_h = c.optional_number("revenue_usd_per_gpu_h");
        cs.opportunity_cost_usd = c.number("opportunity_cost_usd");
        cs.demand_units = c.number("demand_units");
        cs.served_units = c.number("served_units");
        if (c.has("busy_gpu_h"))
            cs.busy_gpu_h = c.optional_number("busy_gpu_h");
        cs.raw = node;
        s.classes.push_back(std::move(cs));
    }
    return s;
}

}  // namespace fleetsim
