// docs/sources.md travels with the repository: the YAML comments and docs cite its sections
// (`docs/sources.md#h100-capex`), never a file outside the repository. These tests read the
// source tree: a citation of the old, unshipped source list, or of a section docs/sources.md
// does not have, fails with the file and line; so does a number in a shipped platform or
// workload that no comment ties to a section.
#include "tests/support/spawn.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using fleetsim::test::read_file;
using fleetsim::test::source_path;

namespace {

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
std::string anchor_of(const std::string& heading) {
    std::string out;
    for (char c : heading) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u))
            out.push_back(static_cast<char>(std::tolower(u)));
        else if (c == ' ' || c == '-')
            out.push_back('-');
        else if (c == '_')
            out.push_back('_');
    }
    return out;
}

/** The anchors of docs/sources.md's headings; fails on two headings with one anchor. */
std::set<std::string> sources_anchors() {
    std::istringstream in(read_file(source_path("docs/sources.md")));
    std::set<std::string> anchors;
    std::string line;
    while (std::getline(in, line)) {
        const auto hashes = line.find_first_not_of('#');
        if (hashes == 0 || hashes == std::string::npos || line[hashes] != ' ')
            continue;
        const std::string anchor = anchor_of(line.substr(hashes + 1));
        CAPTURE(line);
        CHECK(anchors.insert(anchor).second);
    }
    return anchors;
}

bool skipped_dir(const fs::path& dir) {
    const std::string name = dir.filename().string();
    // Build trees, run outputs and installed packages are not the project's text.
    return name.empty() || name[0] == '.' || name.rfind("build", 0) == 0 || name == "results" ||
           name == "node_modules";
}

/** Every text file of the source tree a user gets: docs, YAML, scripts, code. */
std::vector<fs::path> project_text_files() {
    static const std::set<std::string> text = {".md",  ".yaml",  ".yml", ".sh",  ".cpp",
                                               ".hpp", ".js",    ".cjs", ".css", ".html",
                                               ".txt", ".cmake", ".json"};
    std::vector<fs::path> out;
    const fs::path root = source_path("");
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
         ++it) {
        if (it->is_directory()) {
            if (skipped_dir(it->path()))
                it.disable_recursion_pending();
            continue;
        }
        const std::string name = it->path().filename().string();
        if (text.count(it->path().extension().string()) || name == "CMakeLists.txt")
            out.push_back(it->path());
    }
    return out;
}

std::string in_repo(const fs::path& p) {
    return fs::relative(p, source_path("")).generic_string();
}

}  // namespace

TEST_SUITE("sources-doc") {
    TEST_CASE("no file of the repository cites the source list outside it") {
        // Spelled in two parts so that this file does not cite it.
        const std::string outside = std::string("economics") + ".md";
        const std::string shared_docs = std::string("shared/") + "docs/";
        const auto files = project_text_files();
        CHECK(files.size() > 100);
        int yaml = 0;
        for (const auto& file : files) {
            yaml += file.extension() == ".yaml" ? 1 : 0;
            std::istringstream in(read_file(file.string()));
            std::string line;
            for (int n = 1; std::getline(in, line); ++n) {
                INFO(in_repo(file) << ":" << n << ": " << line);
                CHECK(line.find(outside) == std::string::npos);
                CHECK(line.find(shared_docs) == std::string::npos);
            }
        }
        CHECK(yaml > 20);
    }

    TEST_CASE("every section of docs/sources.md cited in the repository is one it has") {
        const std::set<std::string> anchors = sources_anchors();
        CHECK(anchors.count("h100-capex") == 1);
        // "sources.md" + "#" + a section anywhere (from the root or from docs/, scenarios/), and
        // "](#" + a section + ")" links inside docs/sources.md itself.
        const std::regex cited(R"(sources\.md#([A-Za-z0-9_-]+))");
        const std::regex own_link(R"(\]\(#([A-Za-z0-9_-]+)\))");
        int citations = 0;
        for (const auto& file : project_text_files()) {
            const bool is_sources = in_repo(file) == "docs/sources.md";
            std::istringstream in(read_file(file.string()));
            std::string line;
            for (int n = 1; std::getline(in, line); ++n) {
                for (const std::regex* re : {&cited, &own_link}) {
                    if (re == &own_link && !is_sources)
                        continue;
                    for (std::sregex_iterator m(line.begin(), line.end(), *re), end; m != end;
                         ++m) {
                        ++citations;
                        INFO(in_repo(file) << ":" << n << ": cites #" << (*m)[1].str());
                        CHECK(anchors.count((*m)[1].str()) == 1);
                    }
                }
            }
        }
        CHECK(citations > 100);
    }

    TEST_CASE("every number in a shipped platform or workload has a comment citing its source") {
        // A key line with a number in its value needs a citation of a section of
        // docs/sources.md in its own comment or in the comment lines right above it.
        const std::regex cited(R"(docs/sources\.md#[a-z0-9])");
        const std::regex numeric_key(R"(^\s*([a-z_]+):\s*([-0-9.]|[{[][^#]*[0-9]))");
        int checked = 0;
        for (const std::string dir : {"platforms", "workloads"}) {
            for (const auto& entry : fs::directory_iterator(source_path(dir))) {
                if (entry.path().extension() != ".yaml")
                    continue;
                std::istringstream in(read_file(entry.path().string()));
                std::string line, comments_above;
                for (int n = 1; std::getline(in, line); ++n) {
                    const auto first = line.find_first_not_of(' ');
                    if (first != std::string::npos && line[first] == '#') {
                        comments_above += line;
                        continue;
                    }
                    std::smatch key;
                    if (std::regex_search(line, key, numeric_key) && key[1] != "name" &&
                        key[1] != "description") {
                        ++checked;
                        INFO(in_repo(entry.path()) << ":" << n << ": " << line);
                        const auto hash = line.find('#');
                        const std::string own = hash == std::string::npos ? "" : line.substr(hash);
                        CHECK(std::regex_search(own + comments_above, cited));
                    }
                    comments_above.clear();
                }
            }
        }
        CHECK(checked > 80);
    }
}
