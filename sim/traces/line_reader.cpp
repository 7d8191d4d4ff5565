#include "sim/traces/line_reader.hpp"

#include "sim/traces/trace_error.hpp"

#include <cstring>

namespace fleetsim {
namespace {
constexpr std::size_t kBuffer = 1 << 20;
}

LineReader::LineReader(const std::string& path)
    : path_(path), in_(path, std::ios::binary), buffer_(kBuffer) {
    if (!in_)
        throw TraceError(path, 0, 0, "", "cannot open the file");
}

bool LineReader::refill() {
    // Keep the unread tail at the front, then fill the rest.
    const std::size_t tail = end_ - pos_;
    if (tail > 0 && pos_ > 0)
        std::memmove(buffer_.data(), buffer_.data() + pos_, tail);
    pos_ = 0;
    end_ = tail;
    if (eof_)
        return false;
    in_.read(buffer_.data() + end_, static_cast<std::streamsize>(buffer_.size() - end_));
    const auto got = static_cast<std::size_t>(in_.gcount());
    if (in_.bad())
        throw TraceError(path_, line_number_ + 1, 0, "", "cannot read the file");
    if (got == 0)
        eof_ = true;
    end_ += got;
    return got > 0;
}

bool LineReader::next(std::string_view& line) {
    long_line_.clear();
    bool assembling = false;
    while (true) {
        const char* start = buffer_.data() + pos_;
        const void* nl = std::memchr(start, '\n', end_ - pos_);
        if (nl != nullptr) {
            const auto len = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
            std::string_view part(start, len);
            pos_ += len + 1;
            ++line_number_;
            if (assembling) {
                long_line_.append(part);
                line = long_line_;
            } else {
                line = part;
            }
            if (!line.empty() && line.back() == '\r')
                line.remove_suffix(1);
            return true;
        }
        if (end_ - pos_ == buffer_.size()) {
            // A line longer than the buffer: move what there is aside and read on.
            long_line_.append(buffer_.data() + pos_, end_ - pos_);
            assembling = true;
            pos_ = end_;
        }
        if (!refill()) {
            if (end_ == pos_ && !assembling)
                return false;  // the end, after a final line break (or an empty file)
            // The last line, without a final line break.
            long_line_.append(buffer_.data() + pos_, end_ - pos_);
            pos_ = end_;
            ++line_number_;
            line = long_line_;
            if (!line.empty() && line.back() == '\r')
                line.remove_suffix(1);
            return true;
        }
    }
}

}  // namespace fleetsim
