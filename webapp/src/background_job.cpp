#include "da/web/background_job.hpp"

#include "da/common/log.hpp"

namespace da::web {

BackgroundJob::State BackgroundJob::poll_or_start(const std::function<nlohmann::json()>& work,
                                                  std::chrono::seconds max_age, bool refresh) {
  std::lock_guard lock(mutex_);
  if (running_) return State{};
  if (has_result_) {
    bool fresh = std::chrono::steady_clock::now() - finished_at_ < max_age;
    if (last_.status == Status::kFailed) {
      has_result_ = false;
      return last_;
    }
    if (fresh && !refresh) return last_;
  }
  running_ = true;
  if (thread_.joinable()) thread_.join();
  thread_ = std::jthread([this, work] {
    State outcome;
    try {
      outcome.result = work();
      outcome.status = Status::kDone;
    } catch (const std::exception& e) {
      log::error("portal: background job failed: {}", e.what());
      outcome.status = Status::kFailed;
      outcome.error = e.what();
    }
    std::lock_guard done(mutex_);
    last_ = std::move(outcome);
    has_result_ = true;
    running_ = false;
    finished_at_ = std::chrono::steady_clock::now();
  });
  return State{};
}

BackgroundJob::~BackgroundJob() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace da::web
