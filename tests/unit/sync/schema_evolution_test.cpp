#include "sync/table_sync/schema_evolution.hpp"

#include <gtest/gtest.h>

#include "da/common/error.hpp"
#include "da/duck/database.hpp"

namespace da::sync::table_sync {
namespace {

using Strings = std::vector<std::string>;

class EvolveSchema : public ::testing::Test {
 protected:
  duck::Database database_;
  duck::Connection connection_{database_};
};

TEST_F(EvolveSchema, AddsNewColumnsAndWidensTypesWithWarnings) {
  TableSchema published{{{"id", "BIGINT"}, {"amount", "INTEGER"}}};
  TableSchema incoming{{{"id", "BIGINT"}, {"amount", "DOUBLE"}, {"note", "VARCHAR"}}};
  SchemaChange change = evolve_schema(connection_, "shop.orders", published, incoming,
                                      "(SELECT 1::BIGINT id, 2.5 amount, 'x' note)");
  EXPECT_EQ(change.merged.names(), (Strings{"id", "amount", "note"}));
  EXPECT_EQ(change.merged.find("amount")->type, "DOUBLE");
  EXPECT_EQ(evolution_warnings(change),
            (Strings{"new column(s): note", "widened column(s): amount: INTEGER -> DOUBLE"}));
}

TEST_F(EvolveSchema, AcceptsAConflictingTypeWhoseValuesAllFitThePublishedOne) {
  TableSchema published{{{"id", "BIGINT"}, {"code", "BIGINT"}}};
  TableSchema incoming{{{"id", "BIGINT"}, {"code", "VARCHAR"}}};
  SchemaChange change = evolve_schema(connection_, "shop.orders", published, incoming,
                                      "(SELECT 1::BIGINT id, '42' code UNION ALL "
                                      "SELECT 2, NULL)");
  EXPECT_EQ(change.merged, published);
  EXPECT_FALSE(change.changed());
}

TEST_F(EvolveSchema, RefusesValuesThatDoNotFitNamingTableColumnAndAValue) {
  TableSchema published{{{"id", "BIGINT"}, {"code", "BIGINT"}}};
  TableSchema incoming{{{"id", "BIGINT"}, {"code", "VARCHAR"}}};
  try {
    evolve_schema(connection_, "shop.orders", published, incoming,
                  "(SELECT 1::BIGINT id, 'abc' code UNION ALL SELECT 2, '7')");
    FAIL() << "expected an incompatible schema change";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_EQ(std::string(e.what()),
              "shop.orders: incompatible schema change: column 'code' is published as BIGINT but "
              "now has VARCHAR values such as 'abc'. The published data is kept; fix the source "
              "or declare the column's type under columns:");
  }
}

TEST(ReplacementWarnings, NameChangedNewAndDroppedColumns) {
  TableSchema published{
      {{"id", "BIGINT"}, {"amount", "INTEGER"}, {"code", "BIGINT"}, {"old", "VARCHAR"}}};
  TableSchema incoming{
      {{"id", "BIGINT"}, {"amount", "DOUBLE"}, {"code", "VARCHAR"}, {"new", "DATE"}}};
  EXPECT_EQ(replacement_warnings(published, incoming),
            (Strings{"column type(s) changed: amount: INTEGER -> DOUBLE, code: BIGINT -> VARCHAR",
                     "new column(s): new", "column(s) no longer in the source: old"}));
  EXPECT_TRUE(replacement_warnings(published, published).empty());
}

TEST(ConformSelect, CastsChangedColumnsAndFillsMissingOnesWithNull) {
  TableSchema target{{{"id", "BIGINT"}, {"amount", "DOUBLE"}, {"note", "VARCHAR"}}};
  TableSchema source{{{"id", "BIGINT"}, {"amount", "INTEGER"}}};
  EXPECT_EQ(conform_select(target, source),
            "\"id\", CAST(\"amount\" AS DOUBLE) AS \"amount\", CAST(NULL AS VARCHAR) AS \"note\"");
  EXPECT_EQ(conform_select(target, target), "*");
}

}  // namespace
}  // namespace da::sync::table_sync
