#include "da/published/published_files.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

namespace da::published {
namespace {

namespace fs = std::filesystem;
using Paths = std::vector<fs::path>;

class PublishedFilesTest : public ::testing::Test {
 protected:
  TableLocation single() const { return table_location(dir_.path(), "crm", "orders", false); }
  TableLocation partitioned() const { return table_location(dir_.path(), "crm", "orders", true); }
  void file(const std::string& relative) const { dir_.write("parquet/crm/" + relative, "PAR1"); }

  da::testing::TempDir dir_;
};

TEST_F(PublishedFilesTest, ASingleFileTableListsItsOneFile) {
  file("orders.parquet");
  file("other.parquet");
  EXPECT_EQ(published_files(single()), (Paths{single().single_file}));
  EXPECT_TRUE(has_single_file(single()));
  EXPECT_EQ(published_form(single()), PublishedForm::kSingleFile);
}

TEST_F(PublishedFilesTest, APartitionedTableListsItsPartitionsSortedAndNothingElse) {
  file("orders/2024-02.parquet");
  file("orders/__null__.parquet");
  file("orders/2024-01.parquet");
  file("orders/_manifest.json");
  file("orders/.2024-03.parquet.XXXXXX.tmp");
  fs::create_directories(dir_ / "parquet/crm/orders/nested.parquet");
  file("elsewhere.parquet");
  fs::create_symlink(dir_ / "parquet/crm/elsewhere.parquet",
                     dir_ / "parquet/crm/orders/link.parquet");

  Paths expected{partitioned().partition_file("2024-01"), partitioned().partition_file("2024-02"),
                 partitioned().partition_file("__null__")};
  EXPECT_EQ(partition_files(partitioned()), expected);
  EXPECT_EQ(published_files(partitioned()), expected);
  EXPECT_EQ(published_form(partitioned()), PublishedForm::kPartitions);
}

TEST_F(PublishedFilesTest, ATableNeverPublishedListsNothingInEitherForm) {
  EXPECT_TRUE(published_files(single()).empty());
  EXPECT_TRUE(published_files(partitioned()).empty());
  EXPECT_TRUE(partition_files(partitioned()).empty());
  EXPECT_FALSE(has_single_file(single()));
  EXPECT_EQ(published_form(single()), PublishedForm::kNone);
  EXPECT_EQ(published_form(partitioned()), PublishedForm::kNone);

  fs::create_directories(partitioned().partition_dir);  // an emptied partition folder
  EXPECT_TRUE(published_files(partitioned()).empty());
  EXPECT_EQ(published_form(partitioned()), PublishedForm::kNone);
}

TEST_F(PublishedFilesTest, ATableNewlyPartitionedIsReadFromItsSingleFileUntilTheNextSync) {
  file("orders.parquet");
  EXPECT_TRUE(published_files(partitioned()).empty());
  EXPECT_EQ(published_form(partitioned()), PublishedForm::kSingleFile);
}

TEST_F(PublishedFilesTest, LinksAreNotPublishedData) {
  file("real/2024-01.parquet");
  file("real.parquet");
  fs::create_directory_symlink(dir_ / "parquet/crm/real", dir_ / "parquet/crm/orders");
  fs::create_symlink(dir_ / "parquet/crm/real.parquet", single().single_file);
  EXPECT_TRUE(partition_files(partitioned()).empty());
  EXPECT_TRUE(published_files(single()).empty());
  EXPECT_EQ(published_form(single()), PublishedForm::kNone);
}

}  // namespace
}  // namespace da::published
