// The runner's jobs (a pass over an analyst's scripts, an on-demand run) on a bounded pool of
// threads: one analyst's jobs run one after another in the order given, different analysts'
// side by side, so one analyst's slow scripts never delay another's.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "da/common/worker_pool.hpp"

namespace da::services::notify_runner {

class AnalystQueue {
 public:
  explicit AnalystQueue(int workers) : pool_(workers) {}
  // Runs every job given, then returns.
  ~AnalystQueue() = default;

  // Queues `job` behind `analyst`'s other jobs.
  void submit(const std::string& analyst, std::function<void()> job);
  // Whether `analyst` has a job queued or running.
  bool busy(const std::string& analyst) const;
  // Jobs queued or running, of all analysts.
  std::size_t pending() const;
  int workers() const { return pool_.workers(); }

 private:
  void run_jobs_of(const std::string& analyst);

  mutable std::mutex mutex_;
  // Analysts with a job queued or running, their jobs in order (the running one first).
  std::map<std::string, std::deque<std::function<void()>>> jobs_;
  std::size_t pending_ = 0;
  WorkerPool pool_;  // last: its threads end before the members they use
};

}  // namespace da::services::notify_runner
