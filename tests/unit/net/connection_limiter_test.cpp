// One client address cannot hold more connections than the cap; closing gives places back.
#include "da/net/connection_limiter.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace da::net {
namespace {

TEST(ConnectionLimiter, RefusesPastTheCapAndFreesOnRelease) {
  ConnectionLimiter limiter(2);
  std::vector<ConnectionLimiter::Slot> held;
  held.push_back(*limiter.admit("192.0.2.1"));
  held.push_back(*limiter.admit("192.0.2.1"));
  EXPECT_FALSE(limiter.admit("192.0.2.1"));
  EXPECT_TRUE(limiter.admit("192.0.2.2"));
  EXPECT_EQ(limiter.open("192.0.2.1"), 2);
  held.pop_back();
  EXPECT_EQ(limiter.open("192.0.2.1"), 1);
  EXPECT_TRUE(limiter.admit("192.0.2.1"));
  held.clear();
  EXPECT_EQ(limiter.open("192.0.2.1"), 0);
}

TEST(ConnectionLimiter, ZeroMeansNoCap) {
  ConnectionLimiter limiter(0);
  std::vector<ConnectionLimiter::Slot> held;
  for (int i = 0; i < 1000; ++i)
    held.push_back(*limiter.admit("192.0.2.1"));
  EXPECT_EQ(limiter.open("192.0.2.1"), 1000);
}

}  // namespace
}  // namespace da::net
