// A fixed number of owned threads that run submitted jobs in the order they were submitted:
// for services that serve several clients or analysts at once without one thread each.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace da {

class WorkerPool {
 public:
  // Starts `workers` threads (at least one).
  explicit WorkerPool(int workers);
  // Runs every job still queued, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job`; a free thread starts it. A job that throws is logged and the thread goes on.
  void submit(std::function<void()> job);
  // Blocks until no job is queued or running.
  void wait_idle();
  // Jobs queued or running now.
  std::size_t pending() const;
  int workers() const { return static_cast<int>(threads_.size()); }

 private:
  void work();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> queue_;
  std::size_t running_ = 0;
  bool closing_ = false;
  std::vector<std::jthread> threads_;
};

}  // namespace da
