// A fixed pool of threads: jobs run side by side up to the pool's size, a failing job does not
// take its thread down, and the pool ends only after every job it was given.
#include "da/common/worker_pool.hpp"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace da {
namespace {

// Runs `jobs` jobs of 50 ms each and returns how many ran at the same time at most.
int most_at_once(int workers, int jobs) {
  std::atomic<int> running{0}, most{0};
  WorkerPool pool(workers);
  for (int i = 0; i < jobs; ++i)
    pool.submit([&] {
      int now = ++running;
      for (int seen = most; now > seen && !most.compare_exchange_weak(seen, now);) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      --running;
    });
  pool.wait_idle();
  EXPECT_EQ(pool.pending(), 0u);
  return most;
}

TEST(WorkerPool, RunsAsManyJobsAtOnceAsItHasThreadsAndNoMore) {
  EXPECT_EQ(most_at_once(3, 9), 3);
  EXPECT_EQ(most_at_once(1, 3), 1);
}

TEST(WorkerPool, AFailingJobDoesNotStopTheOthers) {
  std::atomic<int> done{0};
  WorkerPool pool(1);
  pool.submit([] { throw std::runtime_error("boom"); });
  pool.submit([&] { ++done; });
  pool.wait_idle();
  EXPECT_EQ(done, 1);
}

TEST(WorkerPool, EndsOnlyAfterEveryJobItWasGiven) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(2);
    for (int i = 0; i < 6; ++i)
      pool.submit([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ++done;
      });
  }
  EXPECT_EQ(done, 6);
}

}  // namespace
}  // namespace da
