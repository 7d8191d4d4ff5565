#pragma once
// The sweep's progress line on the terminal: points done, failed, rate and time left. It draws
// only when stderr is a terminal, so logs and CI output stay clean.

#include <chrono>
#include <cstdio>
#include <string>

namespace fleetsim::sweep {

class Progress {
public:
    /** `total` points to run in this invocation; `enabled` false draws nothing. */
    Progress(long long total, bool enabled);

    void point_finished(bool failed);
    /** Redraws if the last drawing is older than a fifth of a second (or `force`). */
    void draw(bool force = false);
    /** Draws a last time and ends the line. */
    void finish();

    long long done() const { return done_; }
    long long failed() const { return failed_; }
    double elapsed_s() const;

    /** The line as drawn, without the carriage return (exposed for tests). */
    static std::string format_line(
        long long done, long long failed, long long total, double elapsed_s, int width);

private:
    long long total_;
    bool enabled_;
    long long done_ = 0;
    long long failed_ = 0;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
    bool drawn_ = false;
};

/** True when stderr is a terminal (the progress line's condition). */
bool stderr_is_terminal();

}  // namespace fleetsim::sweep
