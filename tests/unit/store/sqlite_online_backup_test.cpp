#include <atomic>
#include <thread>

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/common/error.hpp"
#include "da/store/state_store.hpp"

namespace da::store {
namespace {

using testing::TempDir;

int64_t single_int(SqliteDatabase& database, const std::string& sql) {
  SqliteStatement statement = database.prepare(sql);
  EXPECT_TRUE(statement.step());
  return statement.column_int(0);
}

std::string single_text(SqliteDatabase& database, const std::string& sql) {
  SqliteStatement statement = database.prepare(sql);
  EXPECT_TRUE(statement.step());
  return statement.column_text(0);
}

// Another process inserts rows two at a time, in one transaction each: a consistent copy
// always holds an even number of rows, whatever moment it was taken at.
TEST(SqliteOnlineBackup, CopiesAConsistentSnapshotWhileAnotherProcessWrites) {
  TempDir dir;
  {
    StateStore store(dir / "state.db");
    store.database().execute("CREATE TABLE pairs (n INTEGER NOT NULL, payload TEXT NOT NULL)");
  }
  pid_t writer = ::fork();
  ASSERT_GE(writer, 0);
  if (writer == 0) {
    try {
      SqliteDatabase database(dir / "state.db");
      for (int i = 0;; ++i) {
        database.write_transaction([&] {
          for (int j = 0; j < 2; ++j)
            database.prepare("INSERT INTO pairs VALUES (?, ?)")
                .bind_all(i, std::string(2000, 'x'))
                .run();
        });
      }
    } catch (...) {
      ::_exit(1);
    }
  }
  SqliteDatabase source(dir / "state.db");
  while (single_int(source, "SELECT count(*) FROM pairs") < 200)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (int copy = 0; copy < 3; ++copy) {
    auto target = dir / ("copy-" + std::to_string(copy) + ".db");
    source.backup_to(target);
    SqliteDatabase backup(target, {.read_only = true});
    EXPECT_EQ(single_int(backup, "SELECT count(*) FROM pairs") % 2, 0);
    EXPECT_GT(single_int(backup, "SELECT count(*) FROM pairs"), 0);
    EXPECT_EQ(single_text(backup, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(single_text(backup, "PRAGMA journal_mode"), "delete");
    struct stat info {};
    ASSERT_EQ(::stat(target.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
  }
  ::kill(writer, SIGKILL);
  ::waitpid(writer, nullptr, 0);
}

TEST(SqliteOnlineBackup, RefusesToOverwriteAnExistingFile) {
  TempDir dir;
  SqliteDatabase database(dir / "state.db");
  dir.write("copy.db", "keep me");
  EXPECT_THROW(database.backup_to(dir / "copy.db"), Error);
  EXPECT_EQ(testing::read_text(dir / "copy.db"), "keep me");
}

// A process that keeps the database open sees the restored content at its next read, and
// the database stays in WAL mode for the services.
TEST(SqliteOnlineBackup, RestoreReplacesTheContentUnderOpenConnections) {
  TempDir dir;
  {
    StateStore store(dir / "saved.db");
    store.database().execute("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('saved')");
    store.database().backup_to(dir / "backup.db");
  }
  StateStore live(dir / "state.db");
  live.database().execute("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('live'), ('later')");
  SqliteDatabase reader(dir / "state.db");
  EXPECT_EQ(single_int(reader, "SELECT count(*) FROM t"), 2);
  live.database().restore_from(dir / "backup.db");
  EXPECT_EQ(single_text(reader, "SELECT group_concat(v) FROM t"), "saved");
  EXPECT_EQ(single_text(reader, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(single_text(live.database(), "PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace da::store
