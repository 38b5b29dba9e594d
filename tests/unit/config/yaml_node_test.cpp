#include "da/config/yaml_node.hpp"

#include <gtest/gtest.h>

#include "da/common/error.hpp"

namespace da::config {
namespace {

std::string error_of(std::string_view yaml, int first_line = 1) {
  try {
    parse_yaml(yaml, "f.yaml", first_line);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    return e.what();
  }
  return "";
}

TEST(YamlNode, RemembersLinesAndKeyOrder) {
  YamlNode root = parse_yaml("b: 1\na:\n  - x\n  - 'y'\n", "f.yaml");
  ASSERT_TRUE(root.is_map());
  ASSERT_EQ(root.entries.size(), 2u);
  EXPECT_EQ(root.entries[0].first, "b");
  EXPECT_EQ(root.key_lines[1], 2);
  const YamlNode* list = root.find("a");
  ASSERT_TRUE(list && list->is_sequence());
  EXPECT_EQ(list->items[1].line, 4);
  EXPECT_FALSE(list->items[0].quoted);
  EXPECT_TRUE(list->items[1].quoted);
}

TEST(YamlNode, PlainNullsAreNullButQuotedOnesAreText) {
  YamlNode root = parse_yaml("a: ~\nb:\nc: null\nd: 'null'\ne: NA\n", "f.yaml");
  EXPECT_TRUE(root.find("a")->is_null());
  EXPECT_TRUE(root.find("b")->is_null());
  EXPECT_TRUE(root.find("c")->is_null());
  EXPECT_EQ(root.find("d")->scalar, "null");
  EXPECT_EQ(root.find("e")->scalar, "NA");
}

TEST(YamlNode, DuplicateKeysAreErrorsWithBothLines) {
  std::string error = error_of("name: a\nother: 1\nname: b\n");
  EXPECT_NE(error.find("f.yaml:3"), std::string::npos) << error;
  EXPECT_NE(error.find("duplicate key 'name' (first defined on line 1)"), std::string::npos)
      << error;
}

TEST(YamlNode, SyntaxErrorsNameTheLineWithAnOffset) {
  std::string error = error_of("a: [1, 2\nb: 3\n", 10);
  EXPECT_NE(error.find("f.yaml:1"), std::string::npos) << error;
  error = error_of("a: 1\n  b: 2\n", 20);
  EXPECT_NE(error.find("f.yaml:21"), std::string::npos) << error;
}

TEST(YamlNode, AliasesCopyTheAnchoredNode) {
  YamlNode root = parse_yaml("base: &b {x: 1}\nother: *b\n", "f.yaml");
  EXPECT_EQ(root.find("other")->find("x")->scalar, "1");
}

TEST(YamlNode, RejectsSeveralDocumentsAndComplexKeys) {
  EXPECT_NE(error_of("a: 1\n---\nb: 2\n").find("one YAML document"), std::string::npos);
  EXPECT_NE(error_of("? [a, b]\n: 1\n").find("keys must be plain text"), std::string::npos);
}

TEST(YamlNode, EmptyTextIsNull) {
  EXPECT_TRUE(parse_yaml("", "f.yaml").is_null());
}

}  // namespace
}  // namespace da::config
