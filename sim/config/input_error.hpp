#pragma once
// Bad input is reported, never clamped: one exception type carries where the problem is (file,
// 1-based line and column, dotted key) and what was expected and found. main() maps it to exit 2.

#include <stdexcept>
#include <string>
#include <vector>

namespace fleetsim {

/** Where a value came from: a file position, or the command line for --set overrides. */
struct SourceSpan {
    std::string file;  ///< path as the user gave it, or "<command line>"
    int line = 0;      ///< 1-based; 0 when unknown
    int column = 0;    ///< 1-based; 0 when unknown
};

/** A problem with the user's input. what() reads "file:line:col: message (key 'a.b')". */
class InputError : public std::runtime_error {
public:
    InputError(SourceSpan where, std::string key, std::string message);

    const SourceSpan& where() const { return where_; }
    const std::string& key() const { return key_; }
    const std::string& message() const { return message_; }

private:
    SourceSpan where_;
    std::string key_;
    std::string message_;
};

/** Several input errors at once (fleetsim validate reports all of them). */
class InputErrors : public std::runtime_error {
public:
    explicit InputErrors(std::vector<InputError> errors);
    const std::vector<InputError>& errors() const { return errors_; }

private:
    std::vector<InputError> errors_;
};

/**
 * Collects input errors. In fail-fast mode (fleetsim run) the first error is thrown at once;
 * in collect mode (fleetsim validate) parsing goes on with a fallback value so that every
 * problem in the files is reported in one pass.
 */
class Diagnostics {
public:
    explicit Diagnostics(bool collect_all = false) : collect_all_(collect_all) {}

    void report(InputError error);
    bool has_errors() const { return !errors_.empty(); }
    const std::vector<InputError>& errors() const { return errors_; }
    /** Throws InputErrors when anything was reported. */
    void throw_if_any() const;

private:
    bool collect_all_;
    std::vector<InputError> errors_;
};

/**
 * Creates the folder `dir` named by `option` (--out, output.dir) with its parents: one that
 * cannot be made (a file in the way, no permission) is bad input naming the folder and the
 * option (exit 2), not an internal error.
 */
void create_folder(const std::string& dir, const std::string& option);

/** The valid name closest to `word` by edit distance, or "" when none is close. */
std::string nearest_name(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace fleetsim
