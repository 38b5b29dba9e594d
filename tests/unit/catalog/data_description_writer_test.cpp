#include "da/catalog/data_description_writer.hpp"

#include <gtest/gtest.h>

#include "da/catalog/data_description.hpp"
#include "da/common/hash.hpp"

namespace da::catalog {
namespace {

std::vector<TableConfig> sample_tables() {
  TableConfig customers;
  customers.id = "in.c-crm.customers";
  customers.name = "customers";
  customers.description = "People: \"quoted\", colons: and # hashes";
  customers.primary_key = {"id"};
  customers.columns = {{"id", "BIGINT", "Customer id"}, {"country", "VARCHAR", "'NA' is Namibia"}};
  customers.null_strings = std::vector<std::string>{"n/a"};

  TableConfig orders;
  orders.id = "in.c-crm.orders";
  orders.name = "orders";
  orders.description = "Orders\nover two lines";
  orders.primary_key = {"order_id", "line"};
  orders.strategy = SyncStrategy::kIncremental;
  orders.incremental_window_days = 14;
  orders.partition_by = "created_at";
  orders.partition_granularity = PartitionGranularity::kYear;
  orders.max_history_days = 730;
  orders.initial_load_chunk_days = 7;
  orders.foreign_keys = {{"customer_id", "customers.id", ""}};
  orders.where_filters = {{"status", FilterOperator::kNe, {"test", "{{today}}"}}};
  orders.folder = "sales";
  orders.dataset = "extra";
  orders.source = "orders*.csv";
  orders.incremental_column = "updated_at";
  orders.on_bad_value = BadValuePolicy::kNull;
  orders.allow_empty = true;
  return {customers, orders};
}

TEST(DataDescriptionWriter, OutputParsesBackToTheSameTables) {
  auto tables = sample_tables();
  std::string text = render_data_description(tables, {{"in.c-crm", "crm"}},
                                             {"table registry", 3, "2026-01-01T00:00:00Z"});
  DataDescriptionLoad load = parse_data_description({{"generated.md", text}});
  ASSERT_FALSE(load.diagnostics.has_errors()) << load.diagnostics.errors().front().format();
  EXPECT_TRUE(load.diagnostics.warnings().empty());
  ASSERT_EQ(load.description.tables.size(), 2u);
  EXPECT_EQ(load.description.folder_mapping.at("in.c-crm"), "crm");
  for (size_t i = 0; i < tables.size(); ++i) {
    const TableConfig& a = tables[i];
    const TableConfig& b = load.description.tables[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.description, b.description);
    EXPECT_EQ(a.primary_key, b.primary_key);
    EXPECT_EQ(a.strategy, b.strategy);
    EXPECT_EQ(a.incremental_window_days, b.incremental_window_days);
    EXPECT_EQ(a.partition_by, b.partition_by);
    EXPECT_EQ(a.partition_granularity, b.partition_granularity);
    EXPECT_EQ(a.max_history_days, b.max_history_days);
    EXPECT_EQ(a.initial_load_chunk_days, b.initial_load_chunk_days);
    EXPECT_EQ(a.folder, b.folder);
    EXPECT_EQ(a.dataset, b.dataset);
    EXPECT_EQ(a.source, b.source);
    EXPECT_EQ(a.incremental_column, b.incremental_column);
    EXPECT_EQ(a.null_strings, b.null_strings);
    EXPECT_EQ(a.on_bad_value, b.on_bad_value);
    EXPECT_EQ(a.allow_empty, b.allow_empty);
    ASSERT_EQ(a.columns.size(), b.columns.size());
    for (size_t c = 0; c < a.columns.size(); ++c) {
      EXPECT_EQ(a.columns[c].name, b.columns[c].name);
      EXPECT_EQ(a.columns[c].type, b.columns[c].type);
      EXPECT_EQ(a.columns[c].description, b.columns[c].description);
    }
    ASSERT_EQ(a.foreign_keys.size(), b.foreign_keys.size());
    ASSERT_EQ(a.where_filters.size(), b.where_filters.size());
    for (size_t f = 0; f < a.where_filters.size(); ++f) {
      EXPECT_EQ(a.where_filters[f].values, b.where_filters[f].values);
      EXPECT_EQ(a.where_filters[f].op, b.where_filters[f].op);
    }
  }
}

TEST(DataDescriptionWriter, HeaderCarriesTheChecksumOfTheYaml) {
  auto tables = sample_tables();
  std::string yaml = render_catalog_yaml(tables, {});
  std::string text =
      render_data_description(tables, {}, {"table registry", 7, "2026-01-01T00:00:00Z"});
  EXPECT_EQ(
      text.rfind("<!-- AUTO-GENERATED from the table registry -- do not edit manually -->", 0), 0u);
  EXPECT_NE(text.find("<!-- checksum: sha256:" + sha256_hex(yaml).substr(0, 16) + " -->"),
            std::string::npos);
  EXPECT_NE(text.find("(version 7, 2 tables)"), std::string::npos);
  EXPECT_NE(text.find("```yaml\n" + yaml + "```\n"), std::string::npos);
  EXPECT_EQ(yaml.find("folder_mapping"), std::string::npos);
}

TEST(DataDescriptionWriter, OmitsDefaults) {
  TableConfig plain;
  plain.id = "a.b.c";
  plain.name = "c";
  std::string yaml = render_catalog_yaml({plain}, {});
  EXPECT_EQ(yaml.find("incremental_window_days"), std::string::npos);
  EXPECT_EQ(yaml.find("initial_load_chunk_days"), std::string::npos);
  EXPECT_EQ(yaml.find("on_bad_value"), std::string::npos);
  EXPECT_NE(yaml.find("sync_strategy: full_refresh"), std::string::npos);
}

}  // namespace
}  // namespace da::catalog
