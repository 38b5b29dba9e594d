#include "da/net/retry_policy.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace da::net {
namespace {

TEST(RetryPolicy, RetriesOnlyWhatMaySucceedLater) {
  EXPECT_TRUE(RetryPolicy::retryable_status(429));
  EXPECT_TRUE(RetryPolicy::retryable_status(500));
  EXPECT_TRUE(RetryPolicy::retryable_status(503));
  EXPECT_FALSE(RetryPolicy::retryable_status(501));
  EXPECT_FALSE(RetryPolicy::retryable_status(400));
  EXPECT_FALSE(RetryPolicy::retryable_status(404));
}

TEST(RetryPolicy, DelaysAreJitteredCappedAndHonourRetryAfter) {
  RetryPolicy policy;
  policy.base_delay = std::chrono::milliseconds(100);
  policy.max_delay = std::chrono::milliseconds(1000);
  for (int attempt = 1; attempt < 10; ++attempt) {
    auto delay = policy.delay(attempt, std::nullopt);
    EXPECT_GE(delay.count(), 0);
    EXPECT_LE(delay.count(), std::min<int64_t>(1000, 100LL << (attempt - 1)));
  }
  EXPECT_EQ(policy.delay(1, std::chrono::milliseconds(300)).count(), 300);
  EXPECT_EQ(policy.delay(1, std::chrono::milliseconds(5000)).count(), 1000);
  EXPECT_EQ(parse_retry_after("7"), std::chrono::milliseconds(7000));
  EXPECT_EQ(parse_retry_after("soon"), std::nullopt);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), std::chrono::milliseconds(0));
}

}  // namespace
}  // namespace da::net
