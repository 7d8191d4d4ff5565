// The key tables (sim/config/key_table.hpp) and Range: a row reads its key with the type and
// range its member and Range say, keeps the member's initializer when an optional key is
// absent, runs its check right after, and hands rows without a member to the section's code
// in table order.
#include "sim/config/key_table.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace fleetsim;

namespace {

struct Toy {
    enum class Colour { red, green };
    double rate_per_s = 0;
    int count = 8;
    std::uint64_t seed = 0;
    bool on = true;
    std::string label = "none";
    Colour colour = Colour::green;
};

void check_count_even(const Toy& t, const YamlValue& at) {
    if (t.count % 2 != 0)
        at.fail("expected an even count, found " + std::to_string(t.count));
}

KeyTable<Toy> toy_keys() {
    static const Key<Toy> keys[] = {
        {.name = "rate_per_s", .member = &Toy::rate_per_s, .range = Range::positive},
        {.name = "count",
         .member = &Toy::count,
         .need = Need::optional,
         .range = Range::non_negative,
         .check = check_count_even},
        {.name = "nested"},
        {.name = "seed",
         .member = &Toy::seed,
         .need = Need::optional,
         .range = Range::non_negative},
        {.name = "on", .member = &Toy::on, .need = Need::optional},
        {.name = "label", .member = &Toy::label, .need = Need::optional},
        {.name = "colour",
         .member = choice_member<&Toy::colour>(),
         .need = Need::optional,
         .choices = {"red", "green"}},
        {.name = "note", .member = Unread{}, .need = Need::optional},
    };
    return keys;
}

struct Read {
    Toy toy;
    std::vector<std::string> messages;
    std::vector<std::string> order;  ///< problems and the reader of `nested`, as they came
};

Read read_toy(const std::string& yaml) {
    Read out;
    Diagnostics d(/*collect_all=*/true);
    YamlValue v(load_yaml_text(yaml, "toy.yaml"), "toy.yaml", "toy", &d, nullptr);
    MapReader m(v, key_names(toy_keys()));
    std::size_t seen = 0;
    auto note_problems = [&] {
        for (; seen < d.errors().size(); ++seen)
            out.order.push_back(d.errors()[seen].key());
    };
    read_keys(m, toy_keys(), out.toy, {{"nested", [&] {
                                            note_problems();
                                            out.order.push_back("<nested>");
                                        }}});
    note_problems();
    for (const auto& e : d.errors())
        out.messages.push_back(e.message());
    return out;
}

}  // namespace

TEST_SUITE("key-table") {
    TEST_CASE("Range words: the five named ranges as the messages have always said them") {
        CHECK(Range::any.words(false) == "a number");
        CHECK(Range::positive.words(false) == "a positive number");
        CHECK(Range::non_negative.words(false) == "a number >= 0");
        CHECK(Range::fraction.words(false) == "a fraction in (0, 1]");
        CHECK(Range::unit_interval.words(false) == "a number in [0, 1]");
        CHECK(Range::any.words(true) == "an integer");
        CHECK(Range::positive.words(true) == "a positive integer");
        CHECK(Range::non_negative.words(true) == "an integer >= 0");
        CHECK(Range::positive.doc_words(false) == "number > 0");
        CHECK(Range::fraction.doc_words(false) == "number in (0, 1]");
        CHECK(Range::non_negative.doc_words(true) == "integer >= 0");
    }

    TEST_CASE("Range: bounds of a key's own, open and closed, with whole numbers in full") {
        const Range int32{1, 2147483647};
        CHECK(int32.words(true) == "an integer in [1, 2147483647]");
        CHECK(int32.doc_words(true) == "integer in [1, 2147483647]");
        CHECK(int32.contains(1));
        CHECK(int32.contains(2147483647));
        CHECK_FALSE(int32.contains(0));
        CHECK_FALSE(int32.contains(2147483648.0));
        const Range hour{0, 24, false, true};
        CHECK(hour.words(false) == "a number in [0, 24)");
        CHECK(hour.contains(0));
        CHECK_FALSE(hour.contains(24));
        CHECK(Range{1}.words(false) == "a number >= 1");
        CHECK(Range::positive.contains(1e-300));
        CHECK_FALSE(Range::positive.contains(0));
    }

    TEST_CASE(
        "a row reads its member with its type and range, an absent optional key keeps the "
        "initializer") {
        const Read r = read_toy("{rate_per_s: 2.5, nested: {}}");
        CHECK(r.messages.empty());
        CHECK(r.toy.rate_per_s == 2.5);
        CHECK(r.toy.count == 8);
        CHECK(r.toy.on);
        CHECK(r.toy.label == "none");
        CHECK(r.toy.colour == Toy::Colour::green);

        const Read s = read_toy(
            "{rate_per_s: 1, count: 4, seed: 9, on: false, label: x, colour: red, note: [any]}");
        CHECK(s.messages.empty());
        CHECK(s.toy.count == 4);
        CHECK(s.toy.seed == 9);
        CHECK_FALSE(s.toy.on);
        CHECK(s.toy.label == "x");
        CHECK(s.toy.colour == Toy::Colour::red);
    }

    TEST_CASE(
        "problems come in table order, the check right after its key, the section's "
        "reader in its place") {
        const Read r = read_toy("{rate_per_s: -1, count: 3, seed: -2, colour: blue}");
        CHECK(r.order == std::vector<std::string>{"toy.rate_per_s", "toy.count", "<nested>",
                                                  "toy.seed", "toy.colour"});
        REQUIRE(r.messages.size() == 4);
        CHECK(r.messages[0] == "expected a positive number, found '-1'");
        CHECK(r.messages[1] == "expected an even count, found 3");
        CHECK(r.messages[2] == "expected an integer >= 0, found '-2'");
        CHECK(r.messages[3] == "expected one of red, green, found 'blue'");
        CHECK(r.toy.rate_per_s == 0);  // a required key that is bad reads as 0
        CHECK(r.toy.colour == Toy::Colour::green);

        const Read missing = read_toy("{nested: 1}");
        REQUIRE(missing.messages.size() == 1);
        CHECK(missing.messages[0] == "missing required key 'rate_per_s'");
    }

    TEST_CASE("a row without a member needs a reader, and a reader needs a row") {
        Diagnostics d(/*collect_all=*/true);
        YamlValue v(load_yaml_text("{rate_per_s: 1}", "toy.yaml"), "toy.yaml", "", &d, nullptr);
        MapReader m(v, key_names(toy_keys()));
        Toy t;
        CHECK_THROWS_AS(read_keys(m, toy_keys(), t), std::logic_error);
        CHECK_THROWS_AS(read_keys(m, toy_keys(), t, {{"nested", [] {}}, {"nestde", [] {}}}),
                        std::logic_error);
        CHECK_THROWS_AS(key(toy_keys(), "no-such-key"), std::logic_error);
    }
}
