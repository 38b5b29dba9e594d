#include "da/workspace/workspace.hpp"

#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::workspace {
namespace {

namespace fs = std::filesystem;

class WorkspaceTest : public ::testing::Test {
 protected:
  void SetUp() override { layout_ = layout_of(dir_ / "ws"); }

  // Publishes `rows` rows as server/parquet/<relative>.
  void parquet(const std::string& relative, int rows) {
    fs::path file = layout_.server() / "parquet" / relative;
    fs::create_directories(file.parent_path());
    duck::Database database;
    duck::Connection connection(database);
    connection.execute("COPY (SELECT i AS id, 'x' || i AS label FROM range(" +
                       std::to_string(rows) + ") t(i)) TO " + duck::quote_path(file) +
                       " (FORMAT parquet)");
  }

  void catalog(const std::string& tables) {
    dir_.write(
        "ws/server/docs/data_description.md",
        "```yaml\nfolder_mapping: {in.c-crm: crm, in.c-web: web}\ntables:\n" + tables + "```\n");
  }

  std::vector<std::string> rows(const std::string& sql, const fs::path& database_path) {
    duck::DatabaseOptions options;
    options.path = database_path.string();
    duck::Database database(options);
    duck::Connection connection(database);
    std::vector<std::string> out;
    for (const auto& row : connection.query(sql).fetch_all()) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i)
        line += (i ? "|" : "") + row[i].to_string();
      out.push_back(line);
    }
    return out;
  }

  std::vector<std::string> views() {
    return rows(
        "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1",
        layout_.database());
  }

  da::testing::TempDir dir_;
  Layout layout_;
};

TEST_F(WorkspaceTest, InitLaysOutTheFoldersOnceAndRefusesASymlinkedFolder) {
  InitReport first = init_workspace(layout_);
  EXPECT_FALSE(first.created.empty());
  for (const char* folder : {"server", "user/duckdb", "user/notifications", "user/artifacts",
                             "user/scripts", "user/parquet", "user/sessions", ".claude"})
    EXPECT_TRUE(fs::is_directory(layout_.root / folder)) << folder;
  EXPECT_TRUE(fs::is_regular_file(layout_.root / ".claude" / "settings.json"));
  EXPECT_TRUE(init_workspace(layout_).created.empty());

  fs::create_directories(dir_ / "elsewhere");
  fs::create_symlink(dir_ / "elsewhere", dir_ / "linked");
  std::string message = da::testing::thrown_message(
      ErrorKind::kConfig, [&] { init_workspace(layout_of(dir_ / "linked")); });
  EXPECT_NE(message.find("symbolic link"), std::string::npos) << message;
}

TEST_F(WorkspaceTest, RefreshMakesAViewPerTableWithRowCountsFromTheFooters) {
  init_workspace(layout_);
  catalog(
      "  - {id: in.c-crm.orders, name: orders, sync_strategy: full_refresh}\n"
      "  - {id: in.c-web.orders, name: orders, sync_strategy: full_refresh}\n"
      "  - {id: in.c-web.events, name: events, sync_strategy: partitioned, partition_by: at}\n"
      "  - {id: in.c-web.gone, name: gone, sync_strategy: full_refresh}\n");
  parquet("crm/orders.parquet", 3);
  parquet("web/orders.parquet", 4);
  parquet("web/events/2024-01.parquet", 5);
  parquet("web/events/2024-02.parquet", 6);
  dir_.write("ws/server/docs/CLAUDE.md", "# instructions from the broker\n");

  RefreshReport report = refresh_workspace(layout_);
  ASSERT_EQ(report.views.size(), 3u);
  EXPECT_EQ(report.views[0].schema, "crm");
  EXPECT_EQ(report.views[0].rows, 3);
  EXPECT_EQ(report.views[2].name, "events");
  EXPECT_EQ(report.views[2].rows, 11);
  EXPECT_EQ(report.missing, std::vector<std::string>{"in.c-web.gone"});
  // "orders" is in two folders: only the qualified names; "events" also unqualified.
  EXPECT_EQ(views(),
            (std::vector<std::string>{"crm.orders", "main.events", "web.events", "web.orders"}));
  EXPECT_EQ(rows("SELECT count(*) FROM events", layout_.database()),
            std::vector<std::string>{"11"});
  EXPECT_EQ(da::testing::read_text(layout_.root / "CLAUDE.md"), "# instructions from the broker\n");
}

TEST_F(WorkspaceTest, TablesThatLeaveLoseTheirViewsButTheAnalystsOwnStay) {
  init_workspace(layout_);
  catalog(
      "  - {id: in.c-crm.orders, name: orders, sync_strategy: full_refresh}\n"
      "  - {id: in.c-crm.customers, name: customers, sync_strategy: full_refresh}\n");
  parquet("crm/orders.parquet", 3);
  parquet("crm/customers.parquet", 2);
  refresh_workspace(layout_);
  {
    duck::DatabaseOptions options;
    options.path = layout_.database().string();
    duck::Database database(options);
    duck::Connection connection(database);
    connection.execute("CREATE VIEW my_orders AS SELECT * FROM orders WHERE id > 0");
  }
  catalog("  - {id: in.c-crm.orders, name: orders, sync_strategy: full_refresh}\n");
  fs::remove(layout_.server() / "parquet" / "crm" / "customers.parquet");
  RefreshReport report = refresh_workspace(layout_);
  EXPECT_EQ(report.dropped, (std::vector<std::string>{"crm.customers", "main.customers"}));
  EXPECT_EQ(views(), (std::vector<std::string>{"crm.orders", "main.my_orders", "main.orders"}));
}

TEST_F(WorkspaceTest, ViewsReadAbsolutePathsSoAnyCurrentFolderWorks) {
  init_workspace(layout_);
  catalog("  - {id: in.c-crm.orders, name: orders, sync_strategy: full_refresh}\n");
  parquet("crm/orders.parquet", 3);
  refresh_workspace(layout_);
  fs::path before = fs::current_path();
  fs::current_path(dir_.path());
  auto counted = rows("SELECT count(*) FROM crm.orders", layout_.database());
  fs::current_path(before);
  EXPECT_EQ(counted, std::vector<std::string>{"3"});
}

TEST_F(WorkspaceTest, RefreshWithoutACatalogSaysToPullFirst) {
  init_workspace(layout_);
  std::string message =
      da::testing::thrown_message(ErrorKind::kConfig, [&] { refresh_workspace(layout_); });
  EXPECT_NE(message.find("da pull"), std::string::npos) << message;
}

TEST_F(WorkspaceTest, FindsTheWorkspaceFromASubfolder) {
  init_workspace(layout_);
  catalog("  - {id: in.c-crm.orders, name: orders, sync_strategy: full_refresh}\n");
  EXPECT_EQ(find_workspace(layout_.user() / "scripts"), layout_.root);
  EXPECT_TRUE(find_workspace(dir_.path()).empty());
}

}  // namespace
}  // namespace da::workspace
