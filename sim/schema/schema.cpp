#include "sim/schema/schema.hpp"

#ifndef FLEETSIM_VERSION
#define FLEETSIM_VERSION "0.0.0"
#endif

namespace fleetsim {
namespace {

/** The PointFigure of summary.json's `section`.`member`. */
template <auto Section, auto Member>
PointFigure point_figure() {
    using Record = std::remove_cvref_t<decltype(std::declval<RunSummary>().*Section)>;
    for (const auto& f : fields_info<Record>()) {
        if (f.name == name_of(Member))
            return PointFigure{
                point_column(Section, Member), f.unit, f.description,
                [](const RunSummary& s) -> std::optional<double> { return s.*Section.*Member; }};
    }
    throw std::logic_error("point_figure: not a field");
}

/** The PointFigure of summary.json's `families.<family>`.`member`: column "<family>_<name>". */
template <auto Member>
PointFigure family_point_figure(const std::string& family) {
    for (const auto& f : fields_info<FamilyFigures>()) {
        if (f.name != name_of(Member))
            continue;
        return PointFigure{family + "_" + std::string(f.name), f.unit, f.description,
                           [family](const RunSummary& s) -> std::optional<double> {
                               // An older summary.json has no `families`: add its classes up.
                               const std::vector<FamilyFigures> computed =
                                   s.families.empty() ? family_figures(s.classes)
                                                      : std::vector<FamilyFigures>{};
                               for (const auto& x : s.families.empty() ? computed : s.families) {
                                   if (x.family == family)
                                       return x.*Member;
                               }
                               return std::nullopt;
                           }};
    }
    throw std::logic_error("family_point_figure: not a field");
}

}  // namespace

const std::vector<PointFigure>& point_figures() {
    // docs/sweeps.md lists the columns; docs/metrics.md defines each figure.
    using S = RunSummary;
    using F = FleetFigures;
    using T = RunTotals;
    static const std::vector<PointFigure> figures = {
        point_figure<&S::totals, &T::revenue_usd>(),
        point_figure<&S::totals, &T::cost_usd>(),
        point_figure<&S::totals, &T::profit_usd>(),
        point_figure<&S::totals, &T::opportunity_cost_usd>(),
        point_figure<&S::fleet, &F::utilization>(),
        point_figure<&S::fleet, &F::idle_cost_usd>(),
        point_figure<&S::fleet, &F::gpu_h_capacity>(),
        point_figure<&S::fleet, &F::gpu_h_busy>(),
        point_figure<&S::fleet, &F::gpu_h_idle>(),
        point_figure<&S::fleet, &F::gpu_h_unallocated>(),
        point_figure<&S::fleet, &F::energy_kwh>(),
    };
    static const std::vector<PointFigure> with_families = [] {
        using M = FamilyFigures;
        std::vector<PointFigure> out = figures;
        for (const auto& family : family_names()) {
            out.push_back(family_point_figure<&M::gpu_h>(family));
            out.push_back(family_point_figure<&M::gpu_h_share>(family));
            out.push_back(family_point_figure<&M::revenue_usd>(family));
            out.push_back(family_point_figure<&M::cost_usd>(family));
            out.push_back(family_point_figure<&M::profit_usd>(family));
            out.push_back(family_point_figure<&M::opportunity_cost_usd>(family));
        }
        return out;
    }();
    return with_families;
}

const std::vector<std::string>& family_names() {
    static const std::vector<std::string> names = {"llm", "video"};
    return names;
}

std::vector<FamilyFigures> family_figures(const std::vector<ClassFigures>& classes) {
    double all_gpu_h = 0, all_revenue = 0;
    for (const auto& c : classes) {
        all_gpu_h += c.gpu_h;
        all_revenue += c.revenue_usd;
    }
    std::vector<FamilyFigures> out;
    for (const auto& name : family_names()) {
        FamilyFigures f;
        f.family = name;
        for (const auto& c : classes) {
            if (c.family != name)
                continue;
            f.classes += 1;
            f.gpu_h += c.gpu_h;
            f.revenue_usd += c.revenue_usd;
            f.cost_usd += c.cost_usd;
            f.opportunity_cost_usd += c.opportunity_cost_usd;
            f.energy_kwh += c.energy_kwh;
        }
        f.profit_usd = f.revenue_usd - f.cost_usd;
        if (all_gpu_h > 0)
            f.gpu_h_share = f.gpu_h / all_gpu_h;
        if (all_revenue > 0)
            f.revenue_share = f.revenue_usd / all_revenue;
        if (f.gpu_h > 0)
            f.revenue_usd_per_gpu_h = f.revenue_usd / f.gpu_h;
        out.push_back(f);
    }
    return out;
}

const char* fleetsim_version() {
    return FLEETSIM_VERSION;
}

}  // namespace fleetsim
