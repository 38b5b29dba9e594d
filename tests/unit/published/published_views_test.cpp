#include "da/published/published_views.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/duck/sql_quote.hpp"

namespace da::published {
namespace {

namespace fs = std::filesystem;

class PublishedViewsTest : public ::testing::Test {
 protected:
  PublishedViewsTest() : connection_(database_) {}

  void publish(const std::string& relative, int rows) {
    fs::path file = dir_ / ("parquet/" + relative);
    fs::create_directories(file.parent_path());
    connection_.execute("COPY (SELECT i AS id FROM range(" + std::to_string(rows) + ") t(i)) TO " +
                        duck::quote_path(file) + " (FORMAT parquet)");
  }

  catalog::DataDescription catalog() const {
    catalog::DataDescriptionLoad load = catalog::parse_data_description(
        {{"data_description.md",
          "```yaml\nfolder_mapping: {in.c-crm: crm, in.c-web: web}\ntables:\n"
          "  - {id: in.c-crm.orders, name: orders, sync_strategy: partitioned, partition_by: day}\n"
          "  - {id: in.c-crm.events, name: events, sync_strategy: full_refresh}\n"
          "  - {id: in.c-web.events, name: events, sync_strategy: full_refresh}\n"
          "  - {id: in.c-web.visits, name: visits, sync_strategy: full_refresh}\n```\n"}});
    EXPECT_FALSE(load.diagnostics.has_errors()) << load.diagnostics.errors()[0].format();
    return load.description;
  }

  da::testing::TempDir dir_;
  duck::Database database_;
  duck::Connection connection_;
};

TEST_F(PublishedViewsTest, ReadPartitionsByGlobAndSingleFilesByName) {
  publish("crm/orders/2024-01.parquet", 2);
  publish("crm/orders/2024-02.parquet", 3);
  publish("crm/events.parquet", 4);
  std::vector<PublishedView> views = published_views(dir_.path(), catalog());
  ASSERT_EQ(views.size(), 3u);
  std::string glob = duck::quote_path(dir_ / "parquet/crm/orders/*.parquet");
  EXPECT_EQ(views[0].schema, "crm");
  EXPECT_EQ(views[0].name, "orders");
  EXPECT_EQ(views[0].table_id, "in.c-crm.orders");
  EXPECT_EQ(views[0].source, glob);
  EXPECT_EQ(views[0].relation, "SELECT * FROM read_parquet(" + glob + ", union_by_name = true)");
  EXPECT_EQ(views[0].location, dir_ / "parquet/crm/orders");
  EXPECT_EQ(views[1].schema, "main");
  EXPECT_EQ(views[1].relation, views[0].relation);
  std::string file = duck::quote_path(dir_ / "parquet/crm/events.parquet");
  EXPECT_EQ(views[2].schema, "crm");
  EXPECT_EQ(views[2].name, "events");
  EXPECT_EQ(views[2].relation, "SELECT * FROM read_parquet(" + file + ", union_by_name = true)");
}

TEST_F(PublishedViewsTest, ANameInTwoFoldersGetsNoUnqualifiedAliasAndUnpublishedTablesNoView) {
  publish("crm/events.parquet", 1);
  publish("web/events.parquet", 2);
  std::vector<std::string> names = create_published_views(connection_, dir_.path(), catalog());
  EXPECT_EQ(names, (std::vector<std::string>{"crm.events", "web.events"}));
  EXPECT_EQ(connection_.query("SELECT count(*) FROM web.events").scalar().as_int(), 2);
}

}  // namespace
}  // namespace da::published
