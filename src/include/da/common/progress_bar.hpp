// Progress for long work. On a terminal it redraws one line ("\r[#####.....] 42% 8/20 rows
// 1.2k rows/s 3.1s ETA 4s"); elsewhere (CI logs, pipes) it prints a plain line at most every few seconds,
// so a long run is never silent and a log is never flooded.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace da {

class ProgressBar {
 public:
  struct Output {
    std::FILE* stream = stderr;
    bool is_terminal = false;
    std::chrono::milliseconds plain_interval{5000};
  };
  static Output stderr_output();

  // `total` 0 means unknown: counts and rate are shown without a bar.
  ProgressBar(std::string label, uint64_t total, std::string unit, Output output = stderr_output());
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void set_total(uint64_t total);
  void set_label(std::string label);
  // Thread-safe. `done` is absolute, not an increment.
  void update(uint64_t done);
  void advance(uint64_t increment = 1);
  // Draws the final state and ends the line; later updates are ignored.
  void finish();

 private:
  void draw(bool final);
  std::string render() const;

  std::string label_;
  std::string unit_;
  Output output_;
  std::mutex mutex_;
  uint64_t total_;
  uint64_t done_ = 0;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace da
