// Web origins as the portal and the WebSocket gateway compare them.
#include "da/net/origin.hpp"

#include <gtest/gtest.h>

namespace da::net {
namespace {

TEST(Origin, IsTheLowerCasedSchemeHostAndPortOfAUrl) {
  EXPECT_EQ(origin_of("https://Data.Example.com:8443/tools/da"), "https://data.example.com:8443");
  EXPECT_EQ(origin_of("HTTP://127.0.0.1:8000"), "http://127.0.0.1:8000");
  EXPECT_EQ(origin_of("https://data.example.com?x=1"), "https://data.example.com");
}

TEST(Origin, AUrlWithoutSchemeHasNone) {
  EXPECT_EQ(origin_of("null"), "");
  EXPECT_EQ(origin_of("data.example.com/x"), "");
}

TEST(Origin, AHeaderMatchesItsOriginWhateverTheCase) {
  EXPECT_TRUE(same_origin("https://DATA.example.com", "https://data.example.com"));
  EXPECT_FALSE(same_origin("https://data.example.com.evil", "https://data.example.com"));
  EXPECT_FALSE(same_origin("null", ""));
  EXPECT_FALSE(same_origin("", ""));
}

}  // namespace
}  // namespace da::net
