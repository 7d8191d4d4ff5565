#pragma once
// Lines of a text file, one at a time, through a 1 MiB buffer: a log of millions of lines is
// never held whole (docs/performance.md measures the rows per second). A line is handed out as
// a view into the buffer without its line break ("\n" or "\r\n"), valid until the next call.
// A missing final line break is no error.

#include <cstddef>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsim {

class LineReader {
public:
    /** Opens `path`; a file that cannot be opened is a TraceError. */
    explicit LineReader(const std::string& path);

    /** The next line; false at the end of the file. */
    bool next(std::string_view& line);
    /** 1-based number of the line last returned. */
    long long line_number() const { return line_number_; }
    const std::string& path() const { return path_; }

private:
    bool refill();

    std::string path_;
    std::ifstream in_;
    std::vector<char> buffer_;
    std::size_t pos_ = 0, end_ = 0;
    bool eof_ = false;
    long long line_number_ = 0;
    std::string long_line_;  ///< a line longer than the buffer, assembled here
};

}  // namespace fleetsim
