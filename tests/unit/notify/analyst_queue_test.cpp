// The runner's queue: one analyst's jobs run one after another in order, different analysts'
// side by side.
#include "notify_runner/analyst_queue.hpp"

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace da::services::notify_runner {
namespace {

using Clock = std::chrono::steady_clock;

TEST(AnalystQueue, OneAnalystsJobsRunInOrderAndNeverOverlap) {
  std::mutex mutex;
  std::vector<int> order;
  std::atomic<int> running{0};
  std::atomic<bool> overlapped{false};
  {
    AnalystQueue queue(4);
    for (int i = 0; i < 5; ++i)
      queue.submit("ana", [&, i] {
        if (++running > 1) overlapped = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        {
          std::lock_guard lock(mutex);
          order.push_back(i);
        }
        --running;
      });
    EXPECT_TRUE(queue.busy("ana"));
    EXPECT_FALSE(queue.busy("bob"));
  }
  EXPECT_FALSE(overlapped);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(AnalystQueue, AnotherAnalystDoesNotWaitForASlowOne) {
  AnalystQueue queue(2);
  std::atomic<bool> release{false};
  queue.submit("slow", [&] {
    while (!release)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  auto started = Clock::now();
  std::atomic<bool> done{false};
  queue.submit("fast", [&] { done = true; });
  while (!done && Clock::now() - started < std::chrono::seconds(2))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE(done);
  EXPECT_LT(Clock::now() - started, std::chrono::milliseconds(500));
  EXPECT_EQ(queue.pending(), 1u);
  release = true;
}

}  // namespace
}  // namespace da::services::notify_runner
