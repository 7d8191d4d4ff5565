#include "sim/config/input_error.hpp"

#include <algorithm>
#include <filesystem>
#include <numeric>

namespace fleetsim {
namespace {

std::string format_error(const SourceSpan& where, const std::string& key, const std::string& msg) {
    std::string out = where.file;
    // Appended a piece at a time: GCC 12 at -O3 warns -Wrestrict (a false positive, GCC bug
    // 105329) on `out += ":" + std::to_string(...)`, which FLEETSIM_WERROR makes an error.
    if (where.line > 0) {
        out += ':';
        out += std::to_string(where.line);
        if (where.column > 0) {
            out += ':';
            out += std::to_string(where.column);
        }
    }
    out += ": " + msg;
    if (!key.empty())
        out += " (key '" + key + "')";
    return out;
}

std::string join_errors(const std::vector<InputError>& errors) {
    std::string out;
    for (const auto& e : errors) {
        if (!out.empty())
            out += "\n";
        out += e.what();
    }
    return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), 0);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

InputError::InputError(SourceSpan where, std::string key, std::string message)
    : std::runtime_error(format_error(where, key, message)),
      where_(std::move(where)),
      key_(std::move(key)),
      message_(std::move(message)) {}

InputErrors::InputErrors(std::vector<InputError> errors)
    : std::runtime_error(join_errors(errors)), errors_(std::move(errors)) {}

void Diagnostics::report(InputError error) {
    if (!collect_all_)
        throw error;
    errors_.push_back(std::move(error));
}

void Diagnostics::throw_if_any() const {
    if (!errors_.empty())
        throw InputErrors(errors_);
}

void create_folder(const std::string& dir, const std::string& option) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir))
        throw InputError(SourceSpan{dir, 0, 0}, option,
                         "cannot create the output folder: " +
                             (ec ? ec.message() : std::string("a file is in the way")));
}

std::string nearest_name(const std::string& word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto& c : candidates) {
        std::size_t d = edit_distance(word, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    return best;
}

}  // namespace fleetsim
