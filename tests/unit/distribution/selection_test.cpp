#include "da/distribution/selection.hpp"

#include <algorithm>
#include <cstdlib>

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

namespace da::distribution {
namespace {

namespace fs = std::filesystem;

catalog::DataDescription shop_catalog() {
  catalog::DataDescriptionLoad load = catalog::parse_data_description(
      {{"data_description.md",
        "```yaml\n"
        "folder_mapping: {in.c-crm: crm, in.c-web: web, in.c-hr: private}\n"
        "tables:\n"
        "  - {id: in.c-crm.orders, name: orders, sync_strategy: full_refresh}\n"
        "  - {id: in.c-crm.customers, name: customers, sync_strategy: full_refresh}\n"
        "  - {id: in.c-web.orders, name: orders, sync_strategy: full_refresh}\n"
        "  - {id: in.c-web.events, name: events, sync_strategy: partitioned, partition_by: at, "
        "dataset: web_events}\n"
        "  - {id: in.c-hr.orders, name: orders, sync_strategy: full_refresh}\n"
        "  - {id: in.c-hr.salaries, name: salaries, sync_strategy: full_refresh}\n"
        "```\n"}});
  EXPECT_FALSE(load.diagnostics.has_errors());
  return load.description;
}

std::vector<std::string> ids(const std::vector<VisibleTable>& tables) {
  std::vector<std::string> out;
  for (const VisibleTable& table : tables)
    out.push_back(table.id);
  return out;
}

TEST(Selection, PrivateTablesOnlyForPrivilegedAnalysts) {
  Selection all;
  EXPECT_EQ(ids(visible_tables(shop_catalog(), all, false)),
            (std::vector<std::string>{"in.c-crm.orders", "in.c-crm.customers", "in.c-web.orders"}));
  EXPECT_EQ(ids(visible_tables(shop_catalog(), all, true)),
            (std::vector<std::string>{"in.c-crm.orders", "in.c-crm.customers", "in.c-web.orders",
                                      "in.c-hr.orders", "in.c-hr.salaries"}));
}

TEST(Selection, DatasetsAndExplicitSubscriptions) {
  Selection selection = Selection::from_stored(
      R"({"web_events": true})", "explicit", R"({"orders": true, "events": true, "x": "yes"})");
  // "orders" is subscribed by name: in every folder the analyst may read, never in private/.
  EXPECT_EQ(ids(visible_tables(shop_catalog(), selection, false)),
            (std::vector<std::string>{"in.c-crm.orders", "in.c-web.orders", "in.c-web.events"}));
  Selection by_id =
      Selection::from_stored("{}", "explicit", R"({"in.c-crm.customers": true})");
  EXPECT_EQ(ids(visible_tables(shop_catalog(), by_id, false)),
            std::vector<std::string>{"in.c-crm.customers"});
  Selection broken = Selection::from_stored("not json", "all", "[1]");
  EXPECT_EQ(visible_tables(shop_catalog(), broken, false).size(), 3u);
}

TEST(Selection, VisiblePathsAreTheTablesOwnFiles) {
  Selection selection = Selection::from_stored(R"({"web_events": true})", "all", "{}");
  auto tables = visible_tables(shop_catalog(), selection, false);
  EXPECT_TRUE(is_visible_path(tables, "crm/orders.parquet"));
  EXPECT_TRUE(is_visible_path(tables, "web/events/2024-01.parquet"));
  EXPECT_FALSE(is_visible_path(tables, "web/events/sub/2024-01.parquet"));
  EXPECT_FALSE(is_visible_path(tables, "private/orders.parquet"));
  EXPECT_FALSE(is_visible_path(tables, "crm/orders.parquet.bak"));
  EXPECT_FALSE(is_visible_path(tables, "web/eventsX/2024-01.parquet"));
}

// The filter as rsync itself applies it: exactly the visible tables arrive.
TEST(Selection, RsyncDeliversExactlyTheVisibleTables) {
  da::testing::TempDir dir;
  for (const char* file :
       {"crm/orders.parquet", "crm/customers.parquet", "crm/notes.txt", "web/orders.parquet",
        "web/events/2024-01.parquet", "web/events/2024-02.parquet", "private/orders.parquet",
        "private/salaries.parquet", "other/orders.parquet"})
    dir.write(std::string("src/") + file, "x");
  Selection selection = Selection::from_stored("{}", "explicit", R"({"orders": true})");
  fs::path filter =
      dir.write("filter", rsync_filter(visible_tables(shop_catalog(), selection, false)));
  auto result =
      da::testing::run_process({"rsync", "-a", "--filter=merge " + filter.string(),
                                (dir / "src").string() + "/", (dir / "dst").string() + "/"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<std::string> arrived;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "dst")) {
    if (entry.is_regular_file())
      arrived.push_back(entry.path().lexically_relative(dir / "dst").string());
  }
  std::sort(arrived.begin(), arrived.end());
  EXPECT_EQ(arrived, (std::vector<std::string>{"crm/orders.parquet", "web/orders.parquet"}));
}

}  // namespace
}  // namespace da::distribution
