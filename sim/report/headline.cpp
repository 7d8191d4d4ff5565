#include "sim/report/headline.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <map>

namespace fleetsim {
namespace {

/** Digits of a non-negative whole number with a comma every three, from the right. */
std::string with_thousands(double whole) {
    const std::string digits = fmt::format("{:.0f}", whole);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out.push_back(',');
        out.push_back(digits[i]);
    }
    return out;
}

/** A group of GPU-hours the headline speaks about: a family (llm, video) or one class. */
struct Group {
    std::string key_prefix;  ///< "family:video" or "class:chat"
    std::string label;       ///< "Video work (video-gen and video-training)", "chat"
    double gpu_h = 0;
    double revenue_usd = 0;
    double opportunity_cost_usd = 0;
};

/** "a", "a and b", "a, b and c". */
std::string listed(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0)
            out += i + 1 == names.size() ? " and " : ", ";
        out += names[i];
    }
    return out;
}

/** "Video work (video-gen and video-training)": a family says which classes it adds up. */
std::string family_label(const std::string& family, const std::vector<std::string>& classes) {
    const std::string work = family == "llm"     ? "LLM work"
                             : family == "video" ? "Video work"
                                                 : family + " work";
    return work + " (" + listed(classes) + ")";
}

std::vector<Group> groups_of(const RunSummary& s) {
    std::vector<Group> families;
    std::vector<std::string> family_names;
    std::vector<std::vector<std::string>> members;
    std::map<std::string, std::size_t> index;
    for (const auto& c : s.classes) {
        auto [it, fresh] = index.try_emplace(c.family, families.size());
        if (fresh) {
            families.push_back({"family:" + c.family, ""});
            family_names.push_back(c.family);
            members.emplace_back();
        }
        Group& g = families[it->second];
        members[it->second].push_back(c.name);
        g.gpu_h += c.gpu_h;
        g.revenue_usd += c.revenue_usd;
        g.opportunity_cost_usd += c.opportunity_cost_usd;
    }
    for (std::size_t i = 0; i < families.size(); ++i)
        families[i].label = family_label(family_names[i], members[i]);
    if (families.size() >= 2)
        return families;
    // One family only: compare its classes instead (a split of 100% / 100% says nothing).
    std::vector<Group> classes;
    for (const auto& c : s.classes)
        classes.push_back(
            {"class:" + c.name, c.name, c.gpu_h, c.revenue_usd, c.opportunity_cost_usd});
    return classes;
}

using S = RunSummary;
using F = FleetFigures;
using T = RunTotals;
using C = ClassFigures;

/** Below this an amount shows as $0: the headline then says there was none. */
constexpr double kWholeDollar = 0.5;

HeadlinePart words(std::string text) {
    return {std::move(text), "", std::nullopt};
}
/** The key of a class's figure summed over a group: "family:video:opportunity_cost_usd". */
template <class T>
std::string figure_key(const std::string& group, T ClassFigures::*figure) {
    return group + ":" + std::string(name_of(figure));
}

HeadlinePart number(std::string text, std::string key, double value) {
    return {std::move(text), std::move(key), value};
}

/** Sentence 1: the group whose share of GPU-hours most exceeds its share of revenue. */
std::optional<HeadlineSentence> share_sentence(const RunSummary& s) {
    const std::vector<Group> groups = groups_of(s);
    double held = 0, revenue = 0;
    for (const auto& g : groups) {
        held += g.gpu_h;
        revenue += g.revenue_usd;
    }
    if (groups.empty() || held <= 0)
        return std::nullopt;
    const Group* pick = nullptr;
    double best_gap = 0;
    for (const auto& g : groups) {
        const double gap = g.gpu_h / held - (revenue > 0 ? g.revenue_usd / revenue : 0);
        if (pick == nullptr || gap > best_gap) {
            pick = &g;
            best_gap = gap;
        }
    }
    HeadlineSentence out;
    const double gpu_share = pick->gpu_h / held;
    out.push_back(words(pick->label + " held "));
    out.push_back(number(format_share(gpu_share), pick->key_prefix + ":gpu_h_share", gpu_share));
    out.push_back(words(" of the GPU-hours held by work"));
    if (revenue > 0) {
        const double revenue_share = pick->revenue_usd / revenue;
        out.push_back(words(" and earned "));
        out.push_back(number(format_share(revenue_share), pick->key_prefix + ":revenue_share",
                             revenue_share));
        out.push_back(words(" of revenue"));
    }
    if (pick->opportunity_cost_usd >= kWholeDollar) {
        out.push_back(words("; the GPU-hours it held could have earned "));
        out.push_back(number(format_usd(pick->opportunity_cost_usd),
                             figure_key(pick->key_prefix, &C::opportunity_cost_usd),
                             pick->opportunity_cost_usd));
        out.push_back(words(" more in the best work left waiting (its opportunity cost)."));
    } else {
        out.push_back(words("; no better-paying work was left waiting while it held them."));
    }
    return out;
}

/** Sentence 2: the fleet's books. */
HeadlineSentence books_sentence(const RunSummary& s) {
    const double days = s.horizon_s / 86400.0;
    const bool whole = std::fabs(days - std::round(days)) < 1e-9;
    // A fleet that changes over time owns fewer GPU-hours than all its GPUs over the horizon.
    const double all_gpu_h = s.fleet.gpus * s.horizon_s / 3600.0;
    if (s.fleet.gpu_h_capacity > 0 && s.fleet.gpu_h_capacity < all_gpu_h * (1 - 1e-9)) {
        return {
            words("Over "),
            number(whole ? fmt::format("{:.0f}", days) : fmt::format("{:.1f}", days),
                   "horizon_days", days),
            words(whole && std::round(days) == 1 ? " day the fleet (up to "
                                                 : " days the fleet (up to "),
            number(format_count(s.fleet.gpus), json_path(&S::fleet, &F::gpus), s.fleet.gpus),
            words(" GPUs: pools came online or retired) earned "),
            number(format_usd(s.totals.revenue_usd), json_path(&S::totals, &T::revenue_usd),
                   s.totals.revenue_usd),
            words(", cost "),
            number(format_usd(s.totals.cost_usd), json_path(&S::totals, &T::cost_usd),
                   s.totals.cost_usd),
            words(" and made a profit of "),
            number(format_usd(s.totals.profit_usd), json_path(&S::totals, &T::profit_usd),
                   s.totals.profit_usd),
            words("; "),
            number(format_share(s.fleet.utilization), json_path(&S::fleet, &F::utilization),
                   s.fleet.utilization),
            words(" of the GPU-hours it owned did work."),
        };
    }
    return {
        words("Over "),
        number(whole ? fmt::format("{:.0f}", days) : fmt::format("{:.1f}", days), "horizon_days",
               days),
        words(whole && std::round(days) == 1 ? " day the " : " days the "),
        number(format_count(s.fleet.gpus), json_path(&S::fleet, &F::gpus), s.fleet.gpus),
        words("-GPU fleet earned "),
        number(format_usd(s.totals.revenue_usd), json_path(&S::totals, &T::revenue_usd),
               s.totals.revenue_usd),
        words(", cost "),
        number(format_usd(s.totals.cost_usd), json_path(&S::totals, &T::cost_usd),
               s.totals.cost_usd),
        words(" and made a profit of "),
        number(format_usd(s.totals.profit_usd), json_path(&S::totals, &T::profit_usd),
               s.totals.profit_usd),
        words("; "),
        number(format_share(s.fleet.utilization), json_path(&S::fleet, &F::utilization),
               s.fleet.utilization),
        words(" of its GPU-hours did work."),
    };
}

/** The classes whose revenue did not cover the cost of the GPU-hours they held, and by how
    much per GPU-hour: when costs rise (an energy shock), the first to lose are those that earn
    least per GPU-hour. None: no sentence. */
std::optional<HeadlineSentence> loss_sentence(const RunSummary& s) {
    std::vector<const ClassFigures*> losers;
    for (const auto& c : s.classes)
        if (c.profit_usd <= -kWholeDollar && c.gpu_h > 0 && c.revenue_usd_per_gpu_h)
            losers.push_back(&c);
    if (losers.empty())
        return std::nullopt;
    static const char* const counted[] = {
        "", "One class", "Two classes", "Three classes", "Four classes", "Five classes"};
    const std::string who = losers.size() < std::size(counted)
                                ? counted[losers.size()]
                                : std::to_string(losers.size()) + " classes";
    HeadlineSentence out = {words(who + " made a loss: ")};
    for (std::size_t i = 0; i < losers.size(); ++i) {
        const ClassFigures& c = *losers[i];
        const std::string k = "class:" + c.name;
        const double cost_rate = c.cost_usd / c.gpu_h;
        if (i > 0)
            out.push_back(words(i + 1 == losers.size() ? " and " : ", "));
        out.push_back(words(c.name + " ("));
        out.push_back(
            number(format_usd(c.profit_usd), figure_key(k, &C::profit_usd), c.profit_usd));
        out.push_back(words(i == 0 ? ": a GPU-hour it held cost " : ": cost "));
        out.push_back(number(format_usd_rate(cost_rate), k + ":cost_usd_per_gpu_h", cost_rate));
        out.push_back(words(i == 0 ? " and earned " : ", earned "));
        out.push_back(number(format_usd_rate(*c.revenue_usd_per_gpu_h),
                             figure_key(k, &C::revenue_usd_per_gpu_h), *c.revenue_usd_per_gpu_h));
        out.push_back(words(")"));
    }
    out.push_back(words("."));
    return out;
}

/** Sentence 3: the class with the largest opportunity cost, and why. */
HeadlineSentence opportunity_sentence(const RunSummary& s) {
    const ClassFigures* top = nullptr;
    for (const auto& c : s.classes) {
        if (c.opportunity_cost_usd >= kWholeDollar &&
            (top == nullptr || c.opportunity_cost_usd > top->opportunity_cost_usd))
            top = &c;
    }
    if (top == nullptr) {
        return {
            words("No work that paid more was ever left waiting while other work ran: the "
                  "opportunity cost of every class rounds to $0.")};
    }
    const std::string k = "class:" + top->name;
    // Next to the revenue, a few dollars are noise in the books, not a lesson.
    if (top->opportunity_cost_usd < 1e-3 * s.totals.revenue_usd) {
        return {words("Opportunity costs were negligible: the largest, " + top->name + "'s, was "),
                number(format_usd(top->opportunity_cost_usd),
                       figure_key(k, &C::opportunity_cost_usd), top->opportunity_cost_usd),
                words(".")};
    }
    HeadlineSentence out = {
        words("The largest opportunity cost was " + top->name + "'s, "),
        number(format_usd(top->opportunity_cost_usd), figure_key(k, &C::opportunity_cost_usd),
               top->opportunity_cost_usd),
    };
    if (top->revenue_usd_per_gpu_h && s.fleet.mean_shadow_price_usd_per_gpu_h) {
        out.push_back(words(": it earned "));
        out.push_back(number(format_usd_rate(*top->revenue_usd_per_gpu_h),
                             figure_key(k, &C::revenue_usd_per_gpu_h),
                             *top->revenue_usd_per_gpu_h));
        out.push_back(
            words(" per GPU-hour while the shadow price (what the best waiting work "
                  "would pay) averaged "));
        const double shadow = *s.fleet.mean_shadow_price_usd_per_gpu_h;
        out.push_back(number(format_usd_rate(shadow),
                             json_path(&S::fleet, &F::mean_shadow_price_usd_per_gpu_h), shadow));
    }
    out.push_back(words("."));
    return out;
}

}  // namespace

std::string format_usd(double usd) {
    const double whole = std::round(std::fabs(usd));
    std::string out = usd < 0 && whole > 0 ? "-$" : "$";
    return out + with_thousands(whole);
}

std::string format_usd_rate(double usd) {
    return fmt::format("{}${:.2f}", usd < 0 ? "-" : "", std::fabs(usd));
}

std::string format_share(double fraction) {
    return fmt::format("{:.1f}%", 100 * fraction);
}

std::string format_count(double n) {
    std::string out = n < 0 ? "-" : "";
    return out + with_thousands(std::round(std::fabs(n)));
}

std::vector<HeadlineSentence> compute_headline(const RunSummary& s) {
    std::vector<HeadlineSentence> out;
    if (auto first = share_sentence(s))
        out.push_back(std::move(*first));
    out.push_back(books_sentence(s));
    if (auto losses = loss_sentence(s))
        out.push_back(std::move(*losses));
    out.push_back(opportunity_sentence(s));
    return out;
}

}  // namespace fleetsim
