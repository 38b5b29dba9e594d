#include "da/common/strings.hpp"

#include <gtest/gtest.h>

namespace da {
namespace {

TEST(Strings, SplitTrimmedDropsBlanks) {
  EXPECT_EQ(split_trimmed(" a, b ,,c ", ','), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
}

TEST(Strings, ParsesByteSizesLikeDuckDB) {
  EXPECT_EQ(parse_byte_size("2GB"), 2'000'000'000u);
  EXPECT_EQ(parse_byte_size("512 MiB"), 512u * 1024 * 1024);
  EXPECT_EQ(parse_byte_size("1.5gb"), 1'500'000'000u);
  EXPECT_EQ(parse_byte_size("1000"), 1000u);
  EXPECT_FALSE(parse_byte_size("lots"));
  EXPECT_FALSE(parse_byte_size("2 GBs"));
  EXPECT_FALSE(parse_byte_size(""));
}

TEST(Strings, ValidatesUtf8) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("Zürich – 東京 🚀"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
}

TEST(Strings, ReplacesEveryOccurrence) {
  EXPECT_EQ(replace_all("a-b-c", "-", "--"), "a--b--c");
  EXPECT_EQ(replace_all("abc", "", "x"), "abc");
}

}  // namespace
}  // namespace da
