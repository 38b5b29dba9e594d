// Every query of every shipped sample metric runs on the xs sample dataset, synced through the
// real binary, and returns at least one row.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "da/metrics/metric_catalog.hpp"

namespace da {
namespace {

using testing::run_da;
using testing::TempDir;

class SampleMetrics : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const TempDir& dir = *dir_;
    ASSERT_EQ(
        run_da({"sample-data", "--size", "xs", "--out", (dir / "incoming").string()}).exit_code, 0);
    dir.write(
        "config/instance.yaml",
        "data_source:\n  type: csv\n  csv:\n    base_dir: ./incoming\npaths:\n  data_dir: ./data\n"
        "  docs_dir: ./docs\nlogging:\n  level: warn\n");
    std::filesystem::create_directories(dir / "docs");
    std::filesystem::copy_file(dir / "incoming/data_description.md",
                               dir / "docs/data_description.md");
    std::filesystem::copy(std::string(DA_SOURCE_DIR) + "/docs/metrics", dir / "docs/metrics",
                          std::filesystem::copy_options::recursive);
    auto sync = run_da({"--config", (dir / "config").string(), "sync"});
    ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  }
  static void TearDownTestSuite() { delete dir_; }

  static nlohmann::json run(const std::vector<std::string>& args) {
    std::vector<std::string> full{"--config", (*dir_ / "config").string(), "--json"};
    full.insert(full.end(), args.begin(), args.end());
    auto result = run_da(full);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.exit_code == 0 ? nlohmann::json::parse(result.out) : nlohmann::json();
  }

  static TempDir* dir_;
};

TempDir* SampleMetrics::dir_ = nullptr;

TEST_F(SampleMetrics, EveryQueryOfEveryMetricReturnsRows) {
  metrics::MetricLoad load = metrics::load_metrics(std::string(DA_SOURCE_DIR) + "/docs/metrics");
  ASSERT_EQ(load.metrics.size(), 10u);
  int queries = 0;
  for (const metrics::Metric& metric : load.metrics) {
    for (const metrics::MetricQuery& query : metric.queries) {
      auto result = run({"metrics", "run", metric.name, "--variant", query.key});
      EXPECT_GT(result.value("row_count", 0), 0) << metric.name << " " << query.key;
      ++queries;
    }
  }
  EXPECT_EQ(queries, 20);
}

TEST_F(SampleMetrics, TotalRevenueMatchesCompletedPaymentsAsItsValidationClaims) {
  auto revenue =
      run({"query",
           "SELECT SUM(total_amount) FROM orders WHERE status NOT IN ('cancelled', 'returned')"});
  auto payments = run({"query", "SELECT SUM(amount) FROM payments WHERE status = 'completed'"});
  EXPECT_EQ(revenue["rows"][0][0], payments["rows"][0][0]);
}

TEST_F(SampleMetrics, ShowGivesThePortalView) {
  auto view = run({"metrics", "show", "repeat_purchase_rate"});
  EXPECT_EQ(view["category"], "customers");
  EXPECT_EQ(view["sql_examples"]["sql"]["complexity"], "advanced");
  EXPECT_EQ(view["sql_examples"]["sql_by_channel"]["title"], "By Channel");
  auto list = run({"metrics", "list"});
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0]["category"], "revenue");
  auto missing = run_da({"--config", (*dir_ / "config").string(), "metrics", "run", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no metric named 'nope'"), std::string::npos);
}

}  // namespace
}  // namespace da
