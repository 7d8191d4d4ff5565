#pragma once
// The sweep's progress on stderr: points done, failed, rate and time left. On a terminal, one
// line redrawn in place; elsewhere (mpirun, Slurm, a pipe, a log file) a plain line every so
// many seconds, which a log keeps readable.

#include <chrono>
#include <cstdio>
#include <string>

namespace fleetsim::sweep {

class Progress {
public:
    /** How progress is shown: a redrawn bar (a terminal), a plain line every few seconds (a
     * log: mpirun, Slurm, a pipe), or nothing. */
    enum class Mode { bar, lines, none };

    /** `total` points to run in this invocation; lines mode prints one every `every_s`. */
    Progress(long long total, Mode mode, std::string name = "", double every_s = 30);

    void point_finished(bool failed);
    /** Redraws (bar: if the last drawing is older than a fifth of a second; lines: if the last
     * line is older than every_s) or, with `force`, at once. */
    void draw(bool force = false);
    /** Draws a last time and ends the line. */
    void finish();

    long long done() const { return done_; }
    long long failed() const { return failed_; }
    double elapsed_s() const;

    /** The bar as drawn, without the carriage return (exposed for tests). */
    static std::string format_line(
        long long done, long long failed, long long total, double elapsed_s, int width);
    /** A plain line for logs: "sweep NAME: 12/300 points (0 failed), 3.2 points/s, 0:04
     * elapsed, ETA 1:30" (exposed for tests). */
    static std::string format_plain(const std::string& name,
                                    long long done,
                                    long long failed,
                                    long long total,
                                    double elapsed_s);

private:
    long long total_;
    Mode mode_;
    std::string name_;
    std::chrono::duration<double> every_;
    long long done_ = 0;
    long long failed_ = 0;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
    bool drawn_ = false;
};

/** True when stderr is a terminal (the progress line's condition). */
bool stderr_is_terminal();

}  // namespace fleetsim::sweep
