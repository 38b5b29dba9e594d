#include "jira/webhook/signature.hpp"

#include <gtest/gtest.h>

namespace da::connectors::jira {
namespace {

// HMAC-SHA256("It's a Secret to Everybody", "Hello, World!"), the example of GitHub's webhook
// documentation, whose scheme Jira follows.
constexpr const char* kSecret = "It's a Secret to Everybody";
constexpr const char* kBody = "Hello, World!";
constexpr const char* kHex = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

TEST(WebhookSignature, IsTheHexHmacOfTheBodyWithThePrefix) {
  EXPECT_EQ(webhook_signature(kSecret, kBody), std::string("sha256=") + kHex);
}

TEST(WebhookSignature, MatchesWithAndWithoutThePrefixInEitherCase) {
  EXPECT_TRUE(signature_matches(kSecret, kBody, std::string("sha256=") + kHex));
  EXPECT_TRUE(signature_matches(kSecret, kBody, kHex));
  std::string upper = kHex;
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(signature_matches(kSecret, kBody, "SHA256=" + upper));
}

TEST(WebhookSignature, RefusesAWrongMissingOrMalformedSignature) {
  std::string wrong = kHex;
  wrong.back() = wrong.back() == '7' ? '8' : '7';
  EXPECT_FALSE(signature_matches(kSecret, kBody, wrong));
  EXPECT_FALSE(signature_matches(kSecret, "Hello, World?", kHex));
  EXPECT_FALSE(signature_matches("another secret", kBody, kHex));
  EXPECT_FALSE(signature_matches(kSecret, kBody, ""));
  EXPECT_FALSE(signature_matches(kSecret, kBody, "sha256="));
  EXPECT_FALSE(signature_matches(kSecret, kBody, std::string(kHex).substr(0, 40)));
  EXPECT_FALSE(signature_matches(kSecret, kBody, "sha1=" + std::string(kHex)));
  EXPECT_FALSE(signature_matches(kSecret, kBody, std::string(64, 'z')));
}

TEST(WebhookSignature, AnEmptySecretMatchesNothing) {
  EXPECT_FALSE(signature_matches("", kBody, webhook_signature("", kBody)));
}

}  // namespace
}  // namespace da::connectors::jira
