// Runs independent pieces of work (export windows, slice downloads) on a few threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace da::connectors::keboola {

// Calls work(i) for every i in [0, count) on up to `parallel` threads (the caller's included).
// After the first failure no new index starts; once every started call has ended, that
// failure is rethrown.
template <typename Work>
void run_parallel(size_t count, int parallel, Work work) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&] {
    for (size_t index; !failed && (index = next++) < count;) {
      try {
        work(index);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        failed = true;
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t i = 1; i < std::min<size_t>(count, static_cast<size_t>(std::max(1, parallel))); ++i)
    threads.emplace_back(worker);
  worker();
  for (std::thread& thread : threads)
    thread.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace da::connectors::keboola
