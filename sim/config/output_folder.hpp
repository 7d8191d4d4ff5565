#pragma once
// The one rule for every folder fleetsim writes (docs/reliability.md, "Output folders and
// kills"): fleetsim never destroys what it did not write.
//
//  - Every folder fleetsim writes holds a marker file, `.fleetsim-output`, naming its kind (run,
//    bound, sweep, compare, breakeven, work). A path that is a file, a symbolic link, the current
//    folder or one of its parents, or a non-empty folder without a marker of the same kind is
//    refused before any work (InputError, exit 2, key output.dir), never cleared.
//  - A result is replaced atomically: the new one is written complete into the sibling
//    `DIR.partial-PID` and swapped with the old one by one renameat2(RENAME_EXCHANGE); only then
//    is the old one removed. At every instant DIR holds the complete old or the complete new
//    result, whatever kills the process.
//  - Leftovers of killed processes (`DIR.partial-PID`, `DIR.old-PID` whose PID is dead) are
//    removed by the next write to DIR; an old result a kill left beside a missing DIR (the
//    fallback of filesystems without RENAME_EXCHANGE) is put back first.
//
// It sits in sim/config because output.dir is an input: the check belongs with the other checks
// of the user's input, and every folder that writes (output, report, sweep) may include it.

#include <string>
#include <vector>

namespace fleetsim::output_folder {

/** The marker's file name, in every folder fleetsim writes. */
inline constexpr const char* kMarker = ".fleetsim-output";

/** What prepare() found. */
struct Prepared {
    std::string dir;                   ///< the path, trailing slashes and "." parts removed
    std::vector<std::string> cleaned;  ///< leftovers of killed processes it removed or restored
};

/**
 * Checks that `dir` may receive a result of `kind`, before any work: it is absent, an empty
 * folder, or a folder whose marker names `kind`. Anything else is refused with an InputError
 * (key output.dir) saying what is there and what to do. Creates the parent folders (and refuses
 * with "cannot create the output folder" when they cannot be), and removes the leftovers of
 * killed processes writing to `dir`.
 */
Prepared prepare(const std::string& dir, const std::string& kind);

/** A new empty folder `dir.partial-PID` holding the marker of `kind`: where the new result is
    written. `dir` as prepare() gave it. */
std::string begin_staging(const std::string& dir, const std::string& kind);

/**
 * Puts the complete folder `staging` at `dir`, replacing what is there in one atomic step, and
 * removes the old result. A kill at any moment leaves `dir` holding the old or the new result.
 */
void commit(const std::string& staging, const std::string& dir);

/** Removes a staging folder after a failure; never throws. */
void abandon(const std::string& staging) noexcept;

/**
 * For a folder updated in place (a sweep): prepare(), then creates `dir` with the marker when it
 * is absent or empty. Returns the normalised path.
 */
Prepared open_in_place(const std::string& dir, const std::string& kind);

/** The kind the marker of `dir` names; "" when it has none. */
std::string marker_kind(const std::string& dir);

/** Writes the marker of `kind` into the existing folder `dir`. */
void mark(const std::string& dir, const std::string& kind);

/**
 * Removes `dir` when its marker names `kind` (the marker last, so that a kill midway leaves a
 * folder that is still known to be fleetsim's). Returns false, removing nothing, when `dir`
 * exists without that marker; true when it is gone. Never throws: what cannot be removed (files
 * still being written by a killed process's children) stays, marked.
 */
bool remove_marked(const std::string& dir, const std::string& kind) noexcept;

/** Removes the files `dir/NAME.partial-PID` whose PID is dead (a file written through a
    temporary sibling, such as report.html); returns their paths. */
std::vector<std::string> clean_partial_files(const std::string& dir, const std::string& name);

/** True when `pid` is a running process of this machine. */
bool process_alive(long long pid);

}  // namespace fleetsim::output_folder
