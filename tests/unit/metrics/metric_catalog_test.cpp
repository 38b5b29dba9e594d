#include "da/metrics/metric_catalog.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/metrics/metric_view.hpp"

namespace da::metrics {
namespace {

constexpr const char* kComplete =
    "- name: total_revenue\n"
    "  display_name: Total Revenue\n"
    "  category: revenue\n"
    "  type: sum\n"
    "  unit: EUR\n"
    "  grain: monthly\n"
    "  time_column: created_at\n"
    "  table: orders\n"
    "  tables: [orders, customers]\n"
    "  expression: SUM(total_amount)\n"
    "  description: |\n"
    "    Revenue   of the\n"
    "    month.\n"
    "  notes:\n"
    "    - Joins to customers via customer_id.\n"
    "    - Second.\n"
    "  sql_by_channel: SELECT 2\n"
    "  sql: '  SELECT 1  '\n"
    "  sql_by_company: SELECT 3\n"
    "  sql_weekly_trend: |\n"
    "    WITH x AS (SELECT 1) SELECT * FROM x\n"
    "  validation:\n"
    "    method: compared with finance\n"
    "    result: 99.5% match on 2026-02-01\n";

std::vector<std::string> errors(const config::Diagnostics& diagnostics) {
  std::vector<std::string> result;
  for (const auto& item : diagnostics.errors())
    result.push_back(item.format());
  return result;
}

TEST(MetricFile, ReadsEveryFieldAndFindsVariantsInFileOrder) {
  config::Diagnostics diagnostics;
  auto metrics = parse_metric_file(kComplete, "revenue/total_revenue.yml", diagnostics);
  ASSERT_FALSE(diagnostics.has_errors()) << errors(diagnostics).front();
  ASSERT_EQ(metrics.size(), 1u);
  const Metric& metric = metrics[0];
  EXPECT_EQ(metric.name, "total_revenue");
  EXPECT_EQ(metric.all_tables(), (std::vector<std::string>{"orders", "customers"}));
  ASSERT_EQ(metric.queries.size(), 4u);
  EXPECT_EQ(metric.queries[0].key, "sql_by_channel");
  EXPECT_EQ(metric.queries[1].query, "SELECT 1");
  EXPECT_EQ(metric.query("by_channel")->query, "SELECT 2");
  EXPECT_EQ(metric.query("sql")->query, "SELECT 1");
  EXPECT_EQ(metric.query("nope"), nullptr);
  EXPECT_EQ(metric.validation->method, "compared with finance");
}

TEST(MetricFile, ValidationNamesFileLineAndField) {
  config::Diagnostics diagnostics;
  parse_metric_file(
      "- name: Total-Revenue\n  display_name: X\n  category: sales\n  type: sum\n  unit: EUR\n  "
      "grain: monthly\n"
      "  table: orders\n  expression: x\n  description: y\n  sql: ''\n  colour: red\n",
      "revenue/bad.yml", diagnostics);
  auto found = errors(diagnostics);
  auto has = [&](const std::string& text) {
    return std::any_of(found.begin(), found.end(),
                       [&](const std::string& e) { return e.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("revenue/bad.yml:1: [0].time_column: is required"));
  EXPECT_TRUE(has("revenue/bad.yml:1: [0].name: 'Total-Revenue' must be snake_case"));
  EXPECT_TRUE(
      has("revenue/bad.yml:3: [0].category: is 'sales' but the file is in the folder 'revenue'"));
  EXPECT_TRUE(has("revenue/bad.yml:10: [0].sql: is empty"));
  EXPECT_EQ(diagnostics.warnings().at(0).format(),
            "revenue/bad.yml:11: [0].colour: unknown key (ignored)");

  config::Diagnostics shape;
  parse_metric_file("just text\n", "revenue/x.yml", shape);
  EXPECT_NE(errors(shape).at(0).find("must be a list holding a mapping"), std::string::npos);
  config::Diagnostics syntax;
  parse_metric_file("- name: [unclosed\n", "revenue/x.yml", syntax);
  EXPECT_NE(errors(syntax).at(0).find("revenue/x.yml:"), std::string::npos);
}

TEST(MetricView, TitlesComplexityValidationAndSources) {
  config::Diagnostics diagnostics;
  Metric metric = parse_metric_file(kComplete, "revenue/total_revenue.yml", diagnostics).at(0);
  auto view = metric_view(metric);
  EXPECT_EQ(view["category_color"], "#0073D1");
  EXPECT_EQ(view["overview"]["description"], "Revenue of the month.");
  EXPECT_EQ(view["validation"]["accuracy"], "99.5%");
  EXPECT_EQ(view["validation"]["last_updated"], "2026-02-01");
  auto examples = view["sql_examples"];
  std::vector<std::string> keys;
  for (auto it = examples.begin(); it != examples.end(); ++it)
    keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"sql", "sql_by_company", "sql_by_channel",
                                            "sql_weekly_trend"}));
  EXPECT_EQ(examples["sql"]["title"], "Basic Query");
  EXPECT_EQ(examples["sql_by_channel"]["title"], "By Channel");
  EXPECT_EQ(examples["sql_weekly_trend"]["complexity"], "advanced");
  EXPECT_EQ(examples["sql"]["complexity"], "simple");
  auto sources = view["technical"]["data_sources"];
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[1]["table"], "customers");
  EXPECT_EQ(sources[1]["via"], "customer_id");
  EXPECT_EQ(query_complexity(std::string(21, '\n')), "advanced");
  EXPECT_EQ(query_title("sql_customer_vs_internal"), "Customer vs Internal");
}

TEST(MetricCatalog, GroupsKnownCategoriesFirstThenTheRestAlphabetically) {
  testing::TempDir dir;
  auto write = [&](const std::string& category, const std::string& name) {
    std::string text = kComplete;
    text.replace(text.find("total_revenue"), 13, name);
    text.replace(text.find("category: revenue"), 17, "category: " + category);
    dir.write(category + "/" + name + ".yml", text);
  };
  write("support", "b_metric");
  write("revenue", "z_metric");
  write("revenue", "a_metric");
  write("product_usage", "c_metric");
  write("finance", "d_metric");
  MetricLoad load = load_metrics(dir.path());
  ASSERT_FALSE(load.diagnostics.has_errors()) << errors(load.diagnostics).front();
  auto categories = group_by_category(load.metrics);
  std::vector<std::string> order;
  for (const auto& category : categories)
    order.push_back(category.key + ":" + category.label);
  EXPECT_EQ(order, (std::vector<std::string>{"revenue:Revenue", "support:Support",
                                             "finance:Finance", "product_usage:Product Usage"}));
  EXPECT_EQ(categories[0].metrics[0]->name, "a_metric");
  EXPECT_EQ(load.metrics.front().name, "a_metric");
  EXPECT_EQ(categories[3].color, "#b45309");
}

TEST(MetricCatalog, TheShippedSampleMetricsAreValid) {
  MetricLoad load = load_metrics(std::string(DA_SOURCE_DIR) + "/docs/metrics");
  EXPECT_FALSE(load.diagnostics.has_errors()) << errors(load.diagnostics).front();
  EXPECT_TRUE(load.diagnostics.warnings().empty());
  ASSERT_EQ(load.metrics.size(), 10u);
  for (const Metric& metric : load.metrics) {
    EXPECT_EQ(metric.grain, "monthly") << metric.name;
    EXPECT_GE(metric.queries.size(), 2u) << metric.name;
  }
  EXPECT_EQ(group_by_category(load.metrics).size(), 4u);
}

}  // namespace
}  // namespace da::metrics
