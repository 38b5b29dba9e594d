#include "sync_test_support.hpp"

namespace da::sync::testing {
namespace {

using Strings = std::vector<std::string>;

TEST(FullRefresh, PublishedTableEqualsTheSource) {
  SyncHarness h;
  h.define(
      "{id: in.c-crm.customers, name: customers, description: x, primary_key: id, sync_strategy: "
      "full_refresh}");
  h.write_csv("customers.csv", "id,name,country\n1,Ann,NA\n2,Bob,US\n3,\"Multi\nLine\",\n");
  TableSyncResult first = h.sync();
  EXPECT_EQ(first.rows_read, 3);
  EXPECT_EQ(first.rows_total, 3);
  EXPECT_EQ(h.published("id"), (Strings{"1|Ann|NA", "2|Bob|US", "3|Multi\nLine|NULL"}));

  h.write_csv("customers.csv", "id,name,country\n2,Bob,DE\n4,Dan,None\n");
  TableSyncResult second = h.sync();
  EXPECT_EQ(second.rows_total, 2);
  EXPECT_EQ(h.published("id"), (Strings{"2|Bob|DE", "4|Dan|None"}));
  EXPECT_EQ(h.state()->rows, 2);
  EXPECT_EQ(h.state()->status, "succeeded");
}

TEST(FullRefresh, OnlyEmptyFieldsAreNullAndNullLikeTextStaysText) {
  SyncHarness h;
  h.define("{id: a.b.t, name: t, description: x, sync_strategy: full_refresh}");
  h.write_csv("t.csv", "code,amount\nNA,1\nNULL,\nNone,3\n,4\n");
  h.sync();
  EXPECT_EQ(h.published("amount NULLS FIRST"), (Strings{"NULL|NULL", "NA|1", "None|3", "NULL|4"}));
  EXPECT_EQ(h.column_type("amount"), "BIGINT");
}

TEST(FullRefresh, NullStringsOfTheTableBecomeNull) {
  SyncHarness h;
  h.define(
      "{id: a.b.t, name: t, description: x, sync_strategy: full_refresh, null_strings: ['', 'NA', "
      "'n/a']}");
  h.write_csv("t.csv", "code,amount\nNA,1\nn/a,n/a\nUS,3\n");
  h.sync();
  EXPECT_EQ(h.published("amount"), (Strings{"NULL|1", "US|3", "NULL|NULL"}));
  EXPECT_EQ(h.column_type("amount"), "BIGINT");
}

TEST(FullRefresh, DeclaredTypesAreHonouredExactly) {
  SyncHarness h;
  h.define(
      "id: a.b.t\nname: t\ndescription: x\nsync_strategy: full_refresh\ncolumns:\n"
      "  - {name: price, type: 'DECIMAL(18,4)'}\n  - {name: code, type: VARCHAR}\n  - {name: day, "
      "type: DATE}");
  h.write_csv("t.csv", "code,price,day,other\n007,12345678901234.5678,2024-02-29,1.5\n");
  h.sync();
  EXPECT_EQ(h.column_type("price"), "DECIMAL(18,4)");
  EXPECT_EQ(h.column_type("code"), "VARCHAR");
  EXPECT_EQ(h.column_type("day"), "DATE");
  EXPECT_EQ(h.column_type("other"), "DOUBLE");
  EXPECT_EQ(h.published("code"), (Strings{"007|12345678901234.5678|2024-02-29|1.5"}));
}

TEST(FullRefresh, AValueThatDoesNotFitItsDeclaredTypeFailsWithFileLineColumnAndValue) {
  SyncHarness h;
  h.define(
      "id: a.b.t\nname: t\ndescription: x\nsync_strategy: full_refresh\ncolumns:\n  - {name: qty, "
      "type: INTEGER}");
  h.write_csv("t.csv", "id,qty\n1,5\n");
  h.sync();
  h.write_csv("t.csv", "id,qty\n1,5\n2,\"multi\nline\"\n3,twelve\n");
  std::string error = error_of([&] { h.sync(); });
  EXPECT_NE(error.find("a.b.t: "), std::string::npos) << error;
  EXPECT_NE(error.find("t.csv:3: column 'qty': 'multi\nline' is not a valid INTEGER"),
            std::string::npos)
      << error;
  EXPECT_EQ(h.published("id"), (Strings{"1|5"}));  // the last good data stays
}

TEST(FullRefresh, OnBadValueNullStoresNullAndCountsThem) {
  SyncHarness h;
  h.define(
      "id: a.b.t\nname: t\ndescription: x\nsync_strategy: full_refresh\non_bad_value: "
      "'null'\ncolumns:\n"
      "  - {name: qty, type: INTEGER}\n  - {name: day, type: DATE}");
  h.write_csv("t.csv", "id,qty,day\n1,5,2024-01-01\n2,x,2024-13-01\n3,,soon\n");
  TableSyncResult result = h.sync();
  EXPECT_EQ(result.bad_values, 3);
  ASSERT_FALSE(result.warnings.empty());
  EXPECT_NE(result.warnings[0].find("qty: 1 (e.g. 'x')"), std::string::npos) << result.warnings[0];
  EXPECT_EQ(h.published("id"), (Strings{"1|5|2024-01-01", "2|NULL|NULL", "3|NULL|NULL"}));
}

TEST(FullRefresh, ASniffedTypeContradictedLaterInTheFileFallsBackToAWiderType) {
  SyncHarness h;
  h.define("{id: a.b.t, name: t, description: x, sync_strategy: full_refresh}");
  std::string csv = "id,v\n";
  for (int i = 0; i < 30000; ++i)
    csv += std::to_string(i) + "," + std::to_string(i) + "\n";
  csv += "30000,1.5\n30001,abc\n";
  h.write_csv("t.csv", csv);
  TableSyncResult result = h.sync();
  EXPECT_EQ(result.rows_total, 30002);
  EXPECT_EQ(h.column_type("v"), "VARCHAR");
  EXPECT_EQ(h.rows("SELECT v FROM " + h.table_sql() + " WHERE id >= 30000 ORDER BY id"),
            (Strings{"1.5", "abc"}));
  EXPECT_FALSE(result.warnings.empty());
}

TEST(FullRefresh, ZeroRowsDoNotReplaceAPublishedTableUnlessAllowed) {
  SyncHarness h;
  h.define("{id: a.b.t, name: t, description: x, sync_strategy: full_refresh}");
  h.write_csv("t.csv", "id,name\n1,a\n");
  h.sync();
  h.write_csv("t.csv", "id,name\n");
  std::string error = error_of([&] { h.sync(); });
  EXPECT_NE(error.find("0 rows but the published table has 1"), std::string::npos) << error;
  EXPECT_EQ(h.published("id"), (Strings{"1|a"}));
  h.define("{id: a.b.t, name: t, description: x, sync_strategy: full_refresh, allow_empty: true}");
  EXPECT_EQ(h.sync().rows_total, 0);
}

TEST(FullRefresh, HeaderOnlyFileMakesAnEmptyTable) {
  SyncHarness h;
  h.define("{id: a.b.t, name: t, description: x, sync_strategy: full_refresh}");
  h.write_csv("t.csv", "id,name\n");
  EXPECT_EQ(h.sync().rows_total, 0);
  EXPECT_EQ(h.rows("SELECT count(*) FROM " + h.table_sql()), (Strings{"0"}));
}

TEST(FullRefresh, BadInputsFailClearlyAndKeepTheLastGoodData) {
  SyncHarness h;
  h.define("{id: a.b.t, name: t, description: x, sync_strategy: full_refresh}");
  h.write_csv("t.csv", "id,name\n1,a\n");
  h.sync();
  struct Case {
    std::string content;
    std::string expected;
  };
  std::vector<Case> cases = {
      {"", "is empty (not even a header line)"},
      {"id,name\n1,a\n2,b,c\n3\n", "t.csv:3: the row has 3 fields where the header has 2"},
      {"id,name\n1,a\n2,b,c\n", "t.csv:3: the row has 3 fields where the header has 2"},
      {"id,name\n1,ok\n2,bad\xff\xfe\n", "t.csv:3: Invalid unicode"},
  };
  for (const Case& c : cases) {
    h.write_csv("t.csv", c.content);
    std::string error = error_of([&] { h.sync(); });
    EXPECT_NE(error.find(c.expected), std::string::npos) << error;
    EXPECT_EQ(h.published("id"), (Strings{"1|a"}));
  }
  h.remove_csv("t.csv");
  EXPECT_NE(error_of([&] { h.sync(); }).find("no file"), std::string::npos);
  EXPECT_EQ(h.published("id"), (Strings{"1|a"}));
}

TEST(FullRefresh, ByteOrderMarkAndCrlfAreHandled) {
  SyncHarness h;
  h.define("{id: a.b.t, name: t, description: x, sync_strategy: full_refresh}");
  h.write_csv("t.csv", "\xef\xbb\xbfid,name\r\n1,a\r\n2,\"b\r\nc\"\r\n");
  h.sync();
  EXPECT_EQ(h.rows("SELECT id FROM " + h.table_sql() + " ORDER BY id"), (Strings{"1", "2"}));
}

TEST(FullRefresh, DeclaredColumnMissingFromTheSourceIsAnError) {
  SyncHarness h;
  h.define(
      "id: a.b.t\nname: t\ndescription: x\nsync_strategy: full_refresh\ncolumns:\n  - {name: "
      "missing, type: INTEGER}");
  h.write_csv("t.csv", "id,name\n1,a\n");
  EXPECT_NE(error_of([&] { h.sync(); })
                .find("column 'missing' (declared as INTEGER) is not in the source; its columns "
                      "are: id, name"),
            std::string::npos);
}

TEST(FullRefresh, WhereFiltersSelectRows) {
  SyncHarness h;
  h.define(
      "id: a.b.t\nname: t\ndescription: x\nsync_strategy: full_refresh\nwhere_filters:\n"
      "  - {column: status, operator: ne, values: [test, draft]}\n  - {column: day, operator: ge, "
      "values: ['2024-01-02']}");
  h.write_csv("t.csv",
              "id,status,day\n1,ok,2024-01-01\n2,ok,2024-01-02\n3,test,2024-01-03\n4,draft,2024-01-"
              "04\n5,ok,2024-01-05\n");
  h.sync();
  EXPECT_EQ(h.rows("SELECT id FROM " + h.table_sql() + " ORDER BY id"), (Strings{"2", "5"}));
}

}  // namespace
}  // namespace da::sync::testing
