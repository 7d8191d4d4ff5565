// docs/architecture.md's folder table is the dependency rule (which folder may include which, one
// CMake library per folder) and its seams table says which folders may include which outside
// headers. Both are read here and checked against the sources and the CMakeLists, so the map
// cannot drift from the code, and an arrow running back up fails the build's tests.
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using fleetsim::test::read_file;

/** One row of the folder table. */
struct Folder {
    std::string path;                   ///< a folder, or one file (sim/main.cpp)
    std::vector<std::string> targets;   ///< CMake targets built from it
    std::set<std::string> may_include;  ///< folders of the table
    bool any = false;                   ///< "any": not checked
};

/** One row of the seams table: an outside header and the folders that may include it. */
struct Seam {
    std::string header;  ///< e.g. "<simgrid/": matches every include that starts with it
    std::set<std::string> only_in;
};

struct Architecture {
    std::vector<Folder> folders;
    std::vector<Seam> seams;
};

std::vector<std::string> cells(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream in(line.substr(1));
    std::string cell;
    while (std::getline(in, cell, '|'))
        out.push_back(cell);
    return out;
}

std::vector<std::string> backticked(const std::string& text) {
    std::vector<std::string> out;
    for (std::size_t a = text.find('`'); a != std::string::npos; a = text.find('`', a + 1)) {
        const std::size_t b = text.find('`', a + 1);
        if (b == std::string::npos)
            break;
        out.push_back(text.substr(a + 1, b - a - 1));
        a = b;
    }
    return out;
}

/** The two tables of docs/architecture.md, found by their header rows. */
Architecture read_architecture(const std::string& markdown) {
    Architecture arch;
    std::istringstream in(markdown);
    std::string line;
    enum { none, folders, seams } table = none;
    while (std::getline(in, line)) {
        if (line.rfind("| folder | CMake target | holds | may include |", 0) == 0) {
            table = folders;
            continue;
        }
        if (line.rfind("| header | only in |", 0) == 0) {
            table = seams;
            continue;
        }
        if (line.rfind("|---", 0) == 0)
            continue;
        if (line.rfind("| `", 0) != 0) {
            table = none;
            continue;
        }
        const auto c = cells(line);
        if (table == folders && c.size() >= 4) {
            Folder f;
            f.path = backticked(c[0]).at(0);
            f.targets = backticked(c[1]);
            const auto allowed = backticked(c[3]);
            f.may_include.insert(allowed.begin(), allowed.end());
            f.any = c[3].find(" any ") != std::string::npos;
            arch.folders.push_back(f);
        } else if (table == seams && c.size() >= 2) {
            const auto only = backticked(c[1]);
            arch.seams.push_back({backticked(c[0]).at(0), {only.begin(), only.end()}});
        }
    }
    return arch;
}

/** The row a path belongs to: the longest folder (or the file itself) that contains it. */
const Folder* owner(const Architecture& arch, const std::string& path) {
    const Folder* best = nullptr;
    for (const auto& f : arch.folders) {
        const bool inside = path == f.path || path.rfind(f.path + "/", 0) == 0;
        if (inside && (best == nullptr || f.path.size() > best->path.size()))
            best = &f;
    }
    return best;
}

std::string joined(const std::set<std::string>& items) {
    std::string out;
    for (const auto& i : items)
        out += (out.empty() ? "" : ", ") + i;
    return out;
}

std::string allowed(const std::set<std::string>& folders) {
    return folders.empty() ? "no other folder" : "only " + joined(folders);
}

bool is_source(const fs::path& p) {
    const auto e = p.extension();
    return e == ".cpp" || e == ".hpp" || e == ".h";
}

/** Files under `root`/`dir` (relative to root, sorted) for which `wanted(path)` holds, never
    entering build trees, npm packages or hidden folders. */
template <class Wanted>
std::vector<std::string> files_under(const fs::path& root, const std::string& dir, Wanted wanted) {
    std::vector<std::string> out;
    if (fs::is_regular_file(root / dir))
        return {dir};
    if (!fs::is_directory(root / dir))
        return out;
    for (auto it = fs::recursive_directory_iterator(root / dir); it != fs::end(it); ++it) {
        const std::string name = it->path().filename().string();
        if (it->is_directory() &&
            (name.rfind("build", 0) == 0 || name == "node_modules" || name[0] == '.')) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file() && wanted(it->path()))
            out.push_back(fs::relative(it->path(), root).generic_string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> sources_under(const fs::path& root, const std::string& dir) {
    return files_under(root, dir, is_source);
}

/** Includes, sources and link lines that break the tables, one message each. */
class Checker {
public:
    Checker(fs::path root, Architecture arch) : root_(std::move(root)), arch_(std::move(arch)) {}

    std::vector<std::string> run() {
        for (const std::string top : {"sim", "policies"}) {
            for (const auto& file : sources_under(root_, top)) {
                if (owner(arch_, file) == nullptr)
                    fail(file + " is in no folder of the table");
            }
        }
        std::set<std::string> seen;
        for (const auto& f : arch_.folders) {
            for (const auto& file : sources_under(root_, f.path)) {
                if (owner(arch_, file) == &f && seen.insert(file).second)
                    check_includes(file, f);
            }
        }
        check_cmake();
        return problems_;
    }

private:
    void fail(const std::string& message) { problems_.push_back(message); }

    void check_includes(const std::string& file, const Folder& from) {
        static const std::regex include(R"re(^\s*#\s*include\s*([<"])([^>"]+)[>"])re");
        std::istringstream in(read_file((root_ / file).string()));
        std::string line;
        for (int n = 1; std::getline(in, line); ++n) {
            std::smatch m;
            if (!std::regex_search(line, m, include))
                continue;
            const std::string where = file + ":" + std::to_string(n) + " includes " + m[1].str() +
                                      m[2].str() + (m[1] == "<" ? ">" : "\"");
            if (m[1] == "<") {
                for (const auto& seam : arch_.seams) {
                    if (("<" + m[2].str() + ">").rfind(seam.header, 0) == 0 &&
                        seam.only_in.count(from.path) == 0)
                        fail(where + ", which only " + joined(seam.only_in) + " may include");
                }
                continue;
            }
            const Folder* to = owner(arch_, m[2].str());
            if (to == nullptr)
                fail(where + ", which is in no folder of the table");
            else if (to != &from && !from.any && from.may_include.count(to->path) == 0)
                fail(where + ": " + from.path + " may include " + allowed(from.may_include));
        }
    }

    /** The arguments of every `command(...)` in the CMakeLists.txt files, comments removed. */
    struct Call {
        std::string dir;  ///< of the CMakeLists.txt, relative to the root ("" at the root)
        std::vector<std::string> args;
    };
    std::vector<Call> cmake_calls(const std::string& command) const {
        std::vector<Call> out;
        const auto lists = files_under(
            root_, ".", [](const fs::path& p) { return p.filename() == "CMakeLists.txt"; });
        for (const auto& file : lists) {
            const std::string rel = fs::path(file).parent_path().generic_string();
            std::string text;
            std::istringstream in(read_file((root_ / file).string()));
            for (std::string line; std::getline(in, line);)
                text += line.substr(0, line.find('#')) + "\n";
            const std::regex call("(^|[^A-Za-z_])" + command + R"(\s*\()");
            for (std::sregex_iterator m(text.begin(), text.end(), call), end; m != end; ++m) {
                std::size_t i = static_cast<std::size_t>(m->position() + m->length());
                int depth = 1;
                std::string body;
                for (; i < text.size() && depth > 0; ++i) {
                    depth += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
                    if (depth > 0)
                        body += text[i];
                }
                Call c{rel, {}};
                std::istringstream words(body);
                for (std::string w; words >> w;)
                    c.args.push_back(w);
                if (!c.args.empty())
                    out.push_back(c);
            }
        }
        return out;
    }

    void check_cmake() {
        std::map<std::string, std::vector<const Folder*>> rows_of_target;
        for (const auto& f : arch_.folders) {
            for (const auto& t : f.targets)
                rows_of_target[t].push_back(&f);
        }
        static const std::set<std::string> keywords = {"STATIC", "SHARED",  "MODULE",   "OBJECT",
                                                       "PUBLIC", "PRIVATE", "INTERFACE"};
        std::set<std::string> defined;
        auto check_sources = [&](const Call& c, std::size_t first) {
            const auto rows = rows_of_target.find(c.args[0]);
            for (std::size_t i = first; i < c.args.size(); ++i) {
                const std::string& a = c.args[i];
                if (keywords.count(a) || a.find("${") != std::string::npos || a[0] == '$')
                    continue;
                const std::string path = c.dir.empty() ? a : c.dir + "/" + a;
                const Folder* f = owner(arch_, path);
                if (rows != rows_of_target.end() &&
                    std::find(rows->second.begin(), rows->second.end(), f) == rows->second.end())
                    fail(c.args[0] + " compiles " + path + ", outside its folder");
            }
        };
        for (const auto& c : cmake_calls("add_library")) {
            if (c.args.size() > 1 &&
                (c.args[1] == "ALIAS" || c.args[1] == "INTERFACE" || c.args[1] == "IMPORTED"))
                continue;
            defined.insert(c.args[0]);
            if (rows_of_target.count(c.args[0]) == 0)
                fail("the library " + c.args[0] + " is in no row of the table");
            check_sources(c, 1);
        }
        for (const auto& c : cmake_calls("target_sources"))
            check_sources(c, 1);
        for (const auto& c : cmake_calls("add_executable"))
            defined.insert(c.args[0]);
        for (const auto& [target, rows] : rows_of_target) {
            if (defined.count(target) == 0)
                fail("the table names " + target + ", which no CMakeLists.txt defines");
        }
        for (const auto& c : cmake_calls("target_link_libraries")) {
            const auto rows = rows_of_target.find(c.args[0]);
            if (rows == rows_of_target.end())
                continue;
            std::set<std::string> allowed;
            bool any = false;
            for (const Folder* f : rows->second) {
                allowed.insert(f->may_include.begin(), f->may_include.end());
                allowed.insert(f->path);
                any = any || f->any;
            }
            for (std::size_t i = 1; i < c.args.size(); ++i) {
                const auto linked = rows_of_target.find(c.args[i]);
                if (any || linked == rows_of_target.end())
                    continue;  // an outside library, or fleetsim::warnings
                for (const Folder* f : linked->second) {
                    if (allowed.count(f->path) == 0)
                        fail(c.args[0] + " links " + c.args[i] + " (" + f->path +
                             "), which its folder may not include");
                }
            }
        }
    }

    fs::path root_;
    Architecture arch_;
    std::vector<std::string> problems_;
};

std::vector<std::string> violations(const fs::path& root) {
    return Checker(root, read_architecture(read_file((root / "docs/architecture.md").string())))
        .run();
}

/** A tiny tree with its own table, for checking the checker. */
struct Sandbox {
    fleetsim::test::TempDir dir{"architecture"};
    void write(const std::string& path, const std::string& text) {
        fs::create_directories(fs::path(dir.path()) / fs::path(path).parent_path());
        fleetsim::test::write_file(dir / path, text);
    }
};

const char* const kSandboxTable = R"(
| folder | CMake target | holds | may include |
|---|---|---|---|
| `sim/low` | `low` | the bottom | nothing of fleetsim |
| `sim/high` | `high` | the top | `sim/low` |

| header | only in |
|---|---|
| `<simgrid/` | `sim/high` |
)";

}  // namespace

TEST_SUITE("meta") {
    TEST_CASE("every include and link line follows docs/architecture.md") {
        const fs::path root = fleetsim::test::source_path("");
        const Architecture arch =
            read_architecture(read_file((root / "docs/architecture.md").string()));
        CHECK(arch.folders.size() >= 15);
        CHECK(arch.seams.size() >= 5);
        const auto problems = violations(root);
        for (const auto& p : problems)
            FAIL_CHECK(p);
        CHECK(problems.empty());
    }

    TEST_CASE("the architecture check finds a back-arrow and a stray source and a wrong link") {
        Sandbox box;
        box.write("docs/architecture.md", kSandboxTable);
        box.write("sim/low/a.hpp", "#include <vector>\n");
        box.write("sim/high/b.cpp", "#include \"sim/low/a.hpp\"\n#include <simgrid/s4u.hpp>\n");
        box.write("CMakeLists.txt",
                  "add_library(low STATIC sim/low/a.cpp)  # a comment (with parentheses)\n"
                  "add_library(high STATIC sim/high/b.cpp)\n"
                  "target_link_libraries(high PUBLIC low PRIVATE fleetsim::warnings)\n");
        CHECK(violations(box.dir.path()).empty());

        // The arrow back up: the bottom includes the top, and links it.
        box.write("sim/low/a.hpp", "#include <simgrid/s4u.hpp>\n\n#include \"sim/high/b.hpp\"\n");
        box.write("sim/low/CMakeLists.txt", "target_link_libraries(low PUBLIC\n    high)\n");
        // An outside header out of its folder, a file in no row, a source out of its folder.
        box.write("sim/other/c.cpp", "int c();\n");
        box.write("CMakeLists.txt",
                  "add_library(low STATIC sim/low/a.cpp sim/high/b.cpp)\n"
                  "add_library(high STATIC sim/high/b.cpp)\n");
        const auto problems = violations(box.dir.path());
        const std::vector<std::string> expected = {
            "sim/other/c.cpp is in no folder of the table",
            "sim/low/a.hpp:1 includes <simgrid/s4u.hpp>, which only sim/high may include",
            "sim/low/a.hpp:3 includes \"sim/high/b.hpp\": sim/low may include no other folder",
            "low compiles sim/high/b.cpp, outside its folder",
            "low links high (sim/high), which its folder may not include",
        };
        CHECK(problems == expected);
    }
}
