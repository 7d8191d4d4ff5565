// Numbers and resources at the edges of the inputs (docs/config.md, "Limits";
// docs/reliability.md, "Bad input and resources"): no silent integer wrap where counts are
// computed, YAML that would expand without bound refused before anything walks it, and every
// command-line number checked as a YAML value is.
#include "policies/allocation.hpp"
#include "sim/config/cli_number.hpp"
#include "sim/config/input_error.hpp"
#include "sim/config/yaml_reader.hpp"
#include "sim/generators/job_source.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <limits>
#include <string>

using namespace fleetsim;

namespace {

/** The InputError that `f` throws; FAIL when it throws none. */
template <class F>
InputError error_of(F f) {
    try {
        f();
    } catch (const InputError& e) {
        return e;
    }
    FAIL("no InputError");
    return InputError({}, "", "");
}

/** "Billion laughs": ten levels of ten aliases, 10^10 nodes once expanded. */
std::string alias_bomb() {
    std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 10; ++i) {
        text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
        for (int k = 0; k < 10; ++k)
            text += (k ? ", *a" : "*a") + std::to_string(i - 1);
        text += "]\n";
    }
    return text;
}

}  // namespace

TEST_SUITE("input-limits") {
    TEST_CASE("an alias bomb is refused by the node budget within a second") {
        const auto t0 = std::chrono::steady_clock::now();
        const InputError e = error_of([] { (void)load_yaml_text(alias_bomb(), "bomb.yaml"); });
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        INFO(e.what());
        CHECK(s < 1.0);
        CHECK(e.where().file == "bomb.yaml");
        CHECK(e.where().line > 0);
        CHECK(e.message().find("expected at most 1000000 YAML nodes") != std::string::npos);
    }

    TEST_CASE("aliases within the node budget still load") {
        // Three levels of ten: 1,000 nodes expanded, far below the budget.
        const YAML::Node n = load_yaml_text(
            "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, "
            "*a]\n"
            "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
            "ok.yaml");
        CHECK(n["c"].size() == 10);
    }

    TEST_CASE("the budget counts an alias as exactly the nodes it repeats") {
        // root map 1 + key a 1 + [999 scalars] 1,000 + key b 1 + [N aliases] 1 + 1,000 N:
        // 999,004 nodes load with N = 998, and 1,000,004 with N = 999 are one alias too many.
        const auto doc = [](int aliases) {
            std::string text = "a: &a [x";
            for (int i = 1; i < 999; ++i)
                text += ", x";
            text += "]\nb: [*a";
            for (int i = 1; i < aliases; ++i)
                text += ", *a";
            return text + "]\n";
        };
        CHECK(load_yaml_text(doc(998), "ok.yaml")["b"].size() == 998);
        const InputError e = error_of([&] { (void)load_yaml_text(doc(999), "over.yaml"); });
        CHECK(e.message().find("expected at most 1000000 YAML nodes") != std::string::npos);
        // yaml-cpp keeps no position for an alias, only its anchor's (line 1): the key names
        // the alias that went over.
        CHECK(e.key() == "b[998]");
    }

    TEST_CASE("nesting reached through an alias counts toward the 64 levels") {
        // 60 levels under the anchor load alone; used 5 levels down, they reach 66.
        const std::string anchored = "a: &a " + std::string(60, '[') + std::string(60, ']') + "\n";
        CHECK_NOTHROW((void)load_yaml_text(anchored + "b: [*a]\n", "ok.yaml"));
        const InputError e =
            error_of([&] { (void)load_yaml_text(anchored + "b: [[[[[*a]]]]]\n", "deep.yaml"); });
        CHECK(e.message() == "expected at most 64 levels of nesting, found more");
        CHECK(e.where().line == 1);
    }

    TEST_CASE("nesting deeper than 64 levels is refused with its line") {
        const std::string deep = "x: " + std::string(70, '[') + std::string(70, ']') + "\n";
        const InputError e = error_of([&] { (void)load_yaml_text(deep, "deep.yaml"); });
        CHECK(e.where().line == 1);
        CHECK(e.message() == "expected at most 64 levels of nesting, found more");
        // 60 levels pass.
        const std::string fine = "x: " + std::string(60, '[') + std::string(60, ']') + "\n";
        CHECK_NOTHROW((void)load_yaml_text(fine, "fine.yaml"));
    }

    TEST_CASE("a YAML text over 1 MiB is refused before it is parsed") {
        const std::string big(kMaxYamlBytes + 1, '#');
        const InputError e = error_of([&] { (void)load_yaml_text(big, "big.yaml"); });
        CHECK(e.message().find("at most 1048576 bytes (1 MiB), found 1048577 bytes") !=
              std::string::npos);
    }

    TEST_CASE("a problem at an absent key is placed at the file, not thrown by yaml-cpp") {
        Diagnostics d(/*collect_all=*/true);
        const YAML::Node root = load_yaml_text("a: 1\n", "f.yaml");
        const YamlValue top(root, "f.yaml", "", &d, nullptr);
        const YamlValue absent = top.child("missing");
        const SourceSpan at = absent.where();
        CHECK(at.file == "f.yaml");
        CHECK(at.line == 0);
        absent.fail("expected something");
        REQUIRE(d.errors().size() == 1);
        CHECK(std::string(d.errors()[0].what()) == "f.yaml: expected something (key 'missing')");
    }

    TEST_CASE("a finite number past 1e30 is refused, as overflowing the books") {
        Diagnostics d(/*collect_all=*/true);
        const YAML::Node root = load_yaml_text("p: 1e308\nq: 1e30\n", "n.yaml");
        const YamlValue top(root, "n.yaml", "", &d, nullptr);
        CHECK_FALSE(top.child("p").number(Range::non_negative).has_value());
        CHECK(top.child("q").number(Range::non_negative) == 1e30);
        REQUIRE(d.errors().size() == 1);
        CHECK(d.errors()[0].message().find("of magnitude at most 1e30") != std::string::npos);
    }

    TEST_CASE("command-line numbers: nan, inf, 0, -5, trailing text and fractions are refused") {
        for (const char* bad : {"nan", "inf", "-inf", "0", "-5", "5s", "", "1e31", "0x"}) {
            CAPTURE(bad);
            const InputError e =
                error_of([&] { (void)parse_cli_number("--interval-s", bad, Range::positive); });
            CHECK(e.where().file == std::string("<command line: --interval-s ") + bad + ">");
            CHECK(e.key() == "--interval-s");
        }
        CHECK(parse_cli_number("--interval-s", "3600", Range::positive) == 3600);
        CHECK(parse_cli_number("--low", "-2.5e3", Range::any) == -2500);
        for (const char* bad : {"0", "1e9", "2.5", "99999999999999999999", "-1", "4x"}) {
            CAPTURE(bad);
            (void)error_of([&] { (void)parse_cli_integer("--jobs", bad, Range{1, 65536}); });
        }
        CHECK(parse_cli_integer("--jobs", "8", Range{1, 65536}) == 8);
    }

    TEST_CASE("GPUs from a service's demand saturate at the largest int instead of wrapping") {
        CHECK(gpus_for_reference(1.0, 10) == 10);
        CHECK(gpus_for_reference(0.5, 3e9) == std::numeric_limits<int>::max());
        CHECK(gpus_for_reference(1.0, 1e300) == std::numeric_limits<int>::max());
    }

    TEST_CASE("a drawn gang larger than any int saturates, never wraps to a small job") {
        ScenarioSpec s;
        s.horizon_s = 3600;
        s.seed = 1;
        WorkloadClassSpec c;
        c.name = "huge";
        c.kind = Kind::batch;
        c.batch.arrival_rate_per_h = 3600;
        c.batch.max_jobs = 50;
        c.batch.gpus.shape = DistributionSpec::Shape::lognormal;
        c.batch.gpus.mean = 1e12;  // every draw far past 2^31
        c.batch.gpus.sigma = 0.5;
        c.batch.work.shape = DistributionSpec::Shape::constant;
        c.batch.work.value = 60;
        c.batch.work_is_duration = true;
        s.workload.classes.push_back(c);
        JobSource source(s);
        int jobs = 0;
        for (; source.next_time() < s.horizon_s; ++jobs)
            CHECK(source.pop().gpus == std::numeric_limits<int>::max());
        CHECK(jobs == 50);
    }
}
