#include "da/sync/sync_runner.hpp"

#include <mutex>
#include <string>

#include "sync_test_support.hpp"
#include <gtest/gtest.h>

#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::sync {
namespace {

using testing::FolderSource;

// The folder source behind a lock: the runner's threads extract at once, and FolderSource
// counts its extracts in a plain int.
class SharedFolderSource : public DataSource {
 public:
  explicit SharedFolderSource(std::filesystem::path folder) : folder_(std::move(folder)) {}
  std::string name() const override { return "test folder"; }
  std::string check_connection() override { return name(); }
  std::vector<DiscoveredTable> discover_tables() override { return {}; }
  Extract extract(const ExtractRequest& request, StagingArea& staging) override {
    std::lock_guard lock(mutex_);
    return folder_.extract(request, staging);
  }

 private:
  std::mutex mutex_;
  FolderSource folder_;
};

class SyncRunnerTest : public ::testing::Test {
 protected:
  SyncRunnerTest() : source_(dir_ / "incoming") {
    std::filesystem::create_directories(dir_ / "incoming");
    config_.paths.data_dir = dir_ / "data";
    config_.paths.docs_dir = dir_ / "docs";
    config_.paths.state_db = dir_ / "state.db";
    std::filesystem::create_directories(config_.paths.docs_dir);
  }

  // `count` full-refresh tables t0..t<count-1>, table i holding i+1 rows.
  void add_tables(int count) {
    std::string yaml = "```yaml\ntables:\n";
    for (int i = 0; i < count; ++i) {
      std::string name = "t" + std::to_string(i);
      yaml += "  - {id: in.c-test." + name + ", name: " + name +
              ", description: x, sync_strategy: full_refresh}\n";
      std::string csv = "id,label\n";
      for (int row = 0; row <= i; ++row)
        csv += std::to_string(row) + ",row " + std::to_string(row) + "\n";
      dir_.write("incoming/" + name + ".csv", csv);
    }
    auto load = catalog::parse_data_description({{"test.md", yaml + "```\n"}});
    ASSERT_FALSE(load.diagnostics.has_errors()) << load.diagnostics.errors().front().format();
    catalog_ = load.description;
  }

  int64_t published_rows(const catalog::TableConfig& table) {
    duck::Database database;
    duck::Connection connection(database);
    auto path =
        config_.paths.data_dir / "parquet" / catalog_.folder_of(table) / (table.name + ".parquet");
    auto rows =
        connection.query("SELECT count(*) FROM read_parquet(" + duck::quote_path(path) + ")")
            .fetch_all();
    return rows.at(0).at(0).as_int();
  }

  da::testing::TempDir dir_;
  SharedFolderSource source_;
  config::InstanceConfig config_;
  catalog::DataDescription catalog_;
};

TEST_F(SyncRunnerTest, TablesSyncedInParallelAreEachPublishedAndReportedInTheOrderRequested) {
  add_tables(6);
  config_.sync.parallel_tables = 3;
  SyncOptions options;
  options.show_progress = false;
  SyncReport report = SyncRunner(config_, catalog_, source_).run(options);

  ASSERT_TRUE(report.succeeded()) << (report.error ? *report.error : "");
  ASSERT_EQ(report.tables.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    std::string name = "t" + std::to_string(i);
    const TableOutcome& outcome = report.tables[i];
    EXPECT_EQ(outcome.table_id, "in.c-test." + name);
    EXPECT_TRUE(outcome.succeeded) << outcome.error;
    EXPECT_EQ(outcome.result.rows_total, i + 1) << name;
    EXPECT_EQ(published_rows(catalog_.tables[i]), i + 1) << name;
  }
}

}  // namespace
}  // namespace da::sync
