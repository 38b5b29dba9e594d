#include "da/common/log.hpp"

#include <gtest/gtest.h>

#include "da/common/error.hpp"

namespace da {
namespace {

TEST(Log, RedactsEveryRegisteredSecret) {
  log::add_secret("s3cr3t-token-value");
  log::add_secret("abc");  // too short to redact safely
  EXPECT_EQ(log::redact("token=s3cr3t-token-value&x=abc"), "token=***&x=abc");
}

TEST(Log, ParsesLevels) {
  EXPECT_EQ(log::parse_level("WARNING"), log::Level::kWarn);
  EXPECT_EQ(log::parse_level(" debug "), log::Level::kDebug);
  EXPECT_THROW(log::parse_level("loud"), Error);
}

}  // namespace
}  // namespace da
