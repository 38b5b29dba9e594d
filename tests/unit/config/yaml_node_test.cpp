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
  EXPECT_EQ(root.find("other")->line, 2);
}

TEST(YamlNode, AliasesFindTheirAnchorsWhereverTheyAreNested) {
  YamlNode root = parse_yaml(
      "a:\n"
      "  - &first {x: 1}\n"
      "  - b:\n"
      "      c: &deep [&leaf 5, 6]\n"
      "      d: *deep\n"
      "  - *first\n"
      "  - *leaf\n"
      "e: *deep\n"
      "&k key: *leaf\n"
      "other: *k\n",
      "f.yaml");
  const YamlNode& a = *root.find("a");
  EXPECT_EQ(a.items[1].find("b")->find("d")->items[1].scalar, "6");
  EXPECT_EQ(a.items[2].find("x")->scalar, "1");
  EXPECT_EQ(a.items[3].scalar, "5");
  EXPECT_EQ(root.find("e")->items[0].scalar, "5");
  EXPECT_EQ(root.find("key")->scalar, "5");
  EXPECT_EQ(root.find("other")->scalar, "key");
}

// lol0..lol8, each a list of nine aliases of the one before (10^9 nodes in all).
std::string billion_laughs() {
  std::string yaml = "lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int level = 1; level <= 8; ++level) {
    std::string alias = "*a" + std::to_string(level - 1);
    yaml += "lol" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 9; ++i)
      yaml += (i ? ", " : "") + alias;
    yaml += "]\n";
  }
  return yaml;
}

TEST(YamlNode, NestedAliasesThatMultiplyAreRefusedAtTheirLine) {
  // lol4's aliases are the first to take the expansion past 50,000 nodes.
  std::string error = error_of("a: 1\n" + billion_laughs());
  EXPECT_NE(error.find("f.yaml:6:"), std::string::npos) << error;
  EXPECT_NE(error.find("the aliases of this file expand to more than 50000 nodes"),
            std::string::npos)
      << error;
}

TEST(YamlNode, AliasesOfALongScalarAreRefusedByTheirText) {
  std::string yaml = "big: &big " + std::string(256 * 1024, 'x') + "\ncopies: [";
  for (int i = 0; i < 4; ++i)
    yaml += "*big, ";
  yaml += "*big]\n";
  std::string error = error_of(yaml);
  EXPECT_NE(error.find("f.yaml:2:"), std::string::npos) << error;
  EXPECT_NE(error.find("1024 KiB of text"), std::string::npos) << error;
}

TEST(YamlNode, NestingDeeperThanTheLimitIsRefused) {
  std::string deep = std::string(kYamlMaxDepth + 1, '[') + std::string(kYamlMaxDepth + 1, ']');
  EXPECT_NE(error_of("a: 1\nb: " + deep + "\n").find("f.yaml:2:"), std::string::npos);
  EXPECT_NE(error_of(deep).find("nest deeper than 64 levels"), std::string::npos);
  std::string deepest = std::string(kYamlMaxDepth, '[') + std::string(kYamlMaxDepth, ']');
  EXPECT_TRUE(parse_yaml(deepest, "f.yaml").is_sequence());
}

TEST(YamlNode, NestingThroughAChainOfAliasesIsRefused) {
  std::string yaml = "l0: &a0 [x]\n";
  for (int level = 1; level <= 70; ++level) {
    yaml += "l" + std::to_string(level) + ": &a" + std::to_string(level) + " [*a" +
            std::to_string(level - 1) + "]\n";
  }
  std::string error = error_of(yaml);
  EXPECT_NE(error.find("nest deeper than 64 levels"), std::string::npos) << error;
  EXPECT_NE(error.find("f.yaml:64:"), std::string::npos) << error;
}

// 150 tables sharing one set of settings and one list of 40 columns: about 43,000 nodes come
// from aliases.
TEST(YamlNode, AnchorsReusedAsInARealCatalogStillWork) {
  std::string yaml =
      "defaults: &defaults {sync_strategy: incremental, incremental_window_days: 7}\n"
      "columns: &columns\n";
  for (int i = 0; i < 40; ++i)
    yaml += "  - {name: c" + std::to_string(i) + ", type: VARCHAR, description: text}\n";
  yaml += "tables:\n";
  for (int i = 0; i < 150; ++i)
    yaml += "  - {id: in.c-a.t" + std::to_string(i) + ", settings: *defaults, columns: *columns}\n";
  YamlNode root = parse_yaml(yaml, "f.yaml");
  const YamlNode* tables = root.find("tables");
  ASSERT_TRUE(tables && tables->is_sequence());
  ASSERT_EQ(tables->items.size(), 150u);
  EXPECT_EQ(tables->items[149].find("settings")->find("sync_strategy")->scalar, "incremental");
  EXPECT_EQ(tables->items[149].find("columns")->items[39].find("name")->scalar, "c39");
}

TEST(YamlNode, RejectsSeveralDocumentsAndComplexKeys) {
  EXPECT_NE(error_of("a: 1\n---\nb: 2\n").find("one YAML document"), std::string::npos);
  EXPECT_NE(error_of("? [a, b]\n: 1\n").find("keys must be plain text"), std::string::npos);
}

TEST(YamlNode, EmptyTextIsNull) {
  EXPECT_TRUE(parse_yaml("", "f.yaml").is_null());
}

TEST(YamlNode, FindPathFollowsDottedKeysAndSequenceIndexes) {
  YamlNode root = parse_yaml("a:\n  b:\n    c: x\n  list:\n    - first\n    - k: v\n", "f.yaml");
  ASSERT_NE(find_path(root, "a.b.c"), nullptr);
  EXPECT_EQ(find_path(root, "a.b.c")->scalar, "x");
  EXPECT_TRUE(find_path(root, "a.b")->is_map());
  EXPECT_EQ(find_path(root, "a.list.0")->scalar, "first");
  EXPECT_EQ(find_path(root, "a.list.1.k")->scalar, "v");
  EXPECT_EQ(find_path(root, "a.list.2"), nullptr);
  EXPECT_EQ(find_path(root, "a.b.c.d"), nullptr);
  EXPECT_EQ(find_path(root, "a.missing"), nullptr);
  EXPECT_EQ(find_path(root, "a..b"), nullptr);
  EXPECT_EQ(find_path(root, ""), nullptr);
}

}  // namespace
}  // namespace da::config
