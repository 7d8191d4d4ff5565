// The CSV module (sim/io/csv): RFC 4180 quoting both ways, line ends, errors that name the
// line and field, streaming across the read buffer, and numbers written exactly as
// fmt::format("{}") writes them (the form every output CSV has always had).
#include "sim/io/csv.hpp"

#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

using namespace fleetsim;
using Records = std::vector<std::vector<std::string>>;

namespace {

Records parse(const std::string& text) {
    std::istringstream in(text);
    CsvParser parser(in, "t.csv");
    Records out;
    std::vector<std::string> fields;
    while (parser.next(fields))
        out.push_back(fields);
    return out;
}

/** The CsvError a parse of `text` throws (what(), line, column); "" when none. */
struct Failure {
    std::string what;
    int line = -1, column = -1;
};
Failure parse_error(const std::string& text) {
    try {
        parse(text);
    } catch (const CsvError& e) {
        return {e.what(), e.line(), e.column()};
    }
    return {};
}

std::string written(const Records& rows) {
    std::ostringstream out;
    CsvWriter csv(out);
    for (const auto& r : rows)
        csv.row(r);
    csv.finish();
    return out.str();
}

}  // namespace

TEST_SUITE("csv") {
    TEST_CASE(
        "quoted fields hold commas and quotes and line breaks and a write reads back the same") {
        const Records rows = {{"plain", "a,b", "say \"hi\"", "", "two\nlines", "cr\r\nlf"},
                              {"x", "", "", "\"", ",", " spaced "}};
        const std::string text = written(rows);
        CHECK(text ==
              "plain,\"a,b\",\"say \"\"hi\"\"\",,\"two\nlines\",\"cr\r\nlf\"\n"
              "x,,,\"\"\"\",\",\", spaced \n");
        CHECK(parse(text) == rows);
        // A quoted field may hold nothing special at all.
        CHECK(parse("\"a\",\"\"\n") == Records{{"a", ""}});
    }

    TEST_CASE("CRLF and LF both end a record and a missing final line break loses nothing") {
        CHECK(parse("a,b\r\nc,d\r\n") == Records{{"a", "b"}, {"c", "d"}});
        CHECK(parse("a,b\nc,d") == Records{{"a", "b"}, {"c", "d"}});
        CHECK(parse("a,b\r\nc,\"d\"") == Records{{"a", "b"}, {"c", "d"}});
        CHECK(parse("a,") == Records{{"a", ""}});
        CHECK(parse("").empty());
    }

    TEST_CASE("empty fields and empty lines are kept (an empty line is one empty field)") {
        CHECK(parse(",,\n") == Records{{"", "", ""}});
        CHECK(parse("a\n\nb\n") == Records{{"a"}, {""}, {"b"}});
    }

    TEST_CASE("a quoted field the file ends inside is an error at its line and field") {
        const Failure f = parse_error("a,b\nc,\"open\nstill open\nand on");
        CAPTURE(f.what);
        CHECK(f.line == 2);
        CHECK(f.column == 2);
        CHECK(f.what.find("t.csv:2:2: the quoted field that starts on this line has no closing "
                          "quote") != std::string::npos);
    }

    TEST_CASE("stray quotes and lone carriage returns are errors naming line and field") {
        Failure f = parse_error("a,b\nc,d\"e\n");
        CHECK(f.line == 2);
        CHECK(f.column == 2);
        CHECK(f.what.find("quote inside a field") != std::string::npos);
        f = parse_error("a,\"b\"x\n");
        CHECK(f.line == 1);
        CHECK(f.column == 2);
        CHECK(f.what.find("after the closing quote, found 'x'") != std::string::npos);
        f = parse_error("a\rb\n");
        CHECK(f.line == 1);
        CHECK(f.what.find("carriage return") != std::string::npos);
        // Records that span lines count every line: the error is on line 3.
        f = parse_error("\"x\ny\",1\nz\"\n");
        CHECK(f.line == 3);
    }

    TEST_CASE("reading streams through the buffer: fields across 64 KiB boundaries") {
        // Rows of every length from 0 to 96 bytes with quotes and line breaks, so that quoted
        // fields, doubled quotes and line ends fall on the read buffer's edges.
        Records rows = {{"id", "text"}};
        std::size_t bytes = 0;
        for (int i = 0; bytes < 3 * 65536; ++i) {
            std::string t(static_cast<std::size_t>(i % 97), 'x');
            t += ",\"" + std::to_string(i) + "\n";
            bytes += t.size() + 8;
            rows.push_back({std::to_string(i), t});
        }
        std::istringstream in(written(rows));
        CsvReader reader(in, "big.csv");
        CHECK(reader.header() == rows.front());
        Records got = {reader.header()};
        reader.for_each_row([&](const CsvRow& row) { got.push_back(row.fields()); });
        CHECK(got == rows);
    }

    TEST_CASE("numbers are written exactly as fmt::format(\"{}\") writes them") {
        const std::vector<double> values = {0.0,
                                            -0.0,
                                            1.0,
                                            0.1,
                                            1.0 / 3,
                                            2.5e-7,
                                            1e21,
                                            123456789.125,
                                            -42.75,
                                            std::numeric_limits<double>::max(),
                                            std::numeric_limits<double>::denorm_min()};
        for (double v : values) {
            std::ostringstream out;
            CsvWriter csv(out);
            csv.field(v).field(7).field(std::optional<double>()).field(std::optional(v));
            csv.end_row();
            csv.finish();
            const std::string f = fmt::format("{}", v);
            CHECK(out.str() == f + ",7,," + f + "\n");
            // And reads back as the same double.
            CHECK(parse_number(f) == v);
        }
        std::ostringstream out;
        CsvWriter csv(out);
        csv.field(-3).field(std::uint64_t{18446744073709551615u}).field(std::optional<int>(5));
        csv.end_row();
        csv.finish();
        CHECK(out.str() == "-3,18446744073709551615,5\n");
    }

    TEST_CASE("CsvReader gives columns by name and typed fields and errors that name the cell") {
        fleetsim::test::TempDir tmp("csv-reader");
        fleetsim::test::write_file(tmp / "a.csv",
                                   "name,value,count\n\"a, quoted\",1.5,3\nb,,\nc,x1,2\n");
        CsvReader r(tmp / "a.csv");
        CHECK(r.column("value") == 1);
        CHECK_THROWS_WITH_AS((void)r.column("price"),
                             doctest::Contains("expected a column named 'price'"), CsvError);
        std::vector<std::string> names;
        std::vector<std::optional<double>> values;
        std::vector<std::optional<long long>> counts;
        std::string err;
        try {
            r.for_each_row([&](const CsvRow& row) {
                names.push_back(row.text(0));
                counts.push_back(row.optional_integer(2));
                values.push_back(row.optional_number(1));
            });
        } catch (const CsvError& e) {
            err = e.what();
        }
        REQUIRE(names.size() == 3);
        CHECK(names[0] == "a, quoted");
        CHECK(values[0] == 1.5);
        CHECK(counts[0] == 3);
        CHECK_FALSE(values[1].has_value());
        CHECK_FALSE(counts[1].has_value());
        // Line 4, column 2 (value): "x1" is no number.
        CHECK(err.find("a.csv:4:2: expected a number, found 'x1' (key 'value')") !=
              std::string::npos);

        fleetsim::test::write_file(tmp / "b.csv", "a,b\n1,2,3\n");
        CHECK_THROWS_WITH_AS(CsvReader(tmp / "b.csv").for_each_row([](const CsvRow&) {}),
                             doctest::Contains("b.csv:2: expected 2 fields as in the header, "
                                               "found 3"),
                             CsvError);
        fleetsim::test::write_file(tmp / "c.csv", "n\n1.5\n");
        CHECK_THROWS_WITH_AS(
            [&] {
                CsvReader c(tmp / "c.csv");
                CsvRow row;
                c.next(row);
                (void)row.integer(0);
            }(),
            doctest::Contains("c.csv:2:1: expected a whole number, found '1.5' (key 'n')"),
            CsvError);
        fleetsim::test::write_file(tmp / "empty.csv", "");
        CHECK_THROWS_WITH_AS(CsvReader(tmp / "empty.csv"),
                             doctest::Contains("empty.csv:1: expected a header line"), CsvError);
        CHECK_THROWS_WITH_AS(CsvReader(tmp / "missing.csv"), doctest::Contains("cannot open"),
                             CsvError);
    }
}
