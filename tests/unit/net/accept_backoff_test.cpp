// A failing accept pauses more and more and is logged once per interval, not once per try.
#include "da/net/accept_backoff.hpp"

#include <gtest/gtest.h>

namespace da::net {
namespace {

using std::chrono::milliseconds;

TEST(AcceptBackoff, PausesGrowToASecondAndResetOnSuccess) {
  AcceptBackoff backoff("test", std::chrono::seconds(10));
  auto now = AcceptBackoff::Clock::now();
  EXPECT_EQ(backoff.failed("Too many open files", now), milliseconds(10));
  EXPECT_EQ(backoff.failed("Too many open files", now), milliseconds(20));
  for (int i = 0; i < 20; ++i)
    backoff.failed("Too many open files", now);
  EXPECT_EQ(backoff.failed("Too many open files", now), milliseconds(1000));
  backoff.succeeded();
  EXPECT_EQ(backoff.failed("Too many open files", now), milliseconds(10));
}

TEST(AcceptBackoff, LogsOncePerInterval) {
  AcceptBackoff backoff("test", std::chrono::seconds(10));
  auto start = AcceptBackoff::Clock::now();
  for (int i = 0; i < 100000; ++i)
    backoff.failed("Too many open files", start + milliseconds(i / 100));
  EXPECT_EQ(backoff.failures_logged(), 1u);
  backoff.failed("Too many open files", start + std::chrono::seconds(11));
  EXPECT_EQ(backoff.failures_logged(), 2u);
}

}  // namespace
}  // namespace da::net
