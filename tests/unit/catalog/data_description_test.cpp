#include "da/catalog/data_description.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/error.hpp"

namespace da::catalog {
namespace {

DataDescriptionLoad parse_one(std::string text, std::string file = "data_description.md") {
  return parse_data_description({{std::move(file), std::move(text)}});
}

std::vector<std::string> messages(const config::Diagnostics& diagnostics, bool errors = true) {
  std::vector<std::string> result;
  for (const auto& item : errors ? diagnostics.errors() : diagnostics.warnings())
    result.push_back(item.format());
  return result;
}

bool contains(const std::vector<std::string>& items, std::string_view text) {
  for (const auto& item : items) {
    if (item.find(text) != std::string::npos) return true;
  }
  return false;
}

constexpr const char* kOrders =
    "```yaml\n"
    "tables:\n"
    "  - id: in.c-shop.orders\n"
    "    name: orders\n"
    "    description: Orders\n"
    "    primary_key: order_id\n"
    "    sync_strategy: full_refresh\n"
    "```\n";

TEST(DataDescription, AliasLimitsHoldForTheWholeFileNotEachBlock) {
  // Each block alone stays under the limit (200 aliases of 101 nodes); three together do not.
  std::string items;
  for (int i = 0; i < 100; ++i)
    items += (i ? ", " : "") + std::to_string(i);
  std::string aliases;
  for (int i = 0; i < 200; ++i)
    aliases += (i ? ", " : "") + std::string("*a");
  std::string block = "```yaml\nx: &a [" + items + "]\ny: [" + aliases + "]\n```\n";
  EXPECT_FALSE(
      contains(messages(parse_one(kOrders + block + block).diagnostics), "expand to more than"));
  auto load = parse_one(kOrders + block + block + block);
  EXPECT_TRUE(contains(messages(load.diagnostics), "aliases of this file expand to more than"))
      << ::testing::PrintToString(messages(load.diagnostics));
}

TEST(DataDescription, ReadsYamlAndYmlFencesWithCrlfAndTrailingSpaces) {
  std::string text =
      "# Catalog\r\n\r\nSome prose.\r\n"
      "```yml   \r\n"
      "folder_mapping:\r\n  in.c-shop: shop\r\n"
      "```\r\n"
      "~~~YAML\r\n"
      "tables:\r\n"
      "  - id: in.c-shop.customers\r\n    name: customers\r\n    description: People\r\n"
      "    primary_key: id\r\n    sync_strategy: full_refresh\r\n"
      "~~~\r\n";
  DataDescriptionLoad load = parse_one(text);
  ASSERT_FALSE(load.diagnostics.has_errors()) << messages(load.diagnostics).front();
  ASSERT_EQ(load.description.tables.size(), 1u);
  const TableConfig& table = load.description.tables[0];
  EXPECT_EQ(table.name, "customers");
  EXPECT_EQ(table.line, 10);
  EXPECT_EQ(load.description.folder_of(table), "shop");
}

TEST(DataDescription, ReadsEveryFieldOfTheOriginalAndTheNewOnes) {
  DataDescriptionLoad load = parse_one(
      "```yaml\n"
      "tables:\n"
      "  - id: in.c-shop.orders\n"
      "    name: orders\n"
      "    description: Orders\n"
      "    primary_key: [order_id, line_no]\n"
      "    sync_strategy: incremental\n"
      "    incremental_window_days: 3\n"
      "    incremental_column: updated_at\n"
      "    partition_by: created_at\n"
      "    partition_granularity: day\n"
      "    max_history_days: 365\n"
      "    initial_load_chunk_days: 10\n"
      "    folder: sales\n"
      "    dataset: extra\n"
      "    source: 'orders/*.csv.gz'\n"
      "    null_strings: ['', 'n/a']\n"
      "    on_bad_value: 'null'\n"
      "    foreign_keys:\n"
      "      - {column: customer_id, references: customers.id, description: buyer}\n"
      "    where_filters:\n"
      "      - {column: status, operator: ne, values: [test]}\n"
      "      - {column: created_at, operator: ge, values: '{{last_month}}'}\n"
      "    columns:\n"
      "      - {name: total, type: 'DECIMAL(18,2)', description: Total in USD}\n"
      "      - {name: created_at, type: TIMESTAMP WITH TIME ZONE}\n"
      "      - {name: note, description: free text}\n"
      "```\n");
  ASSERT_FALSE(load.diagnostics.has_errors()) << messages(load.diagnostics).front();
  EXPECT_TRUE(load.diagnostics.warnings().empty()) << messages(load.diagnostics, false).front();
  const TableConfig& t = load.description.tables.at(0);
  EXPECT_EQ(t.primary_key, (std::vector<std::string>{"order_id", "line_no"}));
  EXPECT_EQ(t.strategy, SyncStrategy::kIncremental);
  EXPECT_EQ(t.incremental_window_days, 3);
  EXPECT_EQ(t.incremental_column, "updated_at");
  EXPECT_EQ(t.partition_by, "created_at");
  EXPECT_EQ(t.partition_granularity, PartitionGranularity::kDay);
  EXPECT_TRUE(t.is_partitioned());
  EXPECT_EQ(t.max_history_days, 365);
  EXPECT_EQ(t.initial_load_chunk_days, 10);
  EXPECT_EQ(load.description.folder_of(t), "sales");
  EXPECT_EQ(t.dataset, "extra");
  EXPECT_EQ(t.source, "orders/*.csv.gz");
  EXPECT_EQ(*t.null_strings, (std::vector<std::string>{"", "n/a"}));
  EXPECT_EQ(t.on_bad_value, BadValuePolicy::kNull);
  ASSERT_EQ(t.foreign_keys.size(), 1u);
  EXPECT_EQ(t.foreign_keys[0].references, "customers.id");
  ASSERT_EQ(t.where_filters.size(), 2u);
  EXPECT_EQ(t.where_filters[0].op, FilterOperator::kNe);
  EXPECT_EQ(t.where_filters[1].values, (std::vector<std::string>{"{{last_month}}"}));
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(t.columns[0].type, "DECIMAL(18,2)");
  EXPECT_EQ(t.columns[1].type, "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(t.columns[2].type, "");
}

TEST(DataDescription, CompositeKeyAsACommaString) {
  DataDescriptionLoad load = parse_one(
      "```yaml\ntables:\n  - {id: a.b.c, name: c, description: x, primary_key: 'a, b', "
      "sync_strategy: full_refresh}\n```\n");
  EXPECT_EQ(load.description.tables.at(0).primary_key, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(load.description.folder_of(load.description.tables[0]), "a.b");
}

TEST(DataDescription, ValidationNamesFileLineAndTable) {
  DataDescriptionLoad load = parse_one(
      "intro\n"
      "```yaml\n"
      "tables:\n"
      "  - id: in.c-x.a\n"  // 4
      "    name: a\n"
      "    sync_strategy: incremental\n"  // 6: no primary key
      "  - id: in.c-x.b\n"                // 7
      "    name: ../b\n"                  // 8
      "    primary_key: id\n"
      "    sync_strategy: nightly\n"  // 10
      "  - id: in.c-x.c\n"
      "    name: c\n"
      "    sync_strategy: partitioned\n"   // 13: no partition_by
      "    partition_granularity: none\n"  // 14
      "    incremental_window_days: -1\n"  // 15
      "    columns:\n"
      "      - {name: x, type: 'INT; DROP TABLE t'}\n"  // 17
      "      - {name: X}\n"                             // 18
      "    where_filters:\n"
      "      - {column: s, operator: like, values: [a]}\n"  // 20
      "  - just a string\n"                                 // 21
      "```\n");
  auto errors = messages(load.diagnostics);
  EXPECT_TRUE(contains(
      errors, "data_description.md:4: tables[0].primary_key: is required for incremental tables"));
  EXPECT_TRUE(
      contains(errors, "data_description.md:8: tables[1].name: '../b' cannot be a file name"));
  EXPECT_TRUE(
      contains(errors, "data_description.md:10: tables[1].sync_strategy: invalid value 'nightly'"));
  EXPECT_TRUE(contains(errors, "tables[2].partition_by: is required for partitioned tables"));
  EXPECT_TRUE(contains(
      errors, "data_description.md:14: tables[2].partition_granularity: invalid value 'none'"));
  EXPECT_TRUE(contains(
      errors, "data_description.md:15: tables[2].incremental_window_days: must be between 0"));
  EXPECT_TRUE(contains(errors,
                       "data_description.md:17: tables[2].columns[0].type: 'INT; DROP TABLE t' is "
                       "not a DuckDB type"));
  EXPECT_TRUE(contains(
      errors, "data_description.md:18: tables[2].columns[1].name: column 'X' is listed twice"));
  EXPECT_TRUE(contains(
      errors, "data_description.md:20: tables[2].where_filters[0].operator: invalid value 'like'"));
  EXPECT_TRUE(contains(errors, "data_description.md:21: tables[3]: each table must be a mapping"));
  auto warnings = messages(load.diagnostics, false);
  EXPECT_TRUE(contains(warnings, "data_description.md:4: tables[0].description: is missing"));
}

TEST(DataDescription, UnknownKeysAndPlaceholdersAreWarnings) {
  DataDescriptionLoad load = parse_one(
      "```yaml\ntables:\n  - id: a.b.c\n    name: c\n    description: d\n    primary_key: id\n"
      "    sync_strategy: full_refresh\n    primary_kye: x\n"
      "    where_filters:\n      - {column: d, operator: ge, values: ['{{yesterday}}']}\n```\n");
  EXPECT_FALSE(load.diagnostics.has_errors());
  auto warnings = messages(load.diagnostics, false);
  EXPECT_TRUE(
      contains(warnings, "data_description.md:8: tables[0].primary_kye: unknown key (ignored)"));
  EXPECT_TRUE(contains(warnings, "unknown placeholder {{yesterday}}"));
}

TEST(DataDescription, BadYamlReportsTheMarkdownLine) {
  DataDescriptionLoad load =
      parse_one("# Title\n\ntext\n```yaml\ntables:\n  - id: a\n bad: indent\n```\n");
  auto errors = messages(load.diagnostics);
  ASSERT_FALSE(errors.empty());
  EXPECT_TRUE(contains(errors, "data_description.md:7:")) << errors.front();
}

TEST(DataDescription, UnclosedFenceAndNoTablesAreErrors) {
  EXPECT_TRUE(contains(messages(parse_one("```yaml\ntables: []\n").diagnostics),
                       "data_description.md:1: the YAML block opened here is never closed"));
  EXPECT_TRUE(contains(messages(parse_one("# nothing here\n").diagnostics), "declares no tables"));
}

TEST(DataDescription, DuplicateIdsAndNamesInOneFolderAreErrors) {
  DataDescriptionLoad load = parse_data_description(
      {{"main.md",
        std::string(kOrders) +
            "```yaml\ntables:\n  - {id: in.c-shop.orders, name: orders2, description: x, "
            "sync_strategy: full_refresh}\n"
            "  - {id: in.c-shop.orders_v2, name: Orders, description: x, sync_strategy: "
            "full_refresh}\n"
            "  - {id: in.c-crm.orders, name: orders, description: x, sync_strategy: "
            "full_refresh}\n```\n"}});
  auto errors = messages(load.diagnostics);
  EXPECT_TRUE(
      contains(errors, "table id 'in.c-shop.orders' is declared twice (first at main.md:3)"));
  EXPECT_TRUE(contains(
      errors, "name 'Orders' is already used in folder 'in.c-shop' by table 'in.c-shop.orders'"));
  EXPECT_EQ(errors.size(), 2u);  // in.c-crm.orders lives in another folder
}

TEST(DataDescription, LaterBlocksAndDatasetFilesMerge) {
  testing::TempDir docs;
  docs.write("data_description.md",
             std::string(kOrders) + "```yaml\nfolder_mapping: {in.c-shop: old}\n```\n");
  docs.write("datasets/b.md", "```yaml\nfolder_mapping: {in.c-shop: shop}\n```\n");
  docs.write("datasets/a.md",
             "```yaml\ntables:\n  - {id: in.c-jira.issues, name: issues, description: x, "
             "sync_strategy: full_refresh, dataset: jira}\n```\n");
  docs.write("datasets/notes.txt", "ignored");
  DataDescriptionLoad load = load_data_description(docs.path());
  ASSERT_FALSE(load.diagnostics.has_errors()) << messages(load.diagnostics).front();
  ASSERT_EQ(load.description.tables.size(), 2u);
  EXPECT_EQ(load.description.tables[1].id, "in.c-jira.issues");
  EXPECT_EQ(load.description.folder_of(load.description.tables[0]), "shop");
  EXPECT_EQ(load.description.files.size(), 3u);
  EXPECT_NE(load.description.find("in.c-jira.issues"), nullptr);
}

TEST(DataDescription, MissingFileIsNotFound) {
  testing::TempDir docs;
  try {
    load_data_description(docs.path());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
  }
}

TEST(DataDescription, TheShippedExampleIsValid) {
  testing::TempDir docs;
  docs.write("data_description.md", testing::read_text(std::string(DA_SOURCE_DIR) +
                                                       "/config/data_description.md.example"));
  DataDescriptionLoad load = load_data_description(docs.path());
  EXPECT_FALSE(load.diagnostics.has_errors()) << messages(load.diagnostics).front();
  EXPECT_EQ(load.description.tables.size(), 2u);
}

}  // namespace
}  // namespace da::catalog
