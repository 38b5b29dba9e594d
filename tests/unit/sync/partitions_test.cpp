#include "sync_test_support.hpp"

#include "da/common/hash.hpp"
#include "da/published/partition_manifest.hpp"

namespace da::sync::testing {
namespace {

using published::PartitionManifest;
using Strings = std::vector<std::string>;

constexpr const char* kOrders =
    "{id: in.c-shop.orders, name: orders, description: x, primary_key: order_id, sync_strategy: "
    "incremental, "
    "incremental_column: updated_at, partition_by: created_at, partition_granularity: month}";

TEST(Partitions, OnlyTouchedPartitionsAreRewrittenAndMovedRowsLeaveTheirOldPartition) {
  SyncHarness h;
  h.define(kOrders);
  h.write_csv(
      "orders.csv",
      "order_id,created_at,updated_at,amount\n1,2024-01-05 10:00:00,2024-01-05 10:00:00,1\n"
      "2,2024-02-07 11:00:00,2024-02-07 11:00:00,2\n3,2024-03-01 00:00:00,2024-03-01 00:00:00,3\n");
  h.sync();
  EXPECT_EQ(h.partition_files(),
            (Strings{"2024-01.parquet", "2024-02.parquet", "2024-03.parquet", "_manifest.json"}));
  auto untouched =
      std::filesystem::last_write_time(h.dir() / "data/parquet/in.c-shop/orders/2024-01.parquet");

  // Order 2 moves from February to March; order 4 is new in April.
  h.write_csv(
      "orders.csv",
      "order_id,created_at,updated_at,amount\n2,2024-03-09 11:00:00,2024-03-10 00:00:00,20\n"
      "4,2024-04-01 00:00:00,2024-04-01 00:00:00,4\n");
  TableSyncResult second = h.sync();
  EXPECT_EQ(second.added, 1);
  EXPECT_EQ(second.updated, 1);
  EXPECT_EQ(second.partitions_written, 2);  // March and April; February emptied and removed
  EXPECT_EQ(h.partition_files(),
            (Strings{"2024-01.parquet", "2024-03.parquet", "2024-04.parquet", "_manifest.json"}));
  EXPECT_EQ(
      std::filesystem::last_write_time(h.dir() / "data/parquet/in.c-shop/orders/2024-01.parquet"),
      untouched);
  EXPECT_EQ(
      h.rows("SELECT order_id, amount, regexp_extract(filename, '[^/]+$') FROM read_parquet(" +
             duck::quote_path(h.dir() / "data/parquet/in.c-shop/orders/*.parquet") +
             ", filename = true) ORDER BY order_id"),
      (Strings{"1|1|2024-01.parquet", "2|20|2024-03.parquet", "3|3|2024-03.parquet",
               "4|4|2024-04.parquet"}));
}

TEST(Partitions, ManifestListsEveryPartitionWithRowsBytesAndHash) {
  SyncHarness h;
  h.define(kOrders);
  h.write_csv("orders.csv",
              "order_id,created_at,updated_at\n1,2024-01-05,2024-01-05\n2,2024-01-06,2024-01-06\n3,"
              "2024-02-01,2024-02-01\n");
  h.sync();
  auto manifest = PartitionManifest::read(h.dir() / "data/parquet/in.c-shop/orders/_manifest.json");
  ASSERT_TRUE(manifest);
  EXPECT_EQ(manifest->table_id, "in.c-shop.orders");
  EXPECT_EQ(manifest->granularity, "month");
  ASSERT_EQ(manifest->partitions.size(), 2u);
  EXPECT_EQ(manifest->partitions[0].key, "2024-01");
  EXPECT_EQ(manifest->partitions[0].rows, 2);
  EXPECT_EQ(manifest->partitions[0].sha256,
            sha256_file_hex(h.dir() / "data/parquet/in.c-shop/orders/2024-01.parquet"));
  EXPECT_EQ(manifest->partitions[0].bytes,
            static_cast<int64_t>(std::filesystem::file_size(
                h.dir() / "data/parquet/in.c-shop/orders/2024-01.parquet")));
  EXPECT_EQ(manifest->rows(), 3);
  EXPECT_EQ(manifest->schema.columns.size(), 3u);
}

TEST(Partitions, RowsWithoutAPartitionValueGoToTheNullPartition) {
  SyncHarness h;
  h.define(
      "{id: a.b.t, name: t, description: x, primary_key: id, sync_strategy: partitioned, "
      "partition_by: day, "
      "partition_granularity: day}");
  h.write_csv("t.csv", "id,day\n1,2024-01-05\n2,\n3,2024-01-06\n");
  TableSyncResult result = h.sync();
  EXPECT_EQ(result.null_partition_rows, 1);
  EXPECT_EQ(result.rows_total, 3);
  EXPECT_EQ(h.partition_files(), (Strings{"2024-01-05.parquet", "2024-01-06.parquet",
                                          "__null__.parquet", "_manifest.json"}));
}

TEST(Partitions, UnparseableTextPartitionValuesGoToTheNullPartition) {
  SyncHarness h;
  h.define(
      "id: a.b.t\nname: t\ndescription: x\nsync_strategy: partitioned\npartition_by: "
      "day\npartition_granularity: year\n"
      "columns:\n  - {name: day, type: VARCHAR}");
  h.write_csv("t.csv", "id,day\n1,2024-01-05\n2,someday\n3,2023-12-31 23:00:00\n");
  TableSyncResult result = h.sync();
  EXPECT_EQ(result.null_partition_rows, 1);
  EXPECT_EQ(h.partition_files(),
            (Strings{"2023.parquet", "2024.parquet", "__null__.parquet", "_manifest.json"}));
}

TEST(Partitions, PartitionedStrategyReplacesExactlyTheExportedPartitions) {
  SyncHarness h;
  h.define(
      "{id: a.b.p, name: p, description: x, sync_strategy: partitioned, partition_by: paid_at, "
      "partition_granularity: month}");
  h.write_csv("p.csv", "id,paid_at\n1,2024-01-05\n2,2024-01-20\n3,2024-02-01\n");
  h.sync();
  h.write_csv("p.csv", "id,paid_at\n4,2024-02-02\n5,2024-03-01\n");
  TableSyncResult second = h.sync();
  EXPECT_EQ(second.partitions_written, 2);
  EXPECT_EQ(h.published("id"),
            (Strings{"1|2024-01-05", "2|2024-01-20", "4|2024-02-02", "5|2024-03-01"}));
}

TEST(Partitions, SchemaChangeRewritesEveryPartitionToOneSchema) {
  SyncHarness h;
  h.define(kOrders);
  h.write_csv("orders.csv",
              "order_id,created_at,updated_at,amount\n1,2024-01-05,2024-01-05,1\n2,2024-02-05,2024-"
              "02-05,2\n");
  h.sync();
  h.write_csv("orders.csv",
              "order_id,created_at,updated_at,amount,channel\n3,2024-03-05,2024-03-05,2.5,web\n");
  h.sync();
  for (const char* file : {"2024-01.parquet", "2024-02.parquet", "2024-03.parquet"}) {
    auto path = duck::quote_path(h.dir() / "data/parquet/in.c-shop/orders" / file);
    EXPECT_EQ(
        h.rows("SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE SELECT * "
               "FROM " +
               path + ")"),
        (Strings{
            "order_id BIGINT, created_at DATE, updated_at DATE, amount DOUBLE, channel VARCHAR"}))
        << file;
  }
}

TEST(InitialLoad, LoadsInChunksBoundedByMaxHistoryAndResumesAfterACrash) {
  SyncHarness h;
  h.define(
      "{id: a.b.ev, name: ev, description: x, primary_key: id, sync_strategy: incremental, "
      "incremental_column: at, "
      "partition_by: at, partition_granularity: day, initial_load_chunk_days: 2, max_history_days: "
      "36500}");
  std::string csv = "id,at\n";
  for (int day = 1; day <= 9; ++day)
    csv += std::to_string(day) + ",2024-01-0" + std::to_string(day) + " 12:00:00\n";
  csv += "10,1900-01-01 00:00:00\n";  // older than max_history_days: not loaded
  h.write_csv("ev.csv", csv);
  h.crash_after_progress_saves(2);  // dies after the second chunk of two days
  EXPECT_THROW(h.sync(), std::runtime_error);
  ASSERT_TRUE(h.state() && h.state()->resume_json);
  EXPECT_EQ(h.partition_files().size(), 4u + 1);  // four days and the manifest

  TableSyncResult resumed = h.sync();
  EXPECT_NE(std::find(resumed.warnings.begin(), resumed.warnings.end(),
                      "resumed an interrupted initial load"),
            resumed.warnings.end());
  EXPECT_EQ(resumed.rows_total, 9);
  EXPECT_EQ(h.partition_files().size(), 9u + 1);
  EXPECT_FALSE(h.state()->resume_json);
  EXPECT_EQ(h.state()->watermark, "2024-01-09 12:00:00");
  EXPECT_FALSE(std::filesystem::exists(h.dir() / "resume"));
  EXPECT_EQ(h.source().extracts, 1);  // the resumed run read the staged batch, not the source
}

}  // namespace
}  // namespace da::sync::testing
