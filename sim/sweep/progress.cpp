#include "sim/sweep/progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unistd.h>

namespace fleetsim::sweep {
namespace {

constexpr int kBarWidth = 30;
constexpr auto kRedrawEvery = std::chrono::milliseconds(200);

std::string clock_text(double s) {
    if (!std::isfinite(s) || s < 0)
        return "--:--";
    const auto t = static_cast<long long>(s + 0.5);
    if (t >= 3600)
        return fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
    return fmt::format("{}:{:02}", t / 60, t % 60);
}

}  // namespace

bool stderr_is_terminal() {
    return isatty(STDERR_FILENO) == 1;
}

Progress::Progress(long long total, Mode mode, std::string name, double every_s)
    : total_(total),
      mode_(mode),
      name_(std::move(name)),
      every_(std::max(0.0, every_s)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void Progress::point_finished(bool failed) {
    ++done_;
    if (failed)
        ++failed_;
    draw();
}

double Progress::elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string Progress::format_line(
    long long done, long long failed, long long total, double elapsed_s, int width) {
    const double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1;
    const int filled = std::clamp(static_cast<int>(fraction * width), 0, width);
    const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : -1;
    return fmt::format("[{}{}] {}/{} points, {} failed, {:.1f} points/s, ETA {}",
                       std::string(static_cast<std::size_t>(filled), '#'),
                       std::string(static_cast<std::size_t>(width - filled), '.'), done, total,
                       failed, rate, done == total ? "0:00" : clock_text(eta));
}

std::string Progress::format_plain(
    const std::string& name, long long done, long long failed, long long total, double elapsed_s) {
    const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : -1;
    return fmt::format("sweep {}: {}/{} points ({} failed), {:.1f} points/s, {} elapsed, ETA {}",
                       name, done, total, failed, rate, clock_text(elapsed_s),
                       done == total ? "0:00" : clock_text(eta));
}

void Progress::draw(bool force) {
    if (mode_ == Mode::none)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (mode_ == Mode::lines) {
        if (!force && (every_.count() <= 0 || now - last_draw_ < every_))
            return;
        last_draw_ = now;
        drawn_ = true;
        std::fputs((format_plain(name_, done_, failed_, total_, elapsed_s()) + "\n").c_str(),
                   stderr);
        std::fflush(stderr);
        return;
    }
    if (!force && drawn_ && now - last_draw_ < kRedrawEvery)
        return;
    last_draw_ = now;
    drawn_ = true;
    // \x1b[K clears what a longer previous line left on the right.
    std::fputs(
        ("\r" + format_line(done_, failed_, total_, elapsed_s(), kBarWidth) + "\x1b[K").c_str(),
        stderr);
    std::fflush(stderr);
}

void Progress::finish() {
    if (mode_ == Mode::none)
        return;
    draw(true);
    if (mode_ == Mode::bar)
        std::fputs("\n", stderr);
    std::fflush(stderr);
}

}  // namespace fleetsim::sweep
