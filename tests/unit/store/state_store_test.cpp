#include "da/store/state_store.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/common/error.hpp"
#include "da/store/migrations.hpp"

namespace da::store {
namespace {

using testing::TempDir;

TEST(Migrations, ApplyOnceAndRecordTheirVersions) {
  TempDir dir;
  SqliteDatabase database(dir / "state.db");
  std::vector<Migration> migrations = {{"test", 1, "a", "CREATE TABLE a (x INTEGER)"},
                                       {"test", 2, "b", "CREATE TABLE b (y TEXT)"}};
  EXPECT_EQ(apply_migrations(database, {migrations[0]}).size(), 1u);
  EXPECT_EQ(schema_version(database, migrations), 1);
  auto applied = apply_migrations(database, migrations);
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].name, "b");
  EXPECT_EQ(apply_migrations(database, migrations).size(), 0u);
  EXPECT_EQ(schema_version(database, migrations), 2);
  database.execute("INSERT INTO b VALUES ('ok')");
}

TEST(Migrations, AFailingMigrationLeavesNothingBehind) {
  TempDir dir;
  SqliteDatabase database(dir / "state.db");
  std::vector<Migration> migrations = {{"test", 1, "good", "CREATE TABLE good (x INTEGER)"},
                                       {"test", 2, "bad", "CREATE TABLE broken (x INTEGR"}};
  EXPECT_THROW(apply_migrations(database, migrations), Error);
  EXPECT_EQ(schema_version(database, migrations), 0);
  EXPECT_THROW(database.execute("SELECT * FROM good"), Error);
}

TEST(Migrations, PendingOnesAreListedWithoutWritingAnything) {
  TempDir dir;
  SqliteDatabase database(dir / "state.db");
  std::vector<Migration> migrations = {{"test", 1, "a", "CREATE TABLE a (x INTEGER)"},
                                       {"test", 2, "b", "CREATE TABLE b (y TEXT)"}};
  EXPECT_EQ(schema_version(database, migrations), 0);
  EXPECT_EQ(pending_migrations(database, migrations).size(), 2u);
  SqliteStatement tables = database.prepare("SELECT count(*) FROM sqlite_master");
  ASSERT_TRUE(tables.step());
  EXPECT_EQ(tables.column_int(0), 0);
  tables.reset();
  apply_migrations(database, {migrations[0]});
  auto pending = pending_migrations(database, migrations);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].version, 2);
  apply_migrations(database, migrations);
  EXPECT_TRUE(pending_migrations(database, migrations).empty());
}

// What a rollback to an older binary meets: both versions and the migration it lacks.
TEST(Migrations, RefusesADatabaseNewerThanThisBinary) {
  TempDir dir;
  SqliteDatabase database(dir / "state.db");
  apply_migrations(database,
                   {{"test", 1, "a", "SELECT 1"}, {"test", 2, "tokens of the future", "SELECT 1"}});
  for (auto attempt : {&apply_migrations, &pending_migrations}) {
    try {
      attempt(database, {{"test", 1, "a", "SELECT 1"}});
      FAIL();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kConfig);
      std::string message = e.what();
      EXPECT_NE(message.find("schema version 2 (\"tokens of the future\", applied "),
                std::string::npos)
          << message;
      EXPECT_NE(message.find("newer than this da knows (1)"), std::string::npos) << message;
      EXPECT_NE(message.find("da restore"), std::string::npos) << message;
    }
  }
}

TEST(StateStore, SaysWhichMigrationsItsOpeningApplied) {
  TempDir dir;
  EXPECT_EQ(StateStore(dir / "state.db").applied_migrations().size(), state_migrations().size());
  EXPECT_TRUE(StateStore(dir / "state.db").applied_migrations().empty());
}

TEST(StateStore, CreatesItsFolderAndFileWithPrivateModesInWalMode) {
  TempDir dir;
  auto path = dir / "data" / "state.db";
  StateStore store(path);
  struct stat info {};
  ASSERT_EQ(::stat((dir / "data").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0750u);
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
  {
    SqliteStatement mode = store.database().prepare("PRAGMA journal_mode");
    ASSERT_TRUE(mode.step());
    EXPECT_EQ(mode.column_text(0), "wal");
  }
  EXPECT_EQ(schema_version(store.database()), static_cast<int>(state_migrations().size()));
}

TEST(StateStore, RefusesToFollowASymlink) {
  TempDir dir;
  std::filesystem::create_symlink(dir / "elsewhere.db", dir / "state.db");
  EXPECT_THROW(StateStore(dir / "state.db"), Error);
}

TEST(SqliteDatabase, WriteTransactionRollsBackOnException) {
  TempDir dir;
  SqliteDatabase database(dir / "state.db");
  database.execute("CREATE TABLE t (x INTEGER)");
  EXPECT_THROW(database.write_transaction([&] {
    database.execute("INSERT INTO t VALUES (1)");
    throw Error(ErrorKind::kData, "stop");
  }),
               Error);
  SqliteStatement count = database.prepare("SELECT COUNT(*) FROM t");
  count.step();
  EXPECT_EQ(count.column_int(0), 0);
}

// Several processes increment one counter with read-modify-write transactions at once:
// no update may be lost and none may fail with "database is locked".
TEST(SqliteDatabase, ConcurrentWritersFromSeveralProcessesLoseNoUpdate) {
  TempDir dir;
  auto path = dir / "state.db";
  {
    StateStore store(path);
    store.database().execute(
        "CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)");
  }
  constexpr int kProcesses = 4;
  constexpr int kIncrements = 250;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      try {
        StateStore store(path);
        SqliteDatabase& database = store.database();
        for (int i = 0; i < kIncrements; ++i) {
          database.write_transaction([&] {
            SqliteStatement read = database.prepare("SELECT n FROM counter");
            read.step();
            int64_t n = read.column_int(0);
            database.prepare("UPDATE counter SET n = ?").bind(1, n + 1).run();
          });
        }
        ::_exit(0);
      } catch (...) {
        ::_exit(1);
      }
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  SqliteDatabase database(path);
  SqliteStatement read = database.prepare("SELECT n FROM counter");
  read.step();
  EXPECT_EQ(read.column_int(0), kProcesses * kIncrements);
}

}  // namespace
}  // namespace da::store
