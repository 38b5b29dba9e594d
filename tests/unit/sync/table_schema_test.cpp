#include "da/sync/table_schema.hpp"

#include <gtest/gtest.h>

namespace da::sync {
namespace {

TEST(CommonSupertype, WidensIntegersFloatsDecimalsAndDates) {
  EXPECT_EQ(common_supertype("INTEGER", "BIGINT"), "BIGINT");
  EXPECT_EQ(common_supertype("BIGINT", "INTEGER"), "BIGINT");
  EXPECT_EQ(common_supertype("UINTEGER", "INTEGER"), "BIGINT");
  EXPECT_EQ(common_supertype("UBIGINT", "BIGINT"), "HUGEINT");
  EXPECT_EQ(common_supertype("BIGINT", "DOUBLE"), "DOUBLE");
  EXPECT_EQ(common_supertype("FLOAT", "DOUBLE"), "DOUBLE");
  EXPECT_EQ(common_supertype("DECIMAL(10,2)", "DECIMAL(12,4)"), "DECIMAL(12,4)");
  EXPECT_EQ(common_supertype("DECIMAL(10,2)", "DECIMAL(5,4)"), "DECIMAL(12,4)");
  EXPECT_EQ(common_supertype("DATE", "TIMESTAMP"), "TIMESTAMP");
  EXPECT_EQ(common_supertype("NULL", "DATE"), "DATE");
}

TEST(CommonSupertype, RefusesLossyOrUnrelatedTypes) {
  EXPECT_FALSE(common_supertype("BIGINT", "VARCHAR"));
  EXPECT_FALSE(common_supertype("DATE", "BIGINT"));
  EXPECT_FALSE(common_supertype("BOOLEAN", "INTEGER"));
  EXPECT_FALSE(common_supertype("DECIMAL(38,10)", "DECIMAL(38,20)"));
}

TEST(MergeSchemas, AddsWidensAndReportsConflicts) {
  TableSchema published{
      {{"id", "BIGINT"}, {"amount", "INTEGER"}, {"code", "BIGINT"}, {"old", "VARCHAR"}}};
  TableSchema incoming{
      {{"id", "BIGINT"}, {"amount", "DOUBLE"}, {"code", "VARCHAR"}, {"new", "DATE"}}};
  SchemaChange change = merge_schemas(published, incoming);
  EXPECT_EQ(change.added, (std::vector<std::string>{"new"}));
  EXPECT_EQ(change.widened, (std::vector<std::string>{"amount: INTEGER -> DOUBLE"}));
  ASSERT_EQ(change.conflicts.size(), 1u);
  EXPECT_EQ(change.conflicts[0].column, "code");
  EXPECT_EQ(change.merged.names(),
            (std::vector<std::string>{"id", "amount", "code", "old", "new"}));
  EXPECT_EQ(change.merged.find("code")->type, "BIGINT");
  EXPECT_TRUE(change.changed());
}

}  // namespace
}  // namespace da::sync
