#include "init/table_selection.hpp"

#include "init/init_answers.hpp"
#include "support/expect_error.hpp"
#include <gtest/gtest.h>

#include "da/catalog/data_description.hpp"

namespace da::commands::init {
namespace {

std::vector<sync::DiscoveredTable> tables() {
  return {{"in.c-crm.company", "company", {}, 0, 0, "", "", {}, ""},
          {"in.c-crm.contact", "contact", {}, 0, 0, "", "", {}, ""},
          {"in.c-sales.orders", "orders", {}, 0, 0, "", "", {}, ""},
          {"out.c-report.orders", "orders", {}, 0, 0, "", "", {}, ""}};
}

std::vector<std::string> ids(const std::vector<sync::DiscoveredTable>& chosen) {
  std::vector<std::string> result;
  for (const auto& table : chosen)
    result.push_back(table.id);
  return result;
}

TEST(TableSelection, GlobsMatchIdsAndBucketIdsMeanTheirTables) {
  EXPECT_EQ(ids(select_tables(tables(), {"in.c-crm.*"}, false)),
            (std::vector<std::string>{"in.c-crm.company", "in.c-crm.contact"}));
  EXPECT_EQ(ids(select_tables(tables(), {"in.c-sales", "*.orders"}, false)),
            (std::vector<std::string>{"in.c-sales.orders", "out.c-report.orders"}));
  EXPECT_EQ(ids(select_tables(tables(), {"in.c-crm.company"}, false)),
            (std::vector<std::string>{"in.c-crm.company"}));
  EXPECT_FALSE(pattern_matches("in.c-crm", "in.c-crm-old.x"));
}

TEST(TableSelection, AllOrNothing) {
  EXPECT_EQ(select_tables(tables(), {}, true).size(), 4u);
  EXPECT_TRUE(select_tables(tables(), {}, false).empty());
}

TEST(TableSelection, APatternWithoutMatchesIsAnErrorListingTheBuckets) {
  std::string message = testing::thrown_message(ErrorKind::kConfig, [] {
    select_tables(tables(), {"in.c-crm.*", "in.c-hr"}, false);
  });
  EXPECT_NE(message.find("'in.c-hr' matches none"), std::string::npos) << message;
  EXPECT_NE(message.find("in.c-crm, in.c-sales, out.c-report"), std::string::npos) << message;
}

TEST(TableSelection, PatternsSplitOnCommas) {
  EXPECT_EQ(split_patterns({"a.*, b", "c"}), (std::vector<std::string>{"a.*", "b", "c"}));
}

TEST(TableDefinition, IsAValidRegistryEntry) {
  sync::DiscoveredTable table{"in.c-crm.company",
                              "company",
                              {{"id", "BIGINT", "Company id"}, {"name", "VARCHAR", ""}},
                              10,
                              100,
                              "https://connection.keboola.com",
                              "Companies in the CRM",
                              {"id"},
                              ""};
  std::string yaml = table_definition(table);
  config::Diagnostics diagnostics;
  config::YamlNode node = config::parse_yaml(yaml, "definition");
  catalog::TableConfig parsed = catalog::read_table_node(node, "definition", diagnostics);
  EXPECT_FALSE(diagnostics.has_errors());
  EXPECT_EQ(parsed.id, "in.c-crm.company");
  EXPECT_EQ(parsed.strategy, catalog::SyncStrategy::kFullRefresh);
  ASSERT_EQ(parsed.columns.size(), 1u) << "only columns the source describes";
  EXPECT_EQ(parsed.columns[0].description, "Company id");
  EXPECT_TRUE(parsed.columns[0].type.empty()) << "types stay the source's";
  EXPECT_EQ(parsed.description, "Companies in the CRM");
  EXPECT_EQ(parsed.primary_key, std::vector<std::string>{"id"});
  EXPECT_FALSE(parsed.source);
}

TEST(TableDefinition, TheSourceTheConnectorGaveIsTheTablesSource) {
  sync::DiscoveredTable plain{"csv.people", "people", {}, 0, 0, "/in/people.csv", "", {}, ""};
  sync::DiscoveredTable other{"csv.my_file",   "my_file", {}, 0, 0, "/in/my-file.csv.gz", "", {},
                              "my-file.csv.gz"};
  EXPECT_EQ(table_definition(plain).find("source"), std::string::npos);
  EXPECT_NE(table_definition(other).find("\"source\":\"my-file.csv.gz\""), std::string::npos);
}

}  // namespace
}  // namespace da::commands::init
