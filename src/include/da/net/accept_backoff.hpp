// What a server's accept loop does when accept() fails. Out of descriptors (EMFILE, ENFILE)
// or memory, accept fails at once, again and again, while the connection stays queued:
// retrying at once spins a core and floods the log while nothing is served. The loop instead
// pauses, doubling from 10 ms up to 1 s, and logs one line per interval that counts the
// failures since the last one; the first accept that works resets both.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace da::net {

class AcceptBackoff {
 public:
  using Clock = std::chrono::steady_clock;

  // `server` names the server in log lines ("portal", "ws-gateway").
  explicit AcceptBackoff(std::string server,
                         std::chrono::milliseconds log_interval = std::chrono::seconds(10));

  // Records a failed accept (`reason` as the system put it) and returns how long to pause
  // before accepting again. Logs a warning at most once per log interval.
  std::chrono::milliseconds failed(const std::string& reason, Clock::time_point now = Clock::now());
  // Records an accepted connection: the next failure pauses briefly again.
  void succeeded();

  uint64_t failures_logged() const { return lines_logged_; }

 private:
  std::string server_;
  std::chrono::milliseconds log_interval_;
  std::chrono::milliseconds pause_{0};
  uint64_t unreported_ = 0;
  uint64_t lines_logged_ = 0;
  Clock::time_point last_logged_{};
};

}  // namespace da::net
