#include "da/common/crypto.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include <gtest/gtest.h>

namespace da {
namespace {

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

TEST(Crypto, HmacMatchesRfc4231TestVectors) {
  EXPECT_EQ(hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, HmacAcceptsAnEmptyKey) {
  // Known value of HMAC-SHA256 with an empty key over an empty message.
  EXPECT_EQ(hex(hmac_sha256(std::string_view(), "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Crypto, Sha256MatchesTheFipsExample) {
  EXPECT_EQ(hex(sha256_raw("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_raw("").size(), 32u);
}

TEST(Crypto, TokenHashIsLowerCaseHexSha256) {
  EXPECT_EQ(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string token = random_token();
  EXPECT_EQ(token_hash(token), hex(sha256_raw(token)));
}

TEST(Crypto, Base64UrlEncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Crypto, Base64UsesTheStandardAlphabetWithPadding) {
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Crypto, Base64UrlRoundTripsEveryByteAndLength) {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i)
    all_bytes.push_back(static_cast<char>(i));
  for (std::size_t length = 0; length <= all_bytes.size(); ++length) {
    std::string data = all_bytes.substr(all_bytes.size() - length);
    auto decoded = base64url_decode(base64url_encode(data));
    ASSERT_TRUE(decoded) << "length " << length;
    EXPECT_EQ(*decoded, data) << "length " << length;
  }
}

TEST(Crypto, Base64UrlDecodeAcceptsCompletePadding) {
  EXPECT_EQ(base64url_decode("Zg=="), "f");
  EXPECT_EQ(base64url_decode("Zm8="), "fo");
  EXPECT_EQ(base64url_decode("Zg"), "f");
  EXPECT_EQ(base64url_decode(""), "");
}

TEST(Crypto, Base64UrlDecodeRejectsBadInput) {
  EXPECT_EQ(base64url_decode("Z"), std::nullopt);      // a lone sextet is no byte
  EXPECT_EQ(base64url_decode("Zm9vY"), std::nullopt);  // same, after a full quantum
  EXPECT_EQ(base64url_decode("Zm9v!"), std::nullopt);  // outside the alphabet
  EXPECT_EQ(base64url_decode("+/8"), std::nullopt);    // standard, not URL alphabet
  EXPECT_EQ(base64url_decode("Zm 9v"), std::nullopt);  // whitespace
  EXPECT_EQ(base64url_decode("Zg="), std::nullopt);    // incomplete padding
  EXPECT_EQ(base64url_decode("Zg==="), std::nullopt);  // too much padding
  EXPECT_EQ(base64url_decode("Z=g="), std::nullopt);   // padding in the middle
  EXPECT_EQ(base64url_decode("Zh"), std::nullopt);     // non-zero leftover bits
  EXPECT_EQ(base64url_decode(std::string_view("Zg\0", 3)), std::nullopt);
}

TEST(Crypto, RandomBytesHaveTheRequestedLength) {
  EXPECT_EQ(random_bytes(0), "");
  EXPECT_EQ(random_bytes(100).size(), 100u);
  EXPECT_NE(random_bytes(32), random_bytes(32));
}

TEST(Crypto, RandomTokenIs43UrlSafeCharactersAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string token = random_token();
    ASSERT_EQ(token.size(), 43u);
    EXPECT_TRUE(std::all_of(token.begin(), token.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    })) << token;
    EXPECT_EQ(base64url_decode(token)->size(), 32u);
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(random_token(16).size(), 22u);
}

TEST(Crypto, RandomDigitsAreOnlyDigitsOfTheRequestedLength) {
  EXPECT_EQ(random_digits(0), "");
  for (std::size_t length : {1u, 6u, 8u, 100u}) {
    std::string digits = random_digits(length);
    ASSERT_EQ(digits.size(), length);
    EXPECT_TRUE(std::all_of(digits.begin(), digits.end(), [](char c) {
      return c >= '0' && c <= '9';
    })) << digits;
  }
}

TEST(Crypto, RandomDigitsHaveNoModuloBias) {
  // Taking a random byte % 10 would favour 0-5 over 6-9 by 26:25. Over a million digits the
  // gap between the two groups' average counts would be about 3900, twenty standard deviations;
  // unbiased digits stay within 1000 of each other unless something is badly wrong.
  std::array<double, 10> counts{};
  for (char c : random_digits(1'000'000))
    ++counts[static_cast<std::size_t>(c - '0')];
  double low = (counts[0] + counts[1] + counts[2] + counts[3] + counts[4] + counts[5]) / 6;
  double high = (counts[6] + counts[7] + counts[8] + counts[9]) / 4;
  EXPECT_LT(std::abs(low - high), 1000) << "0-5: " << low << ", 6-9: " << high;
  for (double count : counts)
    EXPECT_NEAR(count, 100'000, 2'000);
}

TEST(Crypto, ConstantTimeEqualComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret-token", "secret-token"));
  EXPECT_FALSE(constant_time_equal("secret-token", "secret-tokeN"));
  EXPECT_FALSE(constant_time_equal("Secret-token", "secret-token"));
  EXPECT_FALSE(constant_time_equal("secret-token", "secret-token2"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_TRUE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace da
