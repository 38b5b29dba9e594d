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

TEST(Log, RedactsSecretValuesOfQueryStrings) {
  EXPECT_EQ(log::redact("GET https://x.example/cb?code=4/0AbC&state=xyz&next=/home HTTP/1.1"),
            "GET https://x.example/cb?code=***&state=***&next=/home HTTP/1.1");
  EXPECT_EQ(log::redact("url=/api?access_token=eyJ.a.b&api_key=k1 ok"),
            "url=/api?access_token=***&api_key=*** ok");
  EXPECT_EQ(log::redact("/search?q=token&page=2"), "/search?q=token&page=2");
  EXPECT_EQ(log::redact("a & b = c"), "a & b = c");
  EXPECT_TRUE(log::is_secret_name("refresh_token"));
  EXPECT_TRUE(log::is_secret_name("Token"));
  EXPECT_FALSE(log::is_secret_name("monkey"));
  EXPECT_FALSE(log::is_secret_name("table"));
}

TEST(Log, ParsesLevels) {
  EXPECT_EQ(log::parse_level("WARNING"), log::Level::kWarn);
  EXPECT_EQ(log::parse_level(" debug "), log::Level::kDebug);
  EXPECT_THROW(log::parse_level("loud"), Error);
}

}  // namespace
}  // namespace da
