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
            return PointFigure{point_column(Section, Member), f.unit, f.description,
                               [](const RunSummary& s) -> double { return s.*Section.*Member; }};
    }
    throw std::logic_error("point_figure: not a field");
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
    return figures;
}

const char* fleetsim_version() {
    return FLEETSIM_VERSION;
}

}  // namespace fleetsim
