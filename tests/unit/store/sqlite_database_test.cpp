#include "da/store/sqlite_database.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

namespace da::store {
namespace {

using testing::TempDir;

TEST(CachedStatements, AreResetWhenTheLeaseEndsSoLaterReadsSeeOtherConnectionsWrites) {
  TempDir dir;
  SqliteDatabase reader(dir / "state.db");
  SqliteDatabase writer(dir / "state.db");
  writer.execute("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1)");
  auto read = [&] {
    auto statement = reader.cached("SELECT MAX(v) FROM t");
    EXPECT_TRUE(statement->step());
    return statement->column_int(0);
  };
  EXPECT_EQ(read(), 1);
  writer.execute("INSERT INTO t VALUES (2)");
  EXPECT_EQ(read(), 2);
}

TEST(CachedStatements, ANestedUseOfTheSameSqlGetsItsOwnStatement) {
  TempDir dir;
  SqliteDatabase database(dir / "state.db");
  database.execute("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2), (3)");
  const std::string sql = "SELECT v FROM t WHERE v >= ? ORDER BY v";
  auto outer = database.cached(sql);
  outer->bind(1, 2);
  ASSERT_TRUE(outer->step());
  {
    auto inner = database.cached(sql);
    inner->bind(1, 1);
    ASSERT_TRUE(inner->step());
    EXPECT_EQ(inner->column_int(0), 1);
  }
  EXPECT_EQ(outer->column_int(0), 2);
  ASSERT_TRUE(outer->step());
  EXPECT_EQ(outer->column_int(0), 3);
}

}  // namespace
}  // namespace da::store
