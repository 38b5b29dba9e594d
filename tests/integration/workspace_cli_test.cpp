// `da workspace init|refresh` and `da query` in an analyst's workspace, through the real binary.
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"

namespace da {
namespace {

namespace fs = std::filesystem;
using testing::run_da;
using testing::TempDir;

class WorkspaceCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = dir_ / "ws";
    ASSERT_EQ(run_da({"workspace", "init", ws_.string()}).exit_code, 0);
    dir_.write("ws/server/docs/data_description.md",
               "```yaml\nfolder_mapping: {in.c-shop: shop}\ntables:\n"
               "  - {id: in.c-shop.orders, name: orders, sync_strategy: full_refresh}\n```\n");
    fs::create_directories(ws_ / "server" / "parquet" / "shop");
    duck::Database database;
    duck::Connection connection(database);
    connection.execute(
        "COPY (SELECT * FROM (VALUES (1, 'a, \"quoted\"'), (2, NULL)) t(id, note)) TO " +
        duck::quote_path(ws_ / "server" / "parquet" / "shop" / "orders.parquet") +
        " (FORMAT parquet)");
    auto refreshed = run_da({"workspace", "refresh", ws_.string()});
    ASSERT_EQ(refreshed.exit_code, 0) << refreshed.out << refreshed.err;
    EXPECT_NE(refreshed.out.find("shop.orders"), std::string::npos) << refreshed.out;
  }

  TempDir dir_;
  fs::path ws_;
};

TEST_F(WorkspaceCli, QueryFormatsAsCsvAndJson) {
  auto csv = run_da({"query", "--workspace", ws_.string(), "--format", "csv",
                     "SELECT id, note FROM orders ORDER BY id"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out, "id,note\n1,\"a, \"\"quoted\"\"\"\n2,\n");
  auto json = run_da({"query", "--workspace", ws_.string(), "--format", "json",
                      "SELECT count(*) AS n FROM shop.orders"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"row_count\": 1"), std::string::npos) << json.out;
}

TEST_F(WorkspaceCli, QueryFindsTheWorkspaceFromItsFolders) {
  testing::ProcessOptions options;
  options.working_dir = ws_ / "user" / "scripts";
  auto result = run_da({"query", "SELECT count(*) AS n FROM orders"}, options);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("2"), std::string::npos) << result.out;
}

TEST_F(WorkspaceCli, QueryOnAWorkspaceWithoutItsDatabaseSaysWhatToRun) {
  TempDir other;
  auto result = run_da({"query", "--workspace", other.path().string(), "SELECT 1"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("da workspace refresh"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace da
