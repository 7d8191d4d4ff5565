#pragma once
// The plain-language headline at the top of a run's report: who held the GPU-hours, who earned
// the revenue, and what the GPU-hours could have earned in the best work left waiting. Every
// number carries the key it comes from and its exact value, so that the page can be checked
// against summary.json (tests/scenarios/report_test.cpp does).

#include "sim/schema/schema.hpp"

#include <optional>
#include <string>
#include <vector>

namespace fleetsim {

struct HeadlinePart {
    std::string text;
    /** Where the number comes from: a summary.json path ("totals.revenue_usd"), or an aggregate
        "family:<name>:<figure>" / "class:<name>:<figure>". Empty for plain words. */
    std::string key;
    std::optional<double> value;
};
using HeadlineSentence = std::vector<HeadlinePart>;

std::vector<HeadlineSentence> compute_headline(const RunSummary& summary);

/** Number formats of the headline and the page: "$1,234,567", "$7.00", "12.8%", "4,096". */
std::string format_usd(double usd);
std::string format_usd_rate(double usd);
std::string format_share(double fraction);
std::string format_count(double n);

}  // namespace fleetsim
