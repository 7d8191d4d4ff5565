// The output schema (sim/schema/schema.hpp): docs/metrics.md and docs/sweeps.md describe every
// field it declares (read from the tables, not from a list here), summary.json goes through
// nlohmann's to_json / from_json and back unchanged, reading tolerates what older outputs lack
// and names the dotted key of what a firm field lacks, and CSV records follow the tables.
#include "sim/schema/csv_records.hpp"
#include "sim/schema/schema.hpp"
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using namespace fleetsim;
using Json = nlohmann::ordered_json;

namespace {

/** A table row of a Markdown page: the `names` in its first cell, and its second cell. */
struct DocRow {
    std::vector<std::string> names;
    std::string unit;
};

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(' ');
    const auto e = s.find_last_not_of(' ');
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/** The table rows of every "## <file>" section of a Markdown page, by the heading's first word. */
std::map<std::string, std::vector<DocRow>> doc_tables(const std::string& page) {
    std::map<std::string, std::vector<DocRow>> out;
    std::istringstream in(fleetsim::test::read_file(fleetsim::test::source_path(page)));
    std::string line, section;
    const std::regex code("`([^`]+)`");
    while (std::getline(in, line)) {
        if (line.rfind("## ", 0) == 0 || line.rfind("### ", 0) == 0) {
            std::istringstream words(line.substr(line.find(' ') + 1));
            words >> section;
            continue;
        }
        if (line.rfind("|", 0) != 0 || line.rfind("|---", 0) == 0)
            continue;
        std::vector<std::string> cells;
        std::string cell;
        std::istringstream parts(line.substr(1));
        while (std::getline(parts, cell, '|'))
            cells.push_back(trim(cell));
        if (cells.size() < 2)
            continue;
        DocRow row;
        row.unit = cells[1];
        for (std::sregex_iterator it(cells[0].begin(), cells[0].end(), code), end; it != end; ++it)
            row.names.push_back((*it)[1]);
        out[section].push_back(row);
    }
    return out;
}

/** Checks that a row of `rows` names `name` and gives `unit` as its unit. */
void check_documented(const std::vector<DocRow>& rows,
                      const std::string& page,
                      const std::string& name,
                      std::string_view unit) {
    const DocRow* found = nullptr;
    for (const auto& r : rows) {
        for (const auto& n : r.names) {
            if (n == name)
                found = &r;
        }
    }
    if (found == nullptr) {
        FAIL_CHECK(page << " has no row for `" << name << "`: add one to the table of its file");
        return;
    }
    CHECK_MESSAGE(found->unit == unit, page << ": the unit of `" << name << "` is '" << found->unit
                                            << "', the schema's is '" << unit << "'");
}

/** Checks the fields of R in `rows`, with `prefix` ("fleet.") before each name. */
template <Described R>
void check_fields(const std::vector<DocRow>& rows,
                  const std::string& page,
                  const std::string& prefix = "") {
    for (const auto& f : fields_info<R>()) {
        check_documented(rows, page, prefix + std::string(f.name), f.unit);
        // A nested record (a class's job_trace): each of its fields too, as "name.field".
        if (f.kind == ValueKind::record) {
            for (const auto& g : f.nested())
                check_documented(rows, page,
                                 prefix + std::string(f.name) + "." + std::string(g.name), g.unit);
        }
    }
}

RunSummary sample_summary() {
    RunSummary s;
    s.scenario = "s";
    s.policy = "fifo";
    s.seed = 18446744073709551615u;
    s.horizon_s = 3600.5;
    s.fleet.gpus = 16;
    s.fleet.gpu_h_capacity = 16 * 3600.5 / 3600;
    s.fleet.utilization = 0.25;
    s.fleet.mean_shadow_price_usd_per_gpu_h = 2.5;
    ClassFigures a;
    a.name = "chat";
    a.family = "llm";
    a.kind = "service";
    a.unit = "tokens";
    a.gpu_h = 1.0 / 3;
    a.busy_gpu_h = 0.25;
    a.revenue_usd_per_gpu_h = 7;
    a.served_fraction = 0.5;
    ClassFigures b = a;
    b.name = "train";
    b.kind = "batch";
    b.revenue_usd_per_gpu_h.reset();
    b.wait_s_p99 = 1e9;
    b.jobs_submitted = 1LL << 40;
    b.job_trace = JobTraceFigures{};
    b.job_trace->format = "swf";
    b.job_trace->recorded_wait_s_mean = 10.5;
    a.request_trace = RequestTraceFigures{};
    a.request_trace->format = "azure";
    a.request_trace->repeat = true;
    s.classes = {a, b};
    s.totals.profit_usd = -12.125;
    s.events = 42;
    s.wall_s = 0.5;
    s.version = "1.2.3";
    return s;
}

std::string read_error(const Json& j) {
    try {
        (void)j.get<RunSummary>();
    } catch (const FieldError& e) {
        return e.key() + ": " + e.message();
    }
    return "(no error)";
}

}  // namespace

TEST_SUITE("output schema") {
    TEST_CASE("docs/metrics.md describes every field of every output file with its unit") {
        const auto tables = doc_tables("docs/metrics.md");
        const auto& summary = tables.at("summary.json");
        for (const auto& f : fields_info<RunSummary>()) {
            if (f.kind == ValueKind::record) {
                for (const auto& g : f.nested()) {
                    const std::string name = std::string(f.name) + "." + std::string(g.name);
                    check_documented(summary, "metrics.md summary.json", name, g.unit);
                    if (g.kind == ValueKind::record) {  // fleet.failures
                        for (const auto& h : g.nested())
                            check_documented(summary, "metrics.md summary.json",
                                             name + "." + std::string(h.name), h.unit);
                    }
                }
            } else if (f.kind == ValueKind::records && f.name == "families") {
                // families.<family>.*: every field of FamilyFigures but its key.
                for (const auto& g : f.nested()) {
                    if (g.in_json())
                        check_documented(summary, "metrics.md summary.json",
                                         "families.<family>." + std::string(g.name), g.unit);
                }
            } else if (f.kind != ValueKind::records) {
                check_documented(summary, "metrics.md summary.json", std::string(f.name), f.unit);
            }
        }
        // summary.json's classes.<name> are classes.csv's fields (some only in the JSON).
        check_fields<ClassFigures>(tables.at("classes.csv"), "metrics.md classes.csv");
        check_fields<TimeseriesRow>(tables.at("timeseries.csv"), "metrics.md timeseries.csv");
        check_fields<JobRow>(tables.at("jobs.csv"), "metrics.md jobs.csv");
        // The failure columns, each in its own section after its file's.
        check_fields<ClassFailureFigures>(tables.at("Failure"), "metrics.md failure columns");
        check_fields<TimeseriesFailureColumns>(tables.at("Failure"), "metrics.md failure columns");
        check_fields<JobFailureColumns>(tables.at("Failure"), "metrics.md failure columns");
        check_fields<FailureLogRecord>(tables.at("failures.csv"), "metrics.md failures.csv");
    }

    TEST_CASE("docs/sweeps.md lists every run figure a sweep keeps per point") {
        const auto tables = doc_tables("docs/sweeps.md");
        const auto& points = tables.at("points.csv");
        for (const auto& f : point_figures()) {
            bool found = false;
            for (const auto& r : points)
                found =
                    found || std::find(r.names.begin(), r.names.end(), f.column) != r.names.end();
            CAPTURE(f.column);
            CHECK(found);
        }
    }

    TEST_CASE("summary.json: to_json writes the table's order and from_json reads it back whole") {
        const RunSummary s = sample_summary();
        const Json j = s;
        std::vector<std::string> keys;
        for (const auto& [k, v] : j.items())
            keys.push_back(k);
        // `bound` is left out when there is none; every other field is there, in table order.
        CHECK(keys == std::vector<std::string>{"scenario", "policy", "seed", "horizon_s", "fleet",
                                               "classes", "families", "totals", "events", "wall_s",
                                               "version"});
        CHECK(j["seed"].is_number_unsigned());
        CHECK(j["fleet"]["gpus"].is_number_integer());
        // Classes by name, the name not repeated inside; no value is null, an empty one is.
        CHECK(j["classes"].size() == 2);
        CHECK_FALSE(j["classes"]["chat"].contains("class"));
        CHECK(j["classes"]["chat"]["unit"] == "tokens");
        CHECK(j["classes"]["train"]["revenue_usd_per_gpu_h"].is_null());
        CHECK(j["classes"]["chat"].begin().key() == "family");
        CHECK(j["fleet"]["energy_it_kwh_simgrid"].is_null());

        // Through text and back: the same JSON, byte for byte.
        const RunSummary back = Json::parse(j.dump(2)).get<RunSummary>();
        CHECK(Json(back).dump(2) == j.dump(2));
        CHECK(back.classes.at(1).name == "train");
        CHECK(back.classes.at(1).jobs_submitted == (1LL << 40));
        CHECK(back.seed == s.seed);

        RunSummary bounded = s;
        bounded.bound = BoundFigures{100, std::nullopt};
        const Json jb = bounded;
        CHECK(jb["bound"]["revenue_usd"] == 100);
        CHECK(jb["bound"]["revenue_fraction"].is_null());
        CHECK(Json(Json(jb).get<RunSummary>()) == jb);
    }

    TEST_CASE("reading summary.json requires the firm fields and lets the others be absent") {
        const Json full = sample_summary();
        Json j = full;
        j["totals"].erase("profit_usd");
        CHECK(read_error(j) == "totals.profit_usd: expected this key, found none");
        j = full;
        j["classes"]["train"]["gpu_h"] = "many";
        CHECK(read_error(j) == "classes.train.gpu_h: expected a number, found \"many\"");
        j = full;
        j["fleet"]["gpus"] = 1.5;
        CHECK(read_error(j) == "fleet.gpus: expected a whole number, found 1.5");
        j = full;
        j["fleet"] = 3;
        CHECK(read_error(j) == "fleet: expected an object, found 3");

        // An older output: no busy_gpu_h, no mean shadow price, no events. Read, as absent.
        j = full;
        j["classes"]["chat"].erase("busy_gpu_h");
        j["fleet"].erase("mean_shadow_price_usd_per_gpu_h");
        j.erase("events");
        j["a_field_of_a_newer_fleetsim"] = 1;
        const RunSummary old = j.get<RunSummary>();
        CHECK_FALSE(old.classes[0].busy_gpu_h.has_value());
        CHECK(old.classes[1].busy_gpu_h == 0.25);
        CHECK_FALSE(old.fleet.mean_shadow_price_usd_per_gpu_h.has_value());
        CHECK(old.events == 0);
    }

    TEST_CASE("a class field reaches summary.json and classes.csv and the sweep from one table") {
        // The CSV columns and the JSON keys are the table's, in its order; the sweep's classes
        // table and results.csv take csv_columns() (sim/sweep/sweep_db.cpp).
        // A class replayed from a log has `job_trace`, a service driven by one `request_trace`;
        // each is left out when the class has none.
        std::vector<std::string> json_keys = {"class"}, csv_keys;
        const Json chat = sample_summary().classes[0];
        for (const auto& [k, v] : chat.items())
            json_keys.push_back(k);
        CHECK_FALSE(chat.contains("job_trace"));
        CHECK(chat["request_trace"]["repeat"] == true);
        const Json train = sample_summary().classes[1];
        CHECK_FALSE(train.contains("request_trace"));
        CHECK(train["job_trace"]["recorded_wait_s_mean"] == 10.5);
        CHECK(train["job_trace"]["wait_s_mean"].is_null());
        json_keys.emplace_back("job_trace");
        for (const auto& f : fields_info<ClassFigures>()) {
            if (f.in_csv())
                csv_keys.emplace_back(f.name);
        }
        CHECK(csv_columns<ClassFigures>() == csv_keys);
        CHECK(csv_keys.front() == "class");
        CHECK(std::find(csv_keys.begin(), csv_keys.end(), "unit") == csv_keys.end());
        CHECK(std::find(json_keys.begin(), json_keys.end(), "unit") != json_keys.end());
        // Every field but `failures`, which is left out when the run has no failure model.
        CHECK(json_keys.size() + 1 == fields_info<ClassFigures>().size());
        CHECK(std::find(json_keys.begin(), json_keys.end(), "failures") == json_keys.end());
        CHECK(name_of(&ClassFigures::gpu_h) == "gpu_h");
        CHECK(json_path(&RunSummary::totals, &RunTotals::profit_usd) == "totals.profit_usd");
        CHECK(point_figures().front().column == "total_revenue_usd");
        CHECK(point_column(&RunSummary::fleet, &FleetFigures::utilization) == "fleet_utilization");
        CHECK(point_figures().front().value(sample_summary()) == 0.0);
    }

    TEST_CASE("per-family totals add up their classes and both families are always written") {
        // Three classes: chat and train (llm), gen (video). By hand:
        //   llm:   gpu_h 30 + 10 = 40, revenue 300 + 50 = 350, cost 120 + 60 = 180,
        //          opportunity 0 + 25 = 25, energy 4 + 2 = 6
        //   video: gpu_h 60, revenue 150, cost 240, opportunity 90, energy 9
        //   all classes: gpu_h 100, revenue 500
        auto make = [](const char* name, const char* family, double gpu_h, double revenue,
                       double cost, double opportunity, double energy) {
            ClassFigures c;
            c.name = name;
            c.family = family;
            c.gpu_h = gpu_h;
            c.revenue_usd = revenue;
            c.cost_usd = cost;
            c.profit_usd = revenue - cost;
            c.opportunity_cost_usd = opportunity;
            c.energy_kwh = energy;
            return c;
        };
        RunSummary s = sample_summary();
        s.classes = {make("chat", "llm", 30, 300, 120, 0, 4),
                     make("gen", "video", 60, 150, 240, 90, 9),
                     make("train", "llm", 10, 50, 60, 25, 2)};
        s.families = family_figures(s.classes);
        REQUIRE(s.families.size() == 2);
        const FamilyFigures& llm = s.families[0];
        const FamilyFigures& video = s.families[1];
        CHECK(llm.family == "llm");
        CHECK(llm.classes == 2);
        CHECK(llm.gpu_h == 40);
        CHECK(llm.gpu_h_share == 0.4);
        CHECK(llm.revenue_usd == 350);
        CHECK(llm.revenue_share == 0.7);
        CHECK(llm.cost_usd == 180);
        CHECK(llm.profit_usd == 170);
        CHECK(llm.revenue_usd_per_gpu_h == 8.75);
        CHECK(llm.opportunity_cost_usd == 25);
        CHECK(llm.energy_kwh == 6);
        CHECK(video.family == "video");
        CHECK(video.gpu_h_share == 0.6);
        CHECK(video.profit_usd == -90);
        CHECK(video.revenue_usd_per_gpu_h == 2.5);
        // In summary.json as {"llm": {...}, "video": {...}}, read back whole.
        const Json j = s;
        CHECK(j["families"]["video"]["gpu_h"] == 60);
        CHECK_FALSE(j["families"]["video"].contains("family"));
        CHECK(j.get<RunSummary>().families[1].opportunity_cost_usd == 90);
        // A workload without video: both families still, video at zero, its shares 0.
        const auto only_llm = family_figures({make("chat", "llm", 30, 300, 120, 0, 4)});
        REQUIRE(only_llm.size() == 2);
        CHECK(only_llm[1].classes == 0);
        CHECK(only_llm[1].gpu_h_share == 0);
        CHECK_FALSE(only_llm[1].revenue_usd_per_gpu_h.has_value());
        // The sweep keeps each family's totals and share per point (points.csv).
        std::map<std::string, std::optional<double>> columns;
        for (const auto& f : point_figures())
            columns[f.column] = f.value(s);
        CHECK(columns.at("video_gpu_h_share") == 0.6);
        CHECK(columns.at("llm_revenue_usd") == 350);
        CHECK(columns.at("video_opportunity_cost_usd") == 90);
        // A summary.json without `families` (an older fleetsim's) gives the same from its classes.
        s.families.clear();
        CHECK(columns.at("llm_profit_usd") == [&] {
            for (const auto& f : point_figures())
                if (f.column == "llm_profit_usd")
                    return f.value(s);
            return std::optional<double>();
        }());
    }

    TEST_CASE("CSV records are written from the table and read back by column name") {
        JobRow a;
        a.job_id = 7;
        a.cls = "train";
        a.submit_s = 0.1;
        a.start_s = 2.5;
        a.gpus = 8;
        a.work_gpu_h = 1.0 / 3;
        a.status = "running_at_end";
        a.pool = "h100, a";  // quoted on the way out
        a.racks = 2;
        JobRow b;
        b.job_id = 8;
        b.cls = "train";
        b.status = "waiting_at_end";
        std::ostringstream out;
        {
            CsvWriter csv(out);
            write_csv_header<JobRow>(csv);
            write_csv_row(csv, a);
            write_csv_row(csv, b);
            csv.finish();
        }
        CHECK(out.str() ==
              "job_id,class,submit_s,start_s,end_s,gpus,work_gpu_h,preemptions,status,pool,"
              "lost_work_gpu_h,racks\n"
              "7,train,0.1,2.5,,8,0.3333333333333333,0,running_at_end,\"h100, a\",0,2\n"
              "8,train,0,,,0,0,0,waiting_at_end,,0,\n");
        std::istringstream in(out.str());
        CsvReader reader(in, "jobs.csv");
        CsvRecordReader<JobRow> records(reader);
        JobRow r;
        REQUIRE(records.next(r));
        CHECK(r.pool == "h100, a");
        CHECK(r.work_gpu_h == a.work_gpu_h);
        CHECK(r.racks == 2);
        CHECK_FALSE(r.end_s.has_value());
        REQUIRE(records.next(r));
        CHECK_FALSE(r.start_s.has_value());
        CHECK_FALSE(r.racks.has_value());
        CHECK_FALSE(records.next(r));

        // An older jobs.csv without racks and pool reads; one without gpus (firm) does not.
        std::istringstream old(
            "job_id,class,submit_s,start_s,end_s,gpus,work_gpu_h,preemptions,"
            "status\n1,c,0,,,4,1,0,waiting_at_end\n");
        CsvReader old_reader(old, "old.csv");
        CsvRecordReader<JobRow> old_records(old_reader);
        REQUIRE(old_records.next(r));
        CHECK(r.gpus == 4);
        CHECK(r.pool.empty());
        std::istringstream bad("job_id,class,submit_s,start_s,end_s\n");
        CsvReader bad_reader(bad, "bad.csv");
        CHECK_THROWS_WITH_AS(CsvRecordReader<JobRow>{bad_reader},
                             doctest::Contains("bad.csv:1: expected a column named 'gpus'"),
                             CsvError);
    }

    TEST_CASE("figures per pool: one column each, none on one pool, read back by name") {
        TimeseriesRow row;
        row.t_s = 0;
        row.cls = "chat";
        std::ostringstream one;
        {
            CsvWriter csv(one);
            write_csv_header(csv, row);  // no pools named: the columns of before
            csv.finish();
        }
        CHECK(one.str() ==
              "t_s,class,gpus_allocated,gpus_busy,demand_units_per_s,served_units_per_s,"
              "revenue_usd,shadow_price_usd_per_gpu_h,opportunity_cost_usd\n");
        row.pool_gpus.items = {{"a100", 8}, {"h100", 16}};
        row.pool_gpus_busy.items = {{"a100", 2}, {"h100", 16}};
        row.pool_shadow_price_usd_per_gpu_h.items = {{"a100", 0.5}, {"h100", 3.25}};
        std::ostringstream out;
        {
            CsvWriter csv(out);
            write_csv_header(csv, row);
            write_csv_row(csv, row);
            csv.finish();
        }
        CHECK(out.str() ==
              "t_s,class,gpus_allocated,gpus_busy,demand_units_per_s,served_units_per_s,"
              "revenue_usd,shadow_price_usd_per_gpu_h,opportunity_cost_usd,pool_gpus.a100,"
              "pool_gpus.h100,pool_gpus_busy.a100,pool_gpus_busy.h100,"
              "pool_shadow_price_usd_per_gpu_h.a100,pool_shadow_price_usd_per_gpu_h.h100\n"
              "0,chat,0,0,0,0,0,0,0,8,16,2,16,0.5,3.25\n");
        std::istringstream in(out.str());
        CsvReader reader(in, "timeseries.csv");
        CsvRecordReader<TimeseriesRow> records(reader);
        TimeseriesRow r;
        REQUIRE(records.next(r));
        CHECK(r.pool_gpus == row.pool_gpus);
        CHECK(r.pool_shadow_price_usd_per_gpu_h == row.pool_shadow_price_usd_per_gpu_h);
        // In JSON, an object by name.
        CHECK(field_detail::to_value<Json>(r.pool_shadow_price_usd_per_gpu_h).dump() ==
              R"({"a100":0.5,"h100":3.25})");
    }
}
