#include "analyst_queue.hpp"

#include <exception>

#include "da/common/log.hpp"

namespace da::services::notify_runner {

void AnalystQueue::submit(const std::string& analyst, std::function<void()> job) {
  std::lock_guard lock(mutex_);
  auto [jobs, first] = jobs_.try_emplace(analyst);
  jobs->second.push_back(std::move(job));
  ++pending_;
  // One worker at a time takes an analyst's jobs; a queued analyst already has one coming.
  if (first) pool_.submit([this, analyst] { run_jobs_of(analyst); });
}

bool AnalystQueue::busy(const std::string& analyst) const {
  std::lock_guard lock(mutex_);
  return jobs_.count(analyst) > 0;
}

std::size_t AnalystQueue::pending() const {
  std::lock_guard lock(mutex_);
  return pending_;
}

void AnalystQueue::run_jobs_of(const std::string& analyst) {
  std::unique_lock lock(mutex_);
  while (true) {
    auto& jobs = jobs_.at(analyst);
    std::function<void()> job = std::move(jobs.front());
    lock.unlock();
    try {
      job();
    } catch (const std::exception& e) {
      log::error("notification runner: a job for {} failed: {}", analyst, e.what());
    }
    lock.lock();
    --pending_;
    auto& rest = jobs_.at(analyst);
    rest.pop_front();
    if (rest.empty()) {
      jobs_.erase(analyst);
      return;
    }
  }
}

}  // namespace da::services::notify_runner
