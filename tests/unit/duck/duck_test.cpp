#include <atomic>
#include <chrono>
#include <thread>

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/error.hpp"
#include "da/duck/appender.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/duck_error.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::duck {
namespace {

class DuckTest : public ::testing::Test {
 protected:
  Database database_{DatabaseOptions{"", "512MB", 2, "", false}};
  Connection connection_{database_};
};

TEST_F(DuckTest, ReadsEveryScalarTypeAsItsKindOrExactText) {
  Result result = connection_.query(
      "SELECT 42::TINYINT, -7::BIGINT, 18446744073709551615::UBIGINT, 1.5::DOUBLE, 2.25::FLOAT, "
      "true, 'Zürich ✓', 123456789012345678.91::DECIMAL(20,2), -0.05::DECIMAL(4,2), "
      "170141183460469231731687303715884105727::HUGEINT, DATE '2024-02-29', "
      "TIMESTAMP '2024-01-02 03:04:05.123456', TIMESTAMPTZ '2024-01-02 03:04:05+00', "
      "TIME '10:11:12', '00000000-0000-0000-0000-000000000001'::UUID, 'b'::ENUM('a', 'b'), "
      "'\\x00\\x01'::BLOB");
  auto rows = result.fetch_all();
  ASSERT_EQ(rows.size(), 1u);
  const auto& r = rows[0];
  EXPECT_EQ(r[0], Value(int64_t{42}));
  EXPECT_EQ(r[1].as_int(), -7);
  EXPECT_EQ(r[2], Value(uint64_t{18446744073709551615u}));
  EXPECT_EQ(r[3].as_double(), 1.5);
  EXPECT_EQ(r[4].as_double(), 2.25);
  EXPECT_TRUE(r[5].as_bool());
  EXPECT_EQ(r[6].text(), "Zürich ✓");
  EXPECT_EQ(r[7].text(), "123456789012345678.91");
  EXPECT_EQ(r[8].text(), "-0.05");
  EXPECT_EQ(r[9].text(), "170141183460469231731687303715884105727");
  EXPECT_EQ(r[10].text(), "2024-02-29");
  EXPECT_EQ(r[11].text(), "2024-01-02 03:04:05.123456");
  EXPECT_EQ(r[12].text(), "2024-01-02 03:04:05+00");
  EXPECT_EQ(r[13].text(), "10:11:12");
  EXPECT_EQ(r[14].text(), "00000000-0000-0000-0000-000000000001");
  EXPECT_EQ(r[15].text(), "b");
  EXPECT_EQ(r[16].text(), std::string("\0\1", 2));
  EXPECT_EQ(result.column_type(7), "DECIMAL(20,2)");
  EXPECT_EQ(result.column_type(12), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(result.column_type(6), "VARCHAR");
}

TEST_F(DuckTest, NullsAreNullInEveryType) {
  auto rows =
      connection_.query("SELECT NULL::INT, NULL::VARCHAR, NULL::DECIMAL(10,2), NULL::DATE, 1")
          .fetch_all();
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(rows[0][i].is_null()) << i;
  EXPECT_FALSE(rows[0][4].is_null());
  EXPECT_EQ(rows[0][0].to_string(), "NULL");
}

TEST_F(DuckTest, NestedTypesNeedAnExplicitCast) {
  Result result = connection_.query("SELECT [1, 2] AS numbers");
  auto chunk = result.next_chunk();
  ASSERT_TRUE(chunk);
  try {
    chunk->value(0, 0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cast it to VARCHAR"), std::string::npos);
  }
  EXPECT_EQ(connection_.query("SELECT [1, 2]::VARCHAR").scalar().text(), "[1, 2]");
}

TEST_F(DuckTest, ReadsLargeResultsInChunks) {
  Result result = connection_.query("SELECT i FROM range(10000) t(i) ORDER BY i");
  size_t chunks = 0;
  int64_t sum = 0;
  size_t rows = 0;
  while (auto chunk = result.next_chunk()) {
    ++chunks;
    for (size_t row = 0; row < chunk->size(); ++row)
      sum += chunk->value(0, row).as_int();
    rows += chunk->size();
  }
  EXPECT_EQ(rows, 10000u);
  EXPECT_EQ(sum, 49995000);
  EXPECT_GE(chunks, 5u);
}

TEST_F(DuckTest, StreamingResultsProduceTheSameRows) {
  PreparedStatement statement = connection_.prepare("SELECT i * 2 FROM range(?) t(i)");
  statement.bind_all(int64_t{5000});
  Result result = statement.execute_streaming();
  int64_t sum = 0;
  while (auto chunk = result.next_chunk()) {
    for (size_t row = 0; row < chunk->size(); ++row)
      sum += chunk->value(0, row).as_int();
  }
  EXPECT_EQ(sum, 2 * 12497500);
}

TEST_F(DuckTest, ErrorsCarryDuckDBsMessageAndKind) {
  try {
    connection_.query("SELEC 1");
    FAIL();
  } catch (const DuckError& e) {
    EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
  }
  try {
    connection_.query("SELECT 'abc'::INTEGER");
    FAIL();
  } catch (const DuckError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_NE(std::string(e.what()).find("abc"), std::string::npos);
  }
  try {
    connection_.query("SELECT * FROM missing_table");
    FAIL();
  } catch (const DuckError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
  }
}

TEST_F(DuckTest, PreparedStatementsBindEveryKindSafely) {
  PreparedStatement statement = connection_.prepare(
      "SELECT ?::BIGINT, ?::DOUBLE, ?::BOOLEAN, ?::VARCHAR, ?::VARCHAR IS NULL, length(?)");
  EXPECT_EQ(statement.parameter_count(), 6u);
  std::string hostile = "'); DROP TABLE x; --";
  statement.bind_all(int64_t{-3}, 2.5, true, hostile, Value(), std::string("ab\0c", 4));
  auto rows = statement.execute().fetch_all();
  EXPECT_EQ(rows[0][0].as_int(), -3);
  EXPECT_EQ(rows[0][1].as_double(), 2.5);
  EXPECT_TRUE(rows[0][2].as_bool());
  EXPECT_EQ(rows[0][3].text(), hostile);
  EXPECT_TRUE(rows[0][4].as_bool());
  EXPECT_EQ(rows[0][5].as_int(), 4);
  EXPECT_THROW(statement.bind(7, Value(1)), DuckError);
  EXPECT_THROW(connection_.prepare("SELECT FROM WHERE"), DuckError);
}

TEST_F(DuckTest, AppenderInsertsRowsAndReportsConstraintViolations) {
  connection_.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR, score DOUBLE)");
  {
    Appender appender(connection_, "people");
    for (int i = 0; i < 3000; ++i)
      appender.append_row(i, "person " + std::to_string(i), i / 2.0);
    appender.append(3000).append(Value()).append(Value()).end_row();
    appender.close();
  }
  EXPECT_EQ(
      connection_.query("SELECT count(*), count(name), max(score) FROM people").fetch_all()[0],
      (std::vector<Value>{int64_t{3001}, int64_t{3000}, 1499.5}));
  Appender duplicate(connection_, "people");
  duplicate.append_row(1, "again", 0.0);
  EXPECT_THROW(duplicate.close(), DuckError);
  EXPECT_THROW(Appender(connection_, "no_such_table"), DuckError);
}

TEST_F(DuckTest, InterruptStopsARunningQueryAndProgressIsReported) {
  // Table scans report progress (range() does not).
  connection_.execute("CREATE TABLE numbers AS SELECT range AS i FROM range(20000000)");
  std::atomic<bool> done = false;
  std::optional<QueryProgress> seen_progress;
  std::thread watcher([&] {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done && std::chrono::steady_clock::now() < deadline) {
      if (auto progress = connection_.progress(); progress && progress->percentage > 0) {
        seen_progress = progress;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    connection_.interrupt();
  });
  auto started = std::chrono::steady_clock::now();
  try {
    connection_.query(
        "SELECT count(DISTINCT md5(i::VARCHAR)), sum(length(repeat(i::VARCHAR, 50))) FROM numbers");
    FAIL() << "the query should have been interrupted";
  } catch (const DuckError& e) {
    EXPECT_TRUE(e.interrupted()) << e.what();
  }
  done = true;
  watcher.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  ASSERT_TRUE(seen_progress);
  EXPECT_GT(seen_progress->percentage, 0);
  EXPECT_LT(seen_progress->percentage, 100);
  EXPECT_GT(seen_progress->rows_processed, 0u);
  EXPECT_EQ(connection_.query("SELECT 1").scalar().as_int(), 1);  // still usable
}

TEST_F(DuckTest, OpensOfflineWithTheConfiguredLimits) {
  auto rows = connection_
                  .query(
                      "SELECT current_setting('memory_limit'), current_setting('threads'), "
                      "current_setting('autoinstall_known_extensions'), "
                      "current_setting('autoload_known_extensions')")
                  .fetch_all();
  EXPECT_EQ(rows[0][0].text(), "488.2 MiB");
  EXPECT_EQ(rows[0][1].as_int(), 2);
  EXPECT_FALSE(rows[0][2].as_bool());
  EXPECT_FALSE(rows[0][3].as_bool());
  EXPECT_FALSE(Database::library_version().empty());
}

TEST_F(DuckTest, WritesAndReadsParquetWithQuotedPaths) {
  testing::TempDir dir;
  auto path = dir / "it's here.parquet";
  connection_.execute("COPY (SELECT 1 AS \"odd \"\" name\") TO " + quote_path(path) +
                      " (FORMAT parquet, COMPRESSION zstd)");
  Result result = connection_.query("SELECT * FROM read_parquet(" + quote_path(path) + ")");
  EXPECT_EQ(result.column_name(0), "odd \" name");
  EXPECT_EQ(result.scalar().as_int(), 1);
}

TEST_F(DuckTest, FileDatabaseIsLockedAgainstASecondOpen) {
  testing::TempDir dir;
  DatabaseOptions options;
  options.path = (dir / "a.duckdb").string();
  Database first(options);
  Connection(first).execute("CREATE TABLE t AS SELECT 1 AS x");
  EXPECT_EQ(Connection(first).query("SELECT x FROM t").scalar().as_int(), 1);
}

TEST(SqlQuote, DoublesQuotesAndRejectsNul) {
  EXPECT_EQ(quote_identifier("order"), "\"order\"");
  EXPECT_EQ(quote_identifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(quote_literal("it's"), "'it''s'");
  EXPECT_THROW(quote_identifier(""), Error);
  EXPECT_THROW(quote_literal(std::string("a\0b", 3)), Error);
}

TEST(DuckValue, ConvertsBetweenKinds) {
  EXPECT_EQ(Value("12").as_int(), 12);
  EXPECT_EQ(Value("1.25").as_double(), 1.25);
  EXPECT_EQ(Value(3.0).as_int(), 3);
  EXPECT_THROW(Value(3.5).as_int(), Error);
  EXPECT_THROW(Value().as_int(), Error);
  EXPECT_THROW(Value("x").as_double(), Error);
  EXPECT_EQ(Value(0.1).to_string(), "0.1");
}

}  // namespace
}  // namespace da::duck
