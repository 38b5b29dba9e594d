#include "da/common/dotenv.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/error.hpp"

namespace da {
namespace {

TEST(Dotenv, ParsesPlainQuotedExportedAndCommentedLines) {
  auto values = parse_dotenv(
      "# comment\n"
      "\n"
      "PLAIN=value # trailing comment\n"
      "export EXPORTED=yes\r\n"
      "DOUBLE=\"a \\\"b\\\" \\n c\"\n"
      "SINGLE='raw \\n #kept'\n"
      "EMPTY=\n"
      "URL=http://x/#anchor\n",
      ".env");
  EXPECT_EQ(values.at("PLAIN"), "value");
  EXPECT_EQ(values.at("EXPORTED"), "yes");
  EXPECT_EQ(values.at("DOUBLE"), "a \"b\" \n c");
  EXPECT_EQ(values.at("SINGLE"), "raw \\n #kept");
  EXPECT_EQ(values.at("EMPTY"), "");
  EXPECT_EQ(values.at("URL"), "http://x/#anchor");
}

TEST(Dotenv, ErrorsNameTheFileAndLine) {
  try {
    parse_dotenv("OK=1\nNOT A LINE\n", "config/.env");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_NE(std::string(e.what()).find("config/.env:2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_dotenv("X=\"unterminated\n", ".env"), Error);
  EXPECT_THROW(parse_dotenv("1BAD=x\n", ".env"), Error);
}

TEST(Dotenv, MissingFileHasNoVariables) {
  testing::TempDir dir;
  EXPECT_TRUE(read_dotenv_file(dir / ".env").empty());
}

}  // namespace
}  // namespace da
