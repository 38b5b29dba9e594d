// da sample-data through the real binary, and the sample synced end to end with da sync.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"

namespace da {
namespace {

using testing::run_da;
using testing::TempDir;

std::string column_type(const std::filesystem::path& parquet, const std::string& column) {
  duck::Database database;
  duck::Connection connection(database);
  for (const auto& row :
       connection.query("DESCRIBE SELECT * FROM read_parquet(" + duck::quote_path(parquet) + ")")
           .fetch_all()) {
    if (row[0].text() == column) return row[1].text();
  }
  return "";
}

// The "format" of <out>/_manifest.json.
std::string manifest_format(const std::filesystem::path& out) {
  return nlohmann::json::parse(testing::read_text(out / "_manifest.json"))["format"];
}

TEST(SampleDataCli, WritesParquetWithTypedColumns) {
  TempDir dir;
  auto result = run_da({"--json", "sample-data", "--size", "xs", "--format", "parquet", "--out",
                        dir.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(nlohmann::json::parse(result.out)["tables"].size(), 9u);
  EXPECT_FALSE(std::filesystem::exists(dir / "orders.csv"));
  EXPECT_EQ(column_type(dir / "orders.parquet", "created_at"), "TIMESTAMP");
  EXPECT_EQ(column_type(dir / "orders.parquet", "total_amount"), "DECIMAL(12,2)");
  EXPECT_EQ(column_type(dir / "customers.parquet", "registration_date"), "DATE");
  EXPECT_EQ(manifest_format(dir.path()), "parquet");
}

TEST(SampleDataCli, BothFormatsAndSizeList) {
  TempDir dir;
  ASSERT_EQ(
      run_da({"sample-data", "--size", "xs", "--format", "both", "--out", dir.path().string()})
          .exit_code,
      0);
  EXPECT_TRUE(std::filesystem::exists(dir / "orders.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir / "parquet/orders.parquet"));
  EXPECT_EQ(manifest_format(dir.path()), "both");
  auto sizes = run_da({"sample-data", "--list-sizes"});
  EXPECT_EQ(sizes.exit_code, 0);
  EXPECT_NE(sizes.out.find("l          50000      1000"), std::string::npos) << sizes.out;
  EXPECT_EQ(run_da({"sample-data", "--size", "xxl"}).exit_code, 2);
}

// The sample and its catalog sync with every strategy, and the next incremental run is a no-op.
TEST(SampleDataCli, TheSampleSyncsEndToEnd) {
  TempDir dir;
  ASSERT_EQ(run_da({"sample-data", "--size", "xs", "--out", (dir / "incoming").string()}).exit_code,
            0);
  EXPECT_EQ(manifest_format(dir / "incoming"), "csv");
  dir.write("config/instance.yaml",
            "data_source:\n  type: csv\n  csv:\n    base_dir: ./incoming\npaths:\n  data_dir: "
            "./data\n  docs_dir: ./docs\n"
            "logging:\n  level: warn\n");
  std::filesystem::create_directories(dir / "docs");
  std::filesystem::copy_file(dir / "incoming/data_description.md",
                             dir / "docs/data_description.md");
  auto first = run_da({"--config", (dir / "config").string(), "--json", "sync"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  auto report = nlohmann::json::parse(first.out);
  ASSERT_EQ(report["tables"].size(), 9u);
  for (const auto& table : report["tables"]) {
    EXPECT_EQ(table["status"], "succeeded") << table.dump();
    EXPECT_GT(table["rows"].get<int64_t>(), 0) << table.dump();
  }
  auto second =
      run_da({"--config", (dir / "config").string(), "--json", "sync", "orders", "web_sessions"});
  ASSERT_EQ(second.exit_code, 0);
  for (const auto& table : nlohmann::json::parse(second.out)["tables"])
    EXPECT_EQ(table["rows_read"], 0);
  auto revenue =
      run_da({"--config", (dir / "config").string(), "query",
              "SELECT count(*) AS n FROM orders o JOIN customers c USING (customer_id)"});
  EXPECT_EQ(revenue.out, "n\n---\n100\n(1 row)\n");
}

}  // namespace
}  // namespace da
