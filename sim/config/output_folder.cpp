#include "sim/config/output_folder.hpp"

#include "sim/config/input_error.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace fleetsim::output_folder {
namespace {

namespace fs = std::filesystem;

constexpr const char* kKey = "output.dir";

[[noreturn]] void refuse(const std::string& dir, const std::string& message) {
    throw InputError(SourceSpan{dir, 0, 0}, kKey, message);
}

/** "a.b/c/" -> "a.b/c"; "./x/./y" -> "x/y"; "" stays "" (refused by the caller). */
std::string normalise(const std::string& dir) {
    if (dir.empty())
        return dir;
    std::string out = fs::path(dir).lexically_normal().string();
    while (out.size() > 1 && out.back() == '/')
        out.pop_back();
    return out;
}

/** True when `inner` is `outer` or lies under it (both absolute and normal). */
bool within(const fs::path& inner, const fs::path& outer) {
    auto i = inner.begin();
    for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
        if (o->empty())
            continue;  // the empty last part of a path with a trailing slash
        if (i == inner.end() || *i != *o)
            return false;
    }
    return true;
}

/** `dir`'s name followed by `tag` ("partial", "old") and a PID: the PID when it matches. */
long long leftover_pid(const std::string& entry, const std::string& name, const char* tag) {
    const std::string prefix = name + "." + tag + "-";
    if (entry.size() <= prefix.size() || entry.compare(0, prefix.size(), prefix) != 0)
        return -1;
    long long pid = 0;
    for (std::size_t i = prefix.size(); i < entry.size(); ++i) {
        if (entry[i] < '0' || entry[i] > '9' || pid > 1'000'000'000)
            return -1;
        pid = pid * 10 + (entry[i] - '0');
    }
    return pid;
}

fs::path parent_of(const std::string& dir) {
    const fs::path p = fs::path(dir).parent_path();
    return p.empty() ? fs::path(".") : p;
}

/** The first few names in `dir` (not the marker), for a message: "'a', 'b' and 3 more". */
std::string some_entries(const fs::path& dir) {
    std::vector<std::string> names;
    std::size_t count = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        ++count;
        if (names.size() < 3)
            names.push_back("'" + e.path().filename().string() + "'");
    }
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i)
        out += (i == 0 ? "" : ", ") + names[i];
    if (count > names.size())
        out += " and " + std::to_string(count - names.size()) + " more";
    return out;
}

bool is_empty_folder(const fs::path& dir) {
    std::error_code ec;
    return fs::is_empty(dir, ec) && !ec;
}

/** Removes `path` (a file or a folder) and reports nothing: used on our own folders only. */
void remove_quietly(const fs::path& path) noexcept {
    std::error_code ec;
    fs::remove_all(path, ec);
}

/** True when `dir` holds nothing but marker files (the marker, or the temporary file of a
    process killed while writing it): a staging folder killed before it got any content. */
bool only_marker_files(const fs::path& dir) {
    std::error_code ec;
    const std::string marker = kMarker;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (e.path().filename().string().compare(0, marker.size(), marker) != 0)
            return false;
    }
    return !ec;
}

/** A path as the user would write it: "x.partial-12", not "./x.partial-12". */
std::string shown(const fs::path& p) {
    return p.parent_path() == "." ? p.filename().string() : p.string();
}

/**
 * Removes the leftovers beside `dir` of processes that died writing it: their staging folders
 * (`dir.partial-PID`) and the old results they were removing (`dir.old-PID`). A leftover is
 * fleetsim's when it carries a marker (any kind: a staging folder swapped with the old result
 * holds the old one's marker) or holds nothing but marker files (killed between mkdir and the
 * marker, or while writing it). When `dir` is missing and a dead process's `dir.old-PID` is
 * there, that old result is complete (commit() renames it away before it removes anything from
 * it): it is put back.
 */
std::vector<std::string> clean_leftovers(const std::string& dir) {
    std::vector<std::string> done;
    const fs::path parent = parent_of(dir);
    const std::string name = fs::path(dir).filename().string();
    std::error_code ec;
    std::vector<fs::path> partials, olds;
    for (const auto& e : fs::directory_iterator(parent, ec)) {
        const std::string entry = e.path().filename().string();
        for (const char* tag : {"partial", "old"}) {
            const long long pid = leftover_pid(entry, name, tag);
            if (pid <= 0 || pid == ::getpid() || process_alive(pid))
                continue;
            std::error_code ec2;
            if (!fs::is_directory(fs::symlink_status(e.path(), ec2)))
                continue;
            if (marker_kind(e.path().string()).empty() && !only_marker_files(e.path()))
                continue;  // not known to be ours: left alone
            (std::string(tag) == "old" ? olds : partials).push_back(e.path());
        }
    }
    if (!fs::exists(fs::symlink_status(dir, ec)) && !olds.empty()) {
        fs::rename(olds.front(), dir, ec);
        if (!ec) {
            done.push_back(shown(olds.front()) + " (an old result put back at " + dir + ")");
            olds.erase(olds.begin());
        }
    }
    for (const auto* list : {&partials, &olds}) {
        for (const auto& p : *list) {
            const std::string kind = marker_kind(p.string());
            if (kind.empty())
                remove_quietly(p);  // nothing but marker files in it (checked above)
            if (kind.empty() ? !fs::exists(fs::symlink_status(p, ec))
                             : remove_marked(p.string(), kind))
                done.push_back(shown(p));
        }
    }
    return done;
}

std::string marker_text(const std::string& kind) {
    return "fleetsim " + kind +
           "\n# fleetsim wrote this folder. It replaces or resumes only folders that hold this "
           "file, and only\n# with a result of the same kind (docs/reliability.md).\n";
}

}  // namespace

bool process_alive(long long pid) {
    if (pid <= 0)
        return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::string marker_kind(const std::string& dir) {
    std::ifstream in(fs::path(dir) / kMarker, std::ios::binary);
    std::string line;
    if (!in || !std::getline(in, line))
        return "";
    const std::string prefix = "fleetsim ";
    if (line.compare(0, prefix.size(), prefix) != 0 || line.size() == prefix.size())
        return "";
    return line.substr(prefix.size());
}

void mark(const std::string& dir, const std::string& kind) {
    // Through a temporary file: a reader (another MPI rank marking the same work folder) never
    // sees a half-written marker.
    const fs::path path = fs::path(dir) / kMarker;
    const fs::path tmp = path.string() + ".partial-" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << marker_text(kind);
        out.close();
        if (!out)
            throw std::runtime_error("cannot write " + tmp.string());
    }
    fs::rename(tmp, path);
}

bool remove_marked(const std::string& dir, const std::string& kind) noexcept {
    std::error_code ec;
    const auto status = fs::symlink_status(dir, ec);
    if (!fs::exists(status))
        return true;
    if (!fs::is_directory(status))
        return false;
    const bool empty = is_empty_folder(dir);
    if (!empty && (kind.empty() || marker_kind(dir) != kind))
        return false;
    // Everything but the marker first: a kill (or a file that cannot be removed) midway leaves a
    // folder still marked as ours, which the next write removes.
    std::vector<fs::path> entries;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (e.path().filename() != kMarker)
            entries.push_back(e.path());
    }
    for (const auto& p : entries)
        remove_quietly(p);
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (e.path().filename() != kMarker)
            return false;  // something could not be removed: the folder stays, marked
    }
    fs::remove(fs::path(dir) / kMarker, ec);
    fs::remove(dir, ec);
    return !ec;
}

std::vector<std::string> clean_partial_files(const std::string& dir, const std::string& name) {
    std::vector<std::string> done;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const long long pid = leftover_pid(e.path().filename().string(), name, "partial");
        if (pid <= 0 || pid == ::getpid() || process_alive(pid))
            continue;
        std::error_code ec2;
        if (fs::is_regular_file(fs::symlink_status(e.path(), ec2)) && fs::remove(e.path(), ec2))
            done.push_back(e.path().string());
    }
    return done;
}

Prepared prepare(const std::string& given, const std::string& kind) {
    Prepared p;
    p.dir = normalise(given);
    const std::string& dir = p.dir;
    if (dir.empty())
        refuse("<command line>", "expected an output folder, found an empty path");
    // The current folder, one of its parents or the root: replacing it would take the user's
    // working folder (and everything under it) away, whatever is in it.
    std::error_code ec;
    const fs::path cwd = fs::weakly_canonical(fs::current_path(ec), ec);
    const fs::path target = fs::weakly_canonical(fs::absolute(dir, ec), ec);
    if (!ec && within(cwd, target)) {
        refuse(given, target == cwd ? "is the current folder: fleetsim writes a result into a "
                                      "folder of its own and never replaces the one you work in; "
                                      "name a new folder, e.g. --out results/NAME"
                                    : "is a parent of the current folder: fleetsim never replaces "
                                      "it; name a new folder, e.g. --out results/NAME");
    }
    const auto status = fs::symlink_status(dir, ec);
    if (fs::is_symlink(status))
        refuse(given,
               "is a symbolic link: fleetsim does not replace it (nor what it points to); name "
               "the folder itself or a new one");
    if (fs::exists(status) && !fs::is_directory(status))
        refuse(given,
               "is a file, not a folder: fleetsim never replaces a file it did not write; remove "
               "it yourself or choose another path");
    // The parent folders are made now: a path that cannot be made is the user's input, and
    // finding out after an hour-long run would waste the hour.
    const fs::path parent = parent_of(dir);
    fs::create_directories(parent, ec);
    if (!ec) {
        const fs::path probe = dir + ".partial-" + std::to_string(::getpid());
        fs::create_directory(probe, ec);
        std::error_code ignore;
        fs::remove(probe, ignore);
    }
    if (ec)
        refuse(given, "cannot create the output folder: " + ec.message());
    p.cleaned = clean_leftovers(dir);
    if (!fs::is_directory(fs::symlink_status(dir, ec)) || is_empty_folder(dir))
        return p;
    const std::string found = marker_kind(dir);
    if (found == kind)
        return p;
    if (!found.empty())
        refuse(given, "holds a fleetsim " + found + " result, not a " + kind +
                          " result: fleetsim replaces a result only with one of the same kind; "
                          "choose another folder");
    refuse(given, "holds files fleetsim did not write (" + some_entries(dir) + ") and no " +
                      kMarker +
                      " marker: fleetsim never replaces them; choose another folder, or move "
                      "them away yourself");
}

std::string begin_staging(const std::string& dir, const std::string& kind) {
    const std::string staging = dir + ".partial-" + std::to_string(::getpid());
    remove_quietly(staging);  // our own PID: a folder of ours from a failed attempt
    fs::create_directories(staging);
    mark(staging, kind);
    return staging;
}

void commit(const std::string& staging, const std::string& dir) {
    std::error_code ec;
    const bool replacing = fs::exists(fs::symlink_status(dir, ec));
    if (!replacing) {
        if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, dir.c_str(), RENAME_NOREPLACE) == 0)
            return;
        if (errno != EINVAL && errno != ENOSYS)
            throw std::runtime_error("cannot rename " + staging + " to " + dir + ": " +
                                     std::strerror(errno));
        fs::rename(staging, dir);  // a filesystem without renameat2's flags
        return;
    }
    // One atomic step: `dir` holds the new result and `staging` the old one. A kill after it
    // leaves the old result in `staging`, marked, which the next write removes.
    if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) == 0) {
        remove_marked(staging, marker_kind(staging));
        return;
    }
    if (errno != EINVAL && errno != ENOSYS)
        throw std::runtime_error("cannot exchange " + staging + " and " + dir + ": " +
                                 std::strerror(errno));
    // Without RENAME_EXCHANGE (some network filesystems): the old result steps aside first; a kill
    // between the two renames leaves `dir` missing and `dir.old-PID` complete, which the next
    // write puts back (clean_leftovers).
    const std::string old = dir + ".old-" + std::to_string(::getpid());
    fs::rename(dir, old);
    fs::rename(staging, dir);
    // Under the staging name before any file goes: a folder named dir.old-PID is always a
    // complete old result, safe to put back.
    fs::rename(old, staging);
    remove_marked(staging, marker_kind(staging));
}

void abandon(const std::string& staging) noexcept {
    remove_quietly(staging);
}

Prepared open_in_place(const std::string& dir, const std::string& kind) {
    Prepared p = prepare(dir, kind);
    fs::create_directories(p.dir);
    if (marker_kind(p.dir) != kind)
        mark(p.dir, kind);  // absent or empty (prepare refused anything else)
    return p;
}

}  // namespace fleetsim::output_folder
