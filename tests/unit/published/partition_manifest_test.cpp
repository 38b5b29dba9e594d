#include "da/published/partition_manifest.hpp"

#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

namespace da::published {
namespace {

PartitionManifest orders() {
  PartitionManifest manifest;
  manifest.table_id = "in.c-shop.orders";
  manifest.table_name = "orders";
  manifest.partition_by = "created_at";
  manifest.granularity = "month";
  manifest.updated_at = "2026-11-28T18:13:08.815591Z";
  manifest.schema.columns = {{"order_id", "BIGINT"}, {"created_at", "TIMESTAMP"}};
  manifest.partitions = {{"2024-01", "2024-01.parquet", 280000, 8400123, "9f2c"},
                         {"2024-02", "2024-02.parquet", 20, 1000, "ab01"}};
  return manifest;
}

// The layout of docs/formats.md, byte for byte: analysts' tools read this file.
TEST(PartitionManifest, IsWrittenInTheDocumentedFormat) {
  EXPECT_EQ(orders().to_json(), R"({
  "version": 1,
  "table_id": "in.c-shop.orders",
  "table_name": "orders",
  "partition_by": "created_at",
  "granularity": "month",
  "updated_at": "2026-11-28T18:13:08.815591Z",
  "rows": 280020,
  "bytes": 8401123,
  "columns": [
    {
      "name": "order_id",
      "type": "BIGINT"
    },
    {
      "name": "created_at",
      "type": "TIMESTAMP"
    }
  ],
  "partitions": [
    {
      "key": "2024-01",
      "file": "2024-01.parquet",
      "rows": 280000,
      "bytes": 8400123,
      "sha256": "9f2c"
    },
    {
      "key": "2024-02",
      "file": "2024-02.parquet",
      "rows": 20,
      "bytes": 1000,
      "sha256": "ab01"
    }
  ]
}
)");
}

TEST(PartitionManifest, ReadsBackWhatItWrites) {
  da::testing::TempDir dir;
  auto manifest = PartitionManifest::read(dir.write("_manifest.json", orders().to_json()));
  ASSERT_TRUE(manifest);
  EXPECT_EQ(manifest->to_json(), orders().to_json());
  EXPECT_EQ(manifest->schema, orders().schema);
  ASSERT_NE(manifest->find("2024-02"), nullptr);
  EXPECT_EQ(manifest->find("2024-02")->rows, 20);
  EXPECT_EQ(manifest->find("2024-03"), nullptr);
}

TEST(PartitionManifest, AMissingManifestIsNoneAndAGarbledOneNamesItsFile) {
  da::testing::TempDir dir;
  EXPECT_FALSE(PartitionManifest::read(dir / "_manifest.json"));
  std::string message = da::testing::thrown_message(ErrorKind::kData, [&] {
    PartitionManifest::read(dir.write("_manifest.json", "{\"table_id\": 1"));
  });
  EXPECT_NE(message.find((dir / "_manifest.json").string()), std::string::npos) << message;
}

}  // namespace
}  // namespace da::published
