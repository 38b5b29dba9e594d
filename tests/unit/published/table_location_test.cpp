#include "da/published/table_location.hpp"

#include <gtest/gtest.h>

#include "da/catalog/data_description.hpp"

namespace da::published {
namespace {

namespace fs = std::filesystem;

TEST(TableLocation, ASingleFileTableLivesInItsFolderUnderTheParquetRoot) {
  TableLocation location = table_location("/srv/data", "crm", "orders", false);
  EXPECT_EQ(parquet_root("/srv/data"), fs::path("/srv/data/parquet"));
  EXPECT_EQ(location.folder, fs::path("/srv/data/parquet/crm"));
  EXPECT_EQ(location.single_file, fs::path("/srv/data/parquet/crm/orders.parquet"));
  EXPECT_FALSE(location.partitioned);
  EXPECT_EQ(location.journal(), fs::path("/srv/data/parquet/crm/.da-publish-orders.json"));
}

TEST(TableLocation, APartitionedTableHasAFolderOfKeyedFilesAndAManifest) {
  TableLocation location = table_location("/srv/data", "crm", "orders", true);
  EXPECT_TRUE(location.partitioned);
  EXPECT_EQ(location.partition_dir, fs::path("/srv/data/parquet/crm/orders"));
  EXPECT_EQ(location.partition_file("2024-01"),
            fs::path("/srv/data/parquet/crm/orders/2024-01.parquet"));
  EXPECT_EQ(partition_file_name("__null__"), "__null__.parquet");
  EXPECT_EQ(location.manifest(), fs::path("/srv/data/parquet/crm/orders/_manifest.json"));
}

TEST(TableLocation, RelativePathsAreWhatPullManifestsAndFiltersName) {
  EXPECT_EQ(single_file_path("crm", "orders"), "crm/orders.parquet");
  EXPECT_EQ(partition_dir_path("crm", "orders"), "crm/orders");
}

TEST(TableLocation, ACatalogTableIsFoundThroughItsMappedFolderAndPartitioning) {
  catalog::DataDescriptionLoad load = catalog::parse_data_description({catalog::MarkdownDocument{
      "data_description.md",
      "```yaml\nfolder_mapping: {in.c-crm: crm}\ntables:\n"
      "  - {id: in.c-crm.orders, name: orders, sync_strategy: partitioned, partition_by: day}\n"
      "  - {id: in.c-crm.company, name: company, sync_strategy: full_refresh}\n```\n"}});
  ASSERT_FALSE(load.diagnostics.has_errors()) << load.diagnostics.errors()[0].format();
  const catalog::DataDescription& catalog = load.description;
  TableLocation orders = table_location("/d", catalog, catalog.tables[0]);
  EXPECT_TRUE(orders.partitioned);
  EXPECT_EQ(orders.partition_dir, fs::path("/d/parquet/crm/orders"));
  TableLocation company = table_location("/d", catalog, catalog.tables[1]);
  EXPECT_FALSE(company.partitioned);
  EXPECT_EQ(company.single_file, fs::path("/d/parquet/crm/company.parquet"));
}

}  // namespace
}  // namespace da::published
