// Malformed CSV (an unterminated quote, rows with more or fewer fields than the header) fails
// the table naming the file, the line and what is wrong, and publishes nothing; well-formed
// files with quoted values spanning lines still load.
#include "da/sync/csv_structure.hpp"

#include "unit/sync/sync_test_support.hpp"
#include <zlib.h>

namespace da::sync {
namespace {

using testing::error_of;
using testing::SyncHarness;
using Strings = std::vector<std::string>;

class MalformedCsv : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.define("{id: in.c-a.t, name: t, primary_key: id, sync_strategy: full_refresh}");
    h_.write_csv("t.csv", "id,name,v\n1,a,10\n2,b,20\n");
    h_.sync();
  }

  // Syncs `content` as t.csv: the error must contain `expected`, and the first good data
  // must still be what is published.
  void expect_failure(const std::string& content, const std::string& expected) {
    h_.write_csv("t.csv", content);
    std::string error = error_of([&] { h_.sync(); });
    EXPECT_NE(error.find(expected), std::string::npos) << error;
    EXPECT_EQ(h_.published("id"), (Strings{"1|a|10", "2|b|20"}));
  }

  std::string file() const { return (h_.dir() / "incoming/t.csv").string(); }

  SyncHarness h_;
};

TEST_F(MalformedCsv, AnUnterminatedQuoteInTheMiddleFailsAtItsLine) {
  expect_failure("id,name,v\n1,a,10\n2,\"b,20\n3,c,30\n4,d,40\n",
                 file() + ":3: a quoted value starts on this line and is never closed");
}

TEST_F(MalformedCsv, AnUnterminatedQuoteOnTheLastLineFailsAtItsLine) {
  expect_failure("id,name,v\n1,a,10\n2,b,20\n3,\"c,30\n",
                 file() + ":4: a quoted value starts on this line and is never closed");
}

TEST_F(MalformedCsv, AnUnterminatedQuoteFarBeyondTheSnifferSampleFailsAtItsLine) {
  std::string content = "id,name,v\n";
  for (int i = 1; i <= 60000; ++i)
    content += std::to_string(i) + (i == 50000 ? ",\"x" : ",x") + "," + std::to_string(i) + "\n";
  expect_failure(content, file() + ":50001: a quoted value starts on this line");
}

TEST_F(MalformedCsv, ARowWithFewerFieldsFailsAtItsLine) {
  expect_failure("id,name,v\n1,a,10\n2,b\n3,c,30\n",
                 file() + ":3: the row has 2 fields where the header has 3");
}

TEST_F(MalformedCsv, ARowWithMoreFieldsFailsAtItsLine) {
  expect_failure("id,name,v\n1,a,10\n2,b,20,extra\n3,c,30\n",
                 file() + ":3: the row has 4 fields where the header has 3");
}

TEST_F(MalformedCsv, ARaggedRowIsReportedAsSuchEvenWhenColumnsAreDeclared) {
  h_.define(
      "{id: in.c-a.t, name: t, primary_key: id, sync_strategy: full_refresh, columns: [{name: "
      "v, type: BIGINT}]}");
  expect_failure("id,name,v\n1,a,10\n2,b\n3,c,30\n",
                 file() + ":3: the row has 2 fields where the header has 3");
}

TEST_F(MalformedCsv, LinesAreCountedInTheFileWhenQuotedValuesSpanLines) {
  expect_failure("id,name,v\n1,\"two\nlines\",10\n2,\"three\nmore\nlines\",20\n3,c\n",
                 file() + ":7: the row has 2 fields where the header has 3");
}

TEST_F(MalformedCsv, ARaggedRowBeyondTheSnifferSampleFailsAtItsLine) {
  std::string content = "id,name,v\n";
  for (int i = 1; i <= 60000; ++i)
    content += std::to_string(i) + ",x" + (i == 55000 ? "" : "," + std::to_string(i)) + "\n";
  expect_failure(content, file() + ":55001: the row has 2 fields where the header has 3");
}

TEST_F(MalformedCsv, OnBadValueNullDoesNotAcceptBrokenRows) {
  h_.define(
      "{id: in.c-a.t, name: t, primary_key: id, sync_strategy: full_refresh, on_bad_value: "
      "null, columns: [{name: v, type: BIGINT}]}");
  expect_failure("id,name,v\n1,a,10\n2,b,20,extra\n", file() + ":3: the row has 4 fields");
}

TEST(WellFormedCsv, QuotedValuesWithLineBreaksQuotesAndDelimitersStillLoad) {
  SyncHarness h;
  h.define("{id: in.c-a.t, name: t, primary_key: id, sync_strategy: full_refresh}");
  h.write_csv("t.csv",
              "id,note,size\r\n1,\"line one\r\nline two\",5\" screen\r\n2,\"say \"\"hi\"\", ok\","
              "10\r\n3,plain,7\r\n");
  h.sync();
  EXPECT_EQ(h.published("id"),
            (Strings{"1|line one\r\nline two|5\" screen", "2|say \"hi\", ok|10", "3|plain|7"}));
}

TEST(WellFormedCsv, AOneColumnFileWhoseQuotedHeaderHoldsADelimiterLoads) {
  SyncHarness h;
  h.define("{id: in.c-a.t, name: t, sync_strategy: full_refresh}");
  h.write_csv("t.csv", "\"Amount, EUR\"\n10\n20\n");
  h.sync();
  EXPECT_EQ(h.published("\"Amount, EUR\""), (Strings{"10", "20"}));
}

TEST(WellFormedCsv, QuoteSetToNothingReadsQuotesAsData) {
  SyncHarness h;
  h.define("{id: in.c-a.t, name: t, primary_key: id, sync_strategy: full_refresh}");
  h.write_csv("t.csv", "id,name\n1,\"a\n2,b\n");
  EXPECT_NE(error_of([&] { h.sync(); }).find("t.csv:2: a quoted value"), std::string::npos);
  CsvDialect none;
  none.quote = "";
  duck::Database database;
  duck::Connection connection(database);
  EXPECT_FALSE(find_csv_structure_problem(connection, {{h.dir() / "incoming/t.csv", 0, 0}}, none));
}

TEST(CsvStructure, LinesAreFoundByBytePositionAlsoInGzippedFiles) {
  da::testing::TempDir dir;
  std::string text = "a\nb\n\"c\nd\"\ne\n";
  auto plain = dir.write("t.csv", text);
  EXPECT_EQ(line_at_byte(plain, 1), 1);
  EXPECT_EQ(line_at_byte(plain, 3), 2);
  EXPECT_EQ(line_at_byte(plain, 12), 5);
  auto gzipped = dir / "t.csv.gz";
  gzFile out = gzopen(gzipped.c_str(), "wb");
  gzwrite(out, text.data(), static_cast<unsigned>(text.size()));
  gzclose(out);
  EXPECT_EQ(line_at_byte(gzipped, 12), 5);
}

TEST(CsvStructure, WellFormedFilesHaveNoProblem) {
  da::testing::TempDir dir;
  auto file = dir.write("t.csv", "id;name\n1;\"a;b\"\n2;\"multi\nline\"\n");
  duck::Database database;
  duck::Connection connection(database);
  EXPECT_FALSE(find_csv_structure_problem(connection, {{file, 0, 0}}, CsvDialect{}));
  auto ragged = dir.write("r.csv", "a;b\n1;2\n3\n");
  EXPECT_EQ(find_csv_structure_problem(connection, {{file, 0, 0}, {ragged, 0, 0}}, CsvDialect{}),
            ragged.string() + ":3: the row has 1 field where the header has 2");
}

}  // namespace
}  // namespace da::sync
