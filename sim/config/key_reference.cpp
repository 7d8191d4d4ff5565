#include "sim/config/key_reference.hpp"

#include "sim/config/sections.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace fleetsim {
namespace {

std::string choice_words(const std::vector<std::string>& choices) {
    std::string words;
    for (std::size_t i = 0; i < choices.size(); ++i) {
        const char* sep = i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ";
        words += sep + ("`" + choices[i] + "`");
    }
    return words;
}

template <class Spec>
std::string type_of(const Key<Spec>& k) {
    std::string type = k.type;
    if (type.empty()) {
        type = std::visit(
            [&](const auto& member) -> std::string {
                using M = std::decay_t<decltype(member)>;
                if constexpr (std::is_same_v<M, double Spec::*>)
                    return k.range.doc_words(/*integer=*/false);
                else if constexpr (std::is_same_v<M, int Spec::*> ||
                                   std::is_same_v<M, long long Spec::*> ||
                                   std::is_same_v<M, std::uint64_t Spec::*>)
                    return k.range.doc_words(/*integer=*/true);
                else if constexpr (std::is_same_v<M, bool Spec::*>)
                    return "bool";
                else if constexpr (std::is_same_v<M, std::string Spec::*>)
                    return "text";
                else
                    return choice_words(k.choices);
            },
            k.member);
    }
    if (type.empty())
        throw std::logic_error("key '" + k.name + "' has no type for the docs");
    return k.also.empty() ? type : type + ", " + k.also;
}

template <class Spec>
std::string default_of(const Key<Spec>& k) {
    if (!k.default_text.empty())
        return k.default_text;
    if (k.need == Need::required)
        return "required";
    // An optional key's default is its member's initializer.
    const Spec defaults{};
    const std::string text = std::visit(
        [&](const auto& member) -> std::string {
            using M = std::decay_t<decltype(member)>;
            if constexpr (std::is_same_v<M, double Spec::*>)
                return fmt::format("{:g}", defaults.*member);
            else if constexpr (std::is_same_v<M, int Spec::*> ||
                               std::is_same_v<M, long long Spec::*> ||
                               std::is_same_v<M, std::uint64_t Spec::*>)
                return fmt::format("{}", defaults.*member);
            else if constexpr (std::is_same_v<M, bool Spec::*>)
                return defaults.*member ? "true" : "false";
            else if constexpr (std::is_same_v<M, std::string Spec::*>)
                return (defaults.*member).empty() ? "\"\"" : defaults.*member;
            else if constexpr (std::is_same_v<M, ChoiceMember<Spec>>)
                return k.choices.at(member.get(defaults));
            else
                throw std::logic_error("optional key '" + k.name + "' has no default for the docs");
        },
        k.member);
    return "`" + text + "`";
}

template <class Spec>
KeySection section(std::string prefix,
                   std::string when,
                   std::string heading,
                   std::string intro,
                   KeyTable<Spec> keys) {
    KeySection s{std::move(prefix), std::move(when), std::move(heading), std::move(intro), {}};
    for (const auto& k : keys) {
        if (k.help.empty())
            throw std::logic_error("key '" + k.name + "' has no help line");
        s.keys.push_back(KeyDoc{k.name, type_of(k), k.unit, default_of(k), k.help});
    }
    return s;
}

}  // namespace

const std::vector<KeySection>& accepted_keys() {
    static const std::vector<KeySection> sections = {
        section("", "", "## Scenario file (`scenarios/*.yaml`)", "", scenario_keys()),
        section("policy.", "", "### Policy (`policy`)",
                "The mapping form of `policy` (`policy: NAME` is short for `policy: {name: "
                "NAME}`).",
                policy_keys()),
        section("output.", "", "### Output (`output`)", "", output_keys()),
        section("engine.", "", "### Engine (`engine`)", "", engine_keys()),
        section("platform.", "", "## Platform file (`platforms/*.yaml`)",
                "Written at the top of its own file, or inline under `platform:` in the "
                "scenario.",
                platform_keys()),
        section("platform.gpu_types.<gpu_type>.", "", "### GPU types", "", gpu_type_keys()),
        section("platform.sites.<site>.", "", "### Sites", "", site_keys()),
        section("platform.pools.<pool>.", "", "### Pools", "", pool_keys()),
        section("platform.failures.", "", "### Failures (`failures`)",
                "Optional: without it nothing fails. GPU failures per GPU type, node and rack "
                "failures per pool, planned maintenance windows, or a failure log replayed from "
                "a file; docs/model.md (\"Failures\") says how a failure runs.",
                failures_keys()),
        section("platform.failures.gpu_types.<gpu_type>.", "",
                "### Failure modes (`gpu_types.<gpu_type>`, `pools.<pool>.node`, "
                "`pools.<pool>.rack`)",
                "Each component (a GPU, a node, a rack) fails again and again; each kind of "
                "failure of each pool draws from its own seeded streams (`failures:<kind>:<pool>`, "
                "`repairs:<kind>:<pool>`), so turning failures on changes no other draw.",
                failure_mode_keys()),
        section("platform.failures.pools.<pool>.", "", "### Node and rack failures (`pools`)", "",
                pool_failure_keys()),
        section("platform.failures.pools.<pool>.node.", "", "#### Node failures (`node`)",
                "A failure mode (keys as above).", failure_mode_keys()),
        section("platform.failures.pools.<pool>.rack.", "", "#### Rack failures (`rack`)",
                "A failure mode (keys as above).", failure_mode_keys()),
        section("platform.failures.maintenance.<n>.", "", "### Maintenance windows (`maintenance`)",
                "A list; each window drains consecutive nodes of a pool for a time, by the same "
                "path as a failure (the nodes' SimGrid hosts are turned off and on).",
                maintenance_keys()),
        section("workload.", "", "## Workload file (`workloads/*.yaml`)",
                "Written at the top of its own file, or inline under `workload:` in the "
                "scenario.",
                workload_keys()),
        section("workload.classes.<class>.", "", "### Every class", "", class_keys()),
        section("workload.classes.<class>.", "kind: service", "### Services (`kind: service`)",
                "Demand is a fluid rate, settled every `tick_s`: served = min(demand, capacity), "
                "oldest demand first; demand that cannot be served within its SLO is lost.",
                service_keys()),
        section("workload.classes.<class>.", "kind: batch", "### Batch (`kind: batch`)",
                "Jobs arrive as a Poisson process; each job's size and work are drawn from the "
                "distributions below. Exactly one of `work_gpu_h` and `duration_s`, and exactly "
                "one of `value_usd_per_gpu_h` and `value_usd_per_job`, must be given.",
                batch_keys()),
        section("workload.classes.<class>.trace.", "kind: batch",
                "### Job logs (`trace` in a batch class)",
                "Jobs from a log (docs/traces.md): the rows in the window that pass `where`, "
                "sized by the size map, at simulated time (submit - start) x time_scale + "
                "shift_s, each running its recorded run time on the reference GPU. The log is "
                "read once when the scenario is loaded (every row checked, the jobs kept, "
                "capped and dropped counted: summary.json's `job_trace`) and again, a row at a "
                "time, during the run.",
                job_trace_keys()),
        section("workload.classes.<class>.trace.where[].", "", "### Row conditions (`where`)",
                "Each item of `trace.where` is a condition on one column; a row is kept when "
                "all hold.",
                trace_condition_keys()),
        section("workload.classes.<class>.trace.columns.", "format: csv",
                "### Column maps (`columns`, format csv)",
                "Which columns of a csv log hold what. A value is a column name, or a mapping "
                "`{column, minus, times, scale}` (keys below) for one computed from several.",
                csv_column_keys()),
        section("workload.classes.<class>.trace.columns.<value>.", "",
                "### Computed values (`columns.<value>` as a mapping)",
                "value = (column - minus) x times x scale, each cell a number or a date-time.",
                csv_value_keys()),
        section("workload.classes.<class>.trace.", "kind: service",
                "### Request logs (`trace` in a service)",
                "Demand from a log of LLM requests (docs/model.md): each request is (input "
                "tokens x gpu_s_per_input_token + output tokens x gpu_s_per_output_token) / "
                "gpu_s_per_unit units, summed into bins of `bin_s`; the bins' rates become the "
                "service's profile, and their mean its `demand_units_per_s` unless that is "
                "given.",
                request_trace_keys()),
        section("workload.classes.<class>.profile.", "", "### Rate profiles (`profile`)",
                "A multiplier on the base rate (`demand_units_per_s` or `arrival_rate_per_h`) "
                "over simulated time. Its integral over any interval is exact, so fluid demand "
                "and thinned arrivals keep the configured mean.",
                profile_keys()),
        section("workload.classes.<class>.<distribution>.", "",
                "### Distributions (`gpus`, `work_gpu_h`, `duration_s`)",
                "Written `<distribution>` below: each of these keys takes either a plain number "
                "(a constant) or a mapping. Draws come from the class's own seeded stream.",
                distribution_keys()),
    };
    return sections;
}

std::string config_keys_markdown() {
    std::string out;
    for (const auto& s : accepted_keys()) {
        out += s.heading + "\n\n";
        if (!s.intro.empty())
            out += s.intro + "\n\n";
        out += "| key | type | unit | default | meaning |\n|---|---|---|---|---|\n";
        for (const auto& k : s.keys) {
            out += fmt::format("| `{}{}` | {} |{}| {} | {} |\n", s.prefix, k.name, k.type,
                               k.unit.empty() ? " " : " " + k.unit + " ", k.default_text, k.help);
        }
        out += "\n";
    }
    return out;
}

std::string config_keys_text() {
    std::string out;
    for (const auto& s : accepted_keys()) {
        for (const auto& k : s.keys) {
            const bool words = k.default_text == "required" || k.default_text.front() != '`';
            out += fmt::format("{}{}{}: {} ({}{}{})\n    {}\n", s.prefix, k.name,
                               s.when.empty() ? "" : " [" + s.when + "]", k.type,
                               words ? "" : "default ", k.default_text,
                               k.unit.empty() ? "" : "; " + k.unit, k.help);
        }
    }
    return out;
}

}  // namespace fleetsim
