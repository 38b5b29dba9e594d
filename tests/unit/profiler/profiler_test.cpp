#include "da/profiler/profiler.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "da/config/instance_config_loader.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::profiler {
namespace {

using nlohmann::json;
using testing::TempDir;

class ProfilerTest : public ::testing::Test {
 protected:
  void SetUp() override { configure(""); }

  void configure(const std::string& extra) {
    auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    auto loaded =
        config::parse_instance_config("paths:\n  data_dir: ./data\n  docs_dir: ./docs\n" + extra,
                                      "instance.yaml", dir_ / "config", env);
    loaded.diagnostics.throw_if_errors("test config");
    config_ = loaded.config;
  }

  void catalog(const std::string& tables_yaml) {
    auto load = catalog::parse_data_description(
        {{"test.md", "```yaml\ntables:\n" + tables_yaml + "```\n"}});
    load.diagnostics.throw_if_errors("test catalog");
    catalog_ = load.description;
  }

  // Writes <data>/parquet/<folder>/<name>.parquet from a SELECT.
  void parquet(const std::string& relative, const std::string& select) {
    auto path = dir_ / "data/parquet" / relative;
    std::filesystem::create_directories(path.parent_path());
    duck::Database database;
    duck::Connection connection(database);
    connection.execute("COPY (" + select + ") TO " + duck::quote_path(path) + " (FORMAT parquet)");
  }

  ProfileReport profile(const std::vector<std::string>& tables = {}) {
    return Profiler(config_, catalog_).run(tables);
  }

  json profiles() { return json::parse(testing::read_text(dir_ / "data/metadata/profiles.json")); }

  static const json& column(const json& table, const std::string& name) {
    for (const json& column : table["columns"]) {
      if (column["name"] == name) return column;
    }
    throw std::runtime_error("no column " + name);
  }

  static std::vector<std::string> alert_types(const json& column) {
    return column["alerts"].get<std::vector<std::string>>();
  }

  TempDir dir_;
  config::InstanceConfig config_;
  catalog::DataDescription catalog_;
};

constexpr const char* kOrders =
    "  - {id: in.c-shop.orders, name: orders, description: Orders, primary_key: 'order_id, line', "
    "sync_strategy: full_refresh, foreign_keys: [{column: customer_id, references: "
    "customers.id}]}\n"
    "  - {id: in.c-shop.customers, name: customers, description: People, primary_key: id, "
    "sync_strategy: full_refresh}\n";

// 20 rows: hand-checkable statistics.
constexpr const char* kOrdersSelect =
    "SELECT i AS order_id, CASE WHEN i = 20 THEN 19 ELSE i END AS line_dummy, "
    "CASE WHEN i = 20 THEN 1 ELSE 1 END AS line, i % 3 AS customer_id, "
    "CASE WHEN i <= 2 THEN NULL WHEN i <= 12 THEN 0 ELSE i - 15 END AS amount, "
    "CASE WHEN i <= 15 THEN 'web' ELSE 'phone' END AS channel, "
    "'n' || i AS note, i % 2 = 0 AS paid, CAST(DATE '2024-01-01' + INTERVAL (i * 10) DAY AS DATE) "
    "AS day, "
    "'x' AS constant, "
    "CASE WHEN i <= 8 THEN NULL ELSE 'v' || i END AS sparse "
    "FROM range(1, 21) t(i)";

TEST_F(ProfilerTest, ComputesEveryColumnStatistic) {
  catalog(kOrders);
  parquet("in.c-shop/orders.parquet", kOrdersSelect);
  ProfileReport report = profile();
  ASSERT_TRUE(report.errors.empty()) << report.errors.front();
  EXPECT_EQ(report.profiled.size(), 1u);
  EXPECT_EQ(report.skipped, std::vector<std::string>{"in.c-shop.customers"});
  json orders = profiles()["tables"]["orders"];
  EXPECT_EQ(orders["table_id"], "in.c-shop.orders");
  EXPECT_EQ(orders["row_count"], 20);
  EXPECT_EQ(orders["column_count"], 11);
  EXPECT_EQ(orders["primary_key"], "order_id, line");
  EXPECT_FALSE(orders["sampled"]);

  const json& amount = column(orders, "amount");
  EXPECT_EQ(amount["type_category"], "NUMERIC");
  EXPECT_EQ(amount["null_count"], 2);
  EXPECT_EQ(amount["completeness_pct"], 90.0);
  const json& stats = amount["numeric_stats"];
  EXPECT_EQ(stats["min"], -2.0);  // i = 13: 13 - 15
  EXPECT_EQ(stats["max"], 5.0);
  EXPECT_EQ(stats["zeros"], 11);  // i = 3..12, and i = 15
  EXPECT_EQ(stats["zeros_pct"], 61.11);
  EXPECT_EQ(stats["negative"], 2);
  EXPECT_EQ(stats["median"], 0.0);
  ASSERT_EQ(stats["histogram"]["bins"].size(), 15u);
  EXPECT_EQ(stats["histogram"]["bins"][0], "-2.00--1.53");
  int histogram_total = 0;
  for (const auto& count : stats["histogram"]["counts"])
    histogram_total += count.get<int>();
  EXPECT_EQ(histogram_total, 18);
  EXPECT_EQ(alert_types(amount), (std::vector<std::string>{"missing", "zeros"}));

  const json& channel = column(orders, "channel");
  EXPECT_EQ(channel["string_stats"]["top_values"][0],
            (json{{"value", "web"}, {"count", 15}, {"pct", 75.0}}));
  EXPECT_EQ(channel["string_stats"]["min_length"], 3);
  EXPECT_EQ(channel["string_stats"]["max_length"], 5);
  EXPECT_EQ(alert_types(channel), std::vector<std::string>{"imbalance"});
  EXPECT_EQ(channel["sample_values"], (json{"phone", "web"}));

  const json& paid = column(orders, "paid");
  EXPECT_EQ(paid["boolean_stats"],
            (json{{"true_count", 10}, {"false_count", 10}, {"true_pct", 50.0}}));

  const json& day = column(orders, "day");
  EXPECT_EQ(day["date_stats"]["earliest"], "2024-01-11");
  EXPECT_EQ(day["date_stats"]["latest"], "2024-07-19");
  EXPECT_EQ(day["date_stats"]["span_days"], 190);
  EXPECT_EQ(day["date_stats"]["histogram"]["bins"], (json{"2024-Q1", "2024-Q2", "2024-Q3"}));
  EXPECT_EQ(day["date_stats"]["histogram"]["counts"], (json{9, 9, 2}));
  EXPECT_EQ(day["type"], "DATE");
  EXPECT_EQ(orders["date_range"]["earliest"], "2024-01-11");

  EXPECT_EQ(alert_types(column(orders, "constant")), std::vector<std::string>{"constant"});
  EXPECT_EQ(alert_types(column(orders, "order_id")), std::vector<std::string>{"unique"});
  EXPECT_EQ(alert_types(column(orders, "sparse")), std::vector<std::string>{"high_missing"});
  EXPECT_TRUE(column(orders, "order_id")["is_primary_key"]);
  EXPECT_EQ(column(orders, "sparse")["completeness_pct"], 60.0);
}

TEST_F(ProfilerTest, TableLevelFieldsAlertsAndDuplicates) {
  catalog(kOrders);
  parquet("in.c-shop/orders.parquet", kOrdersSelect);
  profile();
  json orders = profiles()["tables"]["orders"];
  EXPECT_EQ(orders["duplicate_rows"], 0);  // (order_id, line) is unique
  EXPECT_EQ(orders["missing_cells"], 2 + 8);
  EXPECT_EQ(orders["missing_cells_pct"], 4.55);  // 10 / (20 * 11)
  EXPECT_EQ(orders["variable_types"],
            (json{{"BOOLEAN", 1}, {"DATE", 1}, {"NUMERIC", 5}, {"STRING", 4}}));
  std::vector<std::string> messages;
  for (const auto& alert : orders["alerts"])
    messages.push_back(alert["message"]);
  EXPECT_NE(std::find(messages.begin(), messages.end(), "constant is constant (single value)"),
            messages.end());
  EXPECT_NE(std::find(messages.begin(), messages.end(), "amount has 10.0% missing values"),
            messages.end());
  EXPECT_NE(
      std::find(messages.begin(), messages.end(), "channel is highly imbalanced (top value 75.0%)"),
      messages.end());
  EXPECT_NE(std::find(messages.begin(), messages.end(), "amount has 61.11% zero values"),
            messages.end());
  ASSERT_EQ(orders["sample_rows"].size(), 5u);
  EXPECT_TRUE(orders["sample_rows"][0]["amount"].is_null());
  EXPECT_EQ(orders["sample_rows"][0]["channel"], "web");
}

TEST_F(ProfilerTest, CountsDuplicateKeysAndHighCardinality) {
  catalog(
      "  - {id: a.b.t, name: t, description: x, primary_key: 'k1, k2', sync_strategy: "
      "full_refresh}\n");
  parquet("a.b/t.parquet",
          "SELECT i % 30 AS k1, 1 AS k2, 'name ' || i AS label FROM range(60) t(i)");
  profile();
  json table = profiles()["tables"]["t"];
  EXPECT_EQ(table["duplicate_rows"], 30);
  EXPECT_EQ(alert_types(column(table, "label")),
            (std::vector<std::string>{"unique", "high_cardinality"}));
  EXPECT_FALSE(column(table, "label")["string_stats"].contains("top_values"));
}

TEST_F(ProfilerTest, RelatedTablesInBothDirectionsAndMetricLinks) {
  catalog(kOrders);
  parquet("in.c-shop/orders.parquet", kOrdersSelect);
  parquet("in.c-shop/customers.parquet", "SELECT i AS id FROM range(3) t(i)");
  dir_.write(
      "docs/metrics/revenue/total.yml",
      "- {name: total, display_name: T, category: revenue, type: sum, unit: EUR, grain: monthly, "
      "time_column: day, table: orders, tables: [orders, customers], expression: x, description: "
      "y}\n");
  profile();
  json tables = profiles()["tables"];
  EXPECT_EQ(tables["orders"]["related_tables"][0], (json{{"table", "customers"},
                                                         {"join_column", "customer_id"},
                                                         {"foreign_column", "id"},
                                                         {"direction", "belongs_to"},
                                                         {"description", "References customers"}}));
  EXPECT_EQ(tables["customers"]["related_tables"][0],
            (json{{"table", "orders"},
                  {"join_column", "id"},
                  {"foreign_column", "customer_id"},
                  {"direction", "has_many"},
                  {"description", "Referenced by orders"}}));
  EXPECT_EQ(tables["orders"]["used_by_metrics"],
            (json{{{"name", "total"}, {"file", "revenue/total.yml"}}}));
  EXPECT_EQ(tables["customers"]["used_by_metrics"].size(), 1u);
}

TEST_F(ProfilerTest, EmptyTablesAndAllNullColumns) {
  catalog(
      "  - {id: a.b.empty, name: empty, description: x, sync_strategy: full_refresh}\n"
      "  - {id: a.b.nulls, name: nulls, description: x, sync_strategy: full_refresh}\n");
  parquet("a.b/empty.parquet", "SELECT 1 AS id, 'x' AS name WHERE false");
  parquet("a.b/nulls.parquet",
          "SELECT i AS id, CAST(NULL AS DOUBLE) AS missing FROM range(4) t(i)");
  ProfileReport report = profile();
  ASSERT_TRUE(report.errors.empty()) << report.errors.front();
  json tables = profiles()["tables"];
  EXPECT_EQ(tables["empty"]["row_count"], 0);
  EXPECT_EQ(tables["empty"]["column_count"], 2);
  EXPECT_EQ(tables["empty"]["missing_cells_pct"], 0.0);
  const json& missing = column(tables["nulls"], "missing");
  EXPECT_EQ(missing["null_count"], 4);
  EXPECT_EQ(missing["completeness_pct"], 0.0);
  EXPECT_TRUE(missing["numeric_stats"]["min"].is_null());
  EXPECT_FALSE(missing["numeric_stats"].contains("histogram"));
  EXPECT_EQ(alert_types(missing), std::vector<std::string>{"high_missing"});
}

TEST_F(ProfilerTest, LargeTablesAreSampledWithExactCountsFromMetadata) {
  configure("profiler:\n  exact_row_limit: 1000\n  sample_rows: 1000\n");
  catalog("  - {id: a.b.big, name: big, description: x, sync_strategy: full_refresh}\n");
  parquet("a.b/big.parquet",
          "SELECT i AS id, CASE WHEN i % 10 = 0 THEN NULL ELSE i END AS v FROM range(50000) t(i)");
  profile();
  json big = profiles()["tables"]["big"];
  EXPECT_TRUE(big["sampled"]);
  EXPECT_EQ(big["sample_size"], 1000);
  EXPECT_EQ(big["row_count"], 50000);
  EXPECT_EQ(column(big, "v")["null_count"], 5000);  // exact, from the Parquet statistics
  EXPECT_EQ(column(big, "id")["numeric_stats"]["min"], 0.0);
  EXPECT_EQ(column(big, "id")["numeric_stats"]["max"], 49999.0);
}

TEST_F(ProfilerTest, PartitionsAreReadByNameAndAFailingTableKeepsItsProfileMarkedStale) {
  catalog(
      "  - {id: a.b.p, name: p, description: x, primary_key: id, sync_strategy: partitioned, "
      "partition_by: day}\n");
  parquet("a.b/p/2024-01.parquet", "SELECT 1 AS id, DATE '2024-01-05' AS day");
  parquet("a.b/p/2024-02.parquet", "SELECT DATE '2024-02-05' AS day, 2 AS id, 'new' AS extra");
  ASSERT_TRUE(profile().errors.empty());
  json first = profiles()["tables"]["p"];
  EXPECT_EQ(first["row_count"], 2);
  EXPECT_EQ(column(first, "extra")["null_count"], 1);
  dir_.write("data/parquet/a.b/p/2024-03.parquet", "not parquet at all");
  ProfileReport report = profile({"p"});
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].find("a.b.p: "), std::string::npos);
  json stale = profiles()["tables"]["p"];
  EXPECT_TRUE(stale["_stale"]);
  EXPECT_EQ(stale["row_count"], 2);
}

TEST_F(ProfilerTest, SameNamedTablesInTwoFoldersAreAnErrorNotAnOverwrite) {
  catalog(
      "  - {id: a.one.t, name: t, description: x, sync_strategy: full_refresh}\n"
      "  - {id: a.two.t, name: t, description: y, sync_strategy: full_refresh}\n");
  parquet("a.one/t.parquet", "SELECT 1 AS id");
  parquet("a.two/t.parquet", "SELECT 2 AS id");
  ProfileReport report = profile();
  EXPECT_EQ(report.errors.size(), 2u);
  EXPECT_NE(report.errors[0].find("is used by another table"), std::string::npos);
  EXPECT_FALSE(profiles()["tables"].contains("t"));
}

}  // namespace
}  // namespace da::profiler
