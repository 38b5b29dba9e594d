#include "sync_test_support.hpp"

namespace da::sync::testing {
namespace {

using Strings = std::vector<std::string>;

constexpr const char* kOrders =
    "{id: in.c-shop.orders, name: orders, description: x, primary_key: order_id, sync_strategy: "
    "incremental, "
    "incremental_column: updated_at, incremental_window_days: 1}";

TEST(Incremental, MergesOnThePrimaryKeyWithExactCounts) {
  SyncHarness h;
  h.define(kOrders);
  h.write_csv("orders.csv",
              "order_id,updated_at,status\n1,2024-01-01 10:00:00,new\n2,2024-01-02 10:00:00,new\n");
  TableSyncResult first = h.sync();
  EXPECT_EQ(first.added, 2);
  EXPECT_EQ(h.state()->watermark, "2024-01-02 10:00:00");

  h.write_csv("orders.csv",
              "order_id,updated_at,status\n1,2024-01-01 09:00:00,new\n2,2024-01-05 10:00:00,paid\n"
              "3,2024-01-05 11:00:00,new\n");
  TableSyncResult second = h.sync();
  // Row 1 is older than the watermark minus the 1-day window: not read at all.
  EXPECT_EQ(second.rows_read, 2);
  EXPECT_EQ(second.added, 1);
  EXPECT_EQ(second.updated, 1);
  EXPECT_EQ(second.unchanged, 0);
  EXPECT_EQ(h.published("order_id"),
            (Strings{"1|2024-01-01 10:00:00|new", "2|2024-01-05 10:00:00|paid",
                     "3|2024-01-05 11:00:00|new"}));
  // Rows at or after the watermark minus the window are read again: the overlap is by design.
  EXPECT_EQ(h.state()->watermark, "2024-01-05 11:00:00");
}

TEST(Incremental, RowsInsideTheWindowAreReadAgainAndCountedUnchanged) {
  SyncHarness h;
  h.define(kOrders);
  h.write_csv("orders.csv",
              "order_id,updated_at,status\n1,2024-01-05 10:00:00,new\n2,2024-01-05 12:00:00,new\n");
  h.sync();
  h.write_csv("orders.csv",
              "order_id,updated_at,status\n1,2024-01-05 10:00:00,new\n2,2024-01-05 12:00:00,new\n"
              "3,2024-01-06 00:00:00,new\n");
  TableSyncResult second = h.sync();
  EXPECT_EQ(second.rows_read, 3);
  EXPECT_EQ(second.added, 1);
  EXPECT_EQ(second.unchanged, 2);
}

TEST(Incremental, DuplicateKeysInOneBatchKeepTheLastInSourceOrder) {
  SyncHarness h;
  h.define(kOrders);
  h.write_csv("orders.csv",
              "order_id,updated_at,status\n1,2024-01-01 10:00:00,a\n1,2024-01-01 "
              "09:00:00,b\n2,2024-01-01 10:00:00,c\n"
              "1,2024-01-01 08:00:00,last\n");
  TableSyncResult result = h.sync();
  EXPECT_EQ(result.duplicates, 2);
  EXPECT_EQ(h.published("order_id"),
            (Strings{"1|2024-01-01 08:00:00|last", "2|2024-01-01 10:00:00|c"}));
}

TEST(Incremental, CompositeKeysMergeOnEveryColumn) {
  SyncHarness h;
  h.define(
      "{id: a.b.items, name: items, description: x, primary_key: 'order_id, line', sync_strategy: "
      "incremental, "
      "incremental_column: at}");
  h.write_csv("items.csv",
              "order_id,line,at,qty\n1,1,2024-01-01,5\n1,2,2024-01-01,6\n2,1,2024-01-01,7\n");
  h.sync();
  h.write_csv("items.csv", "order_id,line,at,qty\n1,2,2024-01-03,60\n2,2,2024-01-03,8\n");
  TableSyncResult second = h.sync();
  EXPECT_EQ(second.added, 1);
  EXPECT_EQ(second.updated, 1);
  EXPECT_EQ(h.published("order_id, line"), (Strings{"1|1|2024-01-01|5", "1|2|2024-01-03|60",
                                                    "2|1|2024-01-01|7", "2|2|2024-01-03|8"}));
}

TEST(Incremental, AZeroRowRunSucceedsAndKeepsTheWatermark) {
  SyncHarness h;
  h.define(kOrders);
  h.write_csv("orders.csv", "order_id,updated_at,status\n1,2024-01-05 10:00:00,new\n");
  h.sync();
  std::string watermark = *h.state()->watermark;
  h.write_csv("orders.csv", "order_id,updated_at,status\n1,2023-01-05 10:00:00,stale\n");
  TableSyncResult second = h.sync();
  EXPECT_EQ(second.rows_read, 0);
  EXPECT_EQ(second.rows_total, 1);
  EXPECT_EQ(h.state()->watermark, watermark);
  EXPECT_EQ(h.state()->status, "succeeded");
}

TEST(Incremental, UnchangedSourceFilesAreNotReadAgain) {
  SyncHarness h;
  h.define(
      "{id: a.b.events, name: events, description: x, primary_key: id, sync_strategy: "
      "incremental}");
  h.write_csv("events-1.csv", "id,kind\n1,a\n2,b\n");
  EXPECT_EQ(h.sync().rows_read, 2);
  EXPECT_EQ(h.sync().rows_read, 0);
  h.write_csv("events-2.csv", "id,kind\n2,B\n3,c\n");
  TableSyncResult third = h.sync();
  EXPECT_EQ(third.rows_read, 2);
  EXPECT_EQ(third.updated, 1);
  EXPECT_EQ(third.added, 1);
  EXPECT_EQ(h.published("id"), (Strings{"1|a", "2|B", "3|c"}));
}

TEST(Incremental, AFailedRunKeepsTheStateAndTheData) {
  SyncHarness h;
  h.define(kOrders);
  h.write_csv("orders.csv", "order_id,updated_at,status\n1,2024-01-05 10:00:00,new\n");
  h.sync();
  auto before = *h.state();
  h.source().fail_next = true;
  EXPECT_NE(error_of([&] { h.sync(); }).find("source unavailable"), std::string::npos);
  EXPECT_EQ(h.state()->watermark, before.watermark);
  EXPECT_EQ(h.published("order_id"), (Strings{"1|2024-01-05 10:00:00|new"}));
}

TEST(Incremental, NullPrimaryKeysAreRejected) {
  SyncHarness h;
  h.define(kOrders);
  h.write_csv("orders.csv",
              "order_id,updated_at,status\n,2024-01-05 10:00:00,new\n1,2024-01-05 10:00:00,x\n");
  EXPECT_NE(
      error_of([&] { h.sync(); }).find("1 row(s) have no value in the primary key (order_id)"),
      std::string::npos);
}

TEST(Incremental, TextIncrementalColumnMustBeDeclared) {
  SyncHarness h;
  h.define(
      "{id: a.b.t, name: t, description: x, primary_key: id, sync_strategy: incremental, "
      "incremental_column: v}");
  h.write_csv("t.csv", "id,v\n1,abc\n");
  h.sync();
  h.write_csv("t.csv", "id,v\n1,abd\n");
  EXPECT_NE(error_of([&] { h.sync(); }).find("incremental_column 'v' is read as VARCHAR"),
            std::string::npos);
}

TEST(SchemaEvolution, NewColumnsAreAddedWithNullForOldRows) {
  SyncHarness h;
  h.define(kOrders);
  h.write_csv("orders.csv", "order_id,updated_at,status\n1,2024-01-05 10:00:00,new\n");
  h.sync();
  h.write_csv("orders.csv", "order_id,updated_at,status,channel\n2,2024-01-06 10:00:00,new,web\n");
  TableSyncResult second = h.sync();
  EXPECT_EQ(h.published("order_id"),
            (Strings{"1|2024-01-05 10:00:00|new|NULL", "2|2024-01-06 10:00:00|new|web"}));
  EXPECT_NE(std::find(second.warnings.begin(), second.warnings.end(), "new column(s): channel"),
            second.warnings.end());
}

TEST(SchemaEvolution, TypesWidenSafely) {
  SyncHarness h;
  h.define(kOrders);
  h.write_csv("orders.csv",
              "order_id,updated_at,amount,day\n1,2024-01-05 10:00:00,10,2024-01-01\n");
  h.sync();
  EXPECT_EQ(h.column_type("amount"), "BIGINT");
  EXPECT_EQ(h.column_type("day"), "DATE");
  h.write_csv("orders.csv",
              "order_id,updated_at,amount,day\n2,2024-01-06 10:00:00,2.5,2024-01-02 10:30:00\n");
  h.sync();
  EXPECT_EQ(h.column_type("amount"), "DOUBLE");
  EXPECT_EQ(h.column_type("day"), "TIMESTAMP");
  EXPECT_EQ(h.rows("SELECT amount, day FROM " + h.table_sql() + " ORDER BY order_id"),
            (Strings{"10|2024-01-01 00:00:00", "2.5|2024-01-02 10:30:00"}));
}

TEST(SchemaEvolution, AnIncompatibleChangeFailsNamingColumnAndTypesAndKeepsTheData) {
  SyncHarness h;
  h.define(kOrders);
  h.write_csv("orders.csv", "order_id,updated_at,amount\n1,2024-01-05 10:00:00,10\n");
  h.sync();
  h.write_csv("orders.csv", "order_id,updated_at,amount\n2,2024-01-06 10:00:00,ten\n");
  std::string error = error_of([&] { h.sync(); });
  EXPECT_NE(
      error.find(
          "incompatible schema change: column 'amount' is published as BIGINT but now has VARCHAR "
          "values such as 'ten'"),
      std::string::npos)
      << error;
  EXPECT_EQ(h.published("order_id"), (Strings{"1|2024-01-05 10:00:00|10"}));
}

TEST(SchemaEvolution, AnEmptyColumnInABatchKeepsItsPublishedType) {
  SyncHarness h;
  h.define(kOrders);
  h.write_csv("orders.csv", "order_id,updated_at,amount\n1,2024-01-05 10:00:00,10\n");
  h.sync();
  h.write_csv("orders.csv", "order_id,updated_at,amount\n2,2024-01-06 10:00:00,\n");
  h.sync();
  EXPECT_EQ(h.column_type("amount"), "BIGINT");
  EXPECT_EQ(h.rows("SELECT amount FROM " + h.table_sql() + " ORDER BY order_id"),
            (Strings{"10", "NULL"}));
}

TEST(SchemaEvolution, PublishedTypesAreKeptWhenABatchLooksNarrower) {
  SyncHarness h;
  h.define(kOrders);
  h.write_csv("orders.csv", "order_id,updated_at,amount,note\n1,2024-01-05 10:00:00,1.5,hello\n");
  h.sync();
  h.write_csv("orders.csv", "order_id,updated_at,amount,note\n2,2024-01-06 10:00:00,2,\n");
  h.sync();
  EXPECT_EQ(h.column_type("amount"), "DOUBLE");
  EXPECT_EQ(h.column_type("note"), "VARCHAR");
}

}  // namespace
}  // namespace da::sync::testing
