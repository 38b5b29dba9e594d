// Heavy work the portal must not do on a request thread (table discovery reads every source
// file): the first request starts it on the job's own thread, later requests poll its state.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

namespace da::web {

class BackgroundJob {
 public:
  enum class Status { kRunning, kDone, kFailed };
  struct State {
    Status status = Status::kRunning;
    nlohmann::json result;  // kDone
    std::string error;      // kFailed
  };

  // The last result if it is younger than `max_age` and `refresh` is false; otherwise starts
  // `work` (unless a run is in progress) and reports kRunning. A failure is reported once, then
  // the next call starts again.
  State poll_or_start(const std::function<nlohmann::json()>& work, std::chrono::seconds max_age,
                      bool refresh);
  ~BackgroundJob();

 private:
  std::mutex mutex_;
  std::jthread thread_;
  bool running_ = false;
  bool has_result_ = false;
  State last_;
  std::chrono::steady_clock::time_point finished_at_{};
};

}  // namespace da::web
