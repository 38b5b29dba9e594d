#include "da/catalog_bundle/catalog_bundle.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/config/instance_config_loader.hpp"

namespace da::catalog_bundle {
namespace {

using testing::read_text;
using testing::TempDir;

class CatalogBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    auto loaded = config::parse_instance_config(
        "instance:\n  name: Acme Analytics\nserver:\n  hostname: data.acme.com\npaths:\n  "
        "data_dir: ./data\n"
        "  docs_dir: ./docs\n",
        "instance.yaml", dir_ / "config", env);
    config_ = loaded.config;
    auto load = catalog::parse_data_description(
        {{"d.md",
          "```yaml\ntables:\n  - {id: in.c-shop.orders, name: orders, description: 'Orders | with "
          "pipes', "
          "sync_strategy: full_refresh}\n  - {id: in.c-shop.customers, name: customers, "
          "description: People, "
          "sync_strategy: full_refresh}\n```\n"}});
    catalog_ = load.description;
    dir_.write("docs/metrics/revenue/total.yml",
               "- {name: total_revenue, display_name: Total Revenue, category: revenue, type: sum, "
               "unit: EUR, "
               "grain: monthly, time_column: created_at, table: orders, expression: x, "
               "description: y, sql: SELECT 1}\n");
    dir_.write("data/metadata/profiles.json",
               R"json({"tables": {"orders": {"row_count": 1234, "column_count": 5, "sampled": false,
                   "date_range": {"earliest": "2024-01-01", "latest": "2024-12-31"},
                   "alerts": [{"message": "status is highly imbalanced (top value 80.0%)"}],
                   "used_by_metrics": [{"name": "total_revenue"}]}}})json");
  }

  TempDir dir_;
  config::InstanceConfig config_;
  catalog::DataDescription catalog_;
};

TEST_F(CatalogBundleTest, ClaudeMdCarriesTheInstanceTheTablesAndTheMetrics) {
  BundleReport report = build_catalog_bundle(config_, catalog_);
  EXPECT_EQ(report.written.size(), 3u);
  std::string claude = read_text(dir_ / "docs/CLAUDE.md");
  EXPECT_NE(claude.find("# Acme Analytics: instructions for the AI assistant"), std::string::npos);
  EXPECT_NE(claude.find("the data broker data.acme.com"), std::string::npos);
  EXPECT_NE(claude.find("https://data.acme.com"), std::string::npos);
  EXPECT_NE(claude.find("| in.c-shop.orders | `orders` | 1234 | Orders \\| with pipes |"),
            std::string::npos)
      << claude;
  EXPECT_NE(claude.find("| in.c-shop.customers | `customers` |  | People |"), std::string::npos);
  EXPECT_NE(claude.find("`total_revenue` (Revenue, EUR): Total Revenue — "
                        "`server/docs/metrics/revenue/total.yml`"),
            std::string::npos);
  EXPECT_NE(claude.find("Never write your own SQL for a defined metric"), std::string::npos);
  EXPECT_NE(claude.find("user/duckdb/analytics.duckdb"), std::string::npos);
  EXPECT_EQ(claude.find("{{"), std::string::npos);
}

TEST_F(CatalogBundleTest, ProfileSummaryAndMetricIndex) {
  build_catalog_bundle(config_, catalog_);
  std::string profile = read_text(dir_ / "docs/data_profile.md");
  EXPECT_NE(
      profile.find("## orders\n\n- 1234 rows, 5 columns\n- dates from 2024-01-01 to 2024-12-31\n"
                   "- alert: status is highly imbalanced (top value 80.0%)\n- used by the metrics "
                   "`total_revenue`"),
      std::string::npos)
      << profile;
  EXPECT_NE(profile.find("## customers\n\nNot profiled yet."), std::string::npos);
  std::string index = read_text(dir_ / "docs/metrics/index.md");
  EXPECT_NE(
      index.find(
          "| `total_revenue` | Total Revenue | EUR | monthly | `sql` | `revenue/total.yml` |"),
      std::string::npos)
      << index;
}

TEST_F(CatalogBundleTest, AnInstanceTemplateReplacesTheBuiltInOne) {
  dir_.write("docs/setup/claude_md_template.md", "Hello {{instance_name}}\n{{tables}}");
  build_catalog_bundle(config_, catalog_);
  std::string claude = read_text(dir_ / "docs/CLAUDE.md");
  EXPECT_EQ(claude.rfind("Hello Acme Analytics\n| table |", 0), 0u) << claude;
}

}  // namespace
}  // namespace da::catalog_bundle
