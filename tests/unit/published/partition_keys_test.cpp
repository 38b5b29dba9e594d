#include "da/published/partition_keys.hpp"

#include "support/expect_error.hpp"
#include <gtest/gtest.h>

#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"

namespace da::published {
namespace {

std::string key_of(const std::string& literal, const std::string& type,
                   catalog::PartitionGranularity granularity) {
  duck::Database database;
  duck::Connection connection(database);
  return connection
      .query("SELECT " + partition_key_sql("v", type, granularity) + " FROM (SELECT CAST(" +
             literal + " AS " + type + ") AS v)")
      .scalar()
      .text();
}

TEST(PartitionKeys, NameFilesByYearMonthOrDayAndNullForRowsWithoutADate) {
  using catalog::PartitionGranularity;
  EXPECT_EQ(key_of("'2024-03-09'", "DATE", PartitionGranularity::kMonth), "2024-03");
  EXPECT_EQ(key_of("'2024-03-09 23:00:00'", "TIMESTAMP", PartitionGranularity::kDay), "2024-03-09");
  EXPECT_EQ(key_of("'2024-03-09'", "VARCHAR", PartitionGranularity::kYear), "2024");
  EXPECT_EQ(key_of("'not a date'", "VARCHAR", PartitionGranularity::kMonth), kNullPartition);
  EXPECT_EQ(key_of("NULL", "DATE", PartitionGranularity::kMonth), kNullPartition);
}

TEST(PartitionKeys, AColumnThatCannotHoldADateIsAConfigError) {
  da::testing::thrown_message(ErrorKind::kConfig, [] {
    partition_key_sql("\"n\"", "INTEGER", catalog::PartitionGranularity::kMonth);
  });
}

}  // namespace
}  // namespace da::published
