// SqliteDatabase::backup_to / restore_from: whole-database copies with sqlite3_backup_*, which
// copies pages inside a read transaction of the source, so the copy is a consistent snapshot
// even while other processes write (a file copy of a WAL database is not).
#include <chrono>
#include <memory>
#include <thread>

#include "sqlite_error.hpp"
#include <sqlite3.h>
#include <sys/stat.h>

#include "da/store/sqlite_database.hpp"

namespace da::store {

namespace {

using Handle = std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)>;

Handle open_file(const std::filesystem::path& path, int flags, const std::string& what) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOFOLLOW, nullptr);
  Handle handle(db, &sqlite3_close_v2);
  if (rc != SQLITE_OK) throw_sqlite_error(db, rc, what + " " + path.string());
  return handle;
}

// Copies every page of `from` into `to` in one step, waiting while another connection holds
// a lock that the copy needs.
void copy_pages(sqlite3* from, sqlite3* to, std::chrono::milliseconds patience,
                const std::string& what) {
  sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
  if (backup == nullptr) throw_sqlite_error(to, sqlite3_errcode(to), what);
  auto deadline = std::chrono::steady_clock::now() + patience;
  int rc = SQLITE_OK;
  do {
    rc = sqlite3_backup_step(backup, -1);
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      rc = SQLITE_OK;
    }
  } while (rc == SQLITE_OK);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) throw_sqlite_message(rc, what + ": " + sqlite3_errstr(rc));
}

}  // namespace

void SqliteDatabase::backup_to(const std::filesystem::path& target) {
  std::string what = "cannot back up " + path_.string() + " to " + target.string();
  if (std::filesystem::exists(target)) throw Error(ErrorKind::kConflict, what + ": it exists");
  Handle copy = open_file(target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, what + ": open");
  ::chmod(target.c_str(), 0600);
  copy_pages(db_, copy.get(), std::chrono::seconds(30), what);
  int rc = sqlite3_exec(copy.get(), "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_sqlite_error(copy.get(), rc, what + ": journal mode");
}

void SqliteDatabase::restore_from(const std::filesystem::path& source) {
  std::string what = "cannot restore " + path_.string() + " from " + source.string();
  Handle original = open_file(source, SQLITE_OPEN_READONLY, what + ": open");
  copy_pages(original.get(), db_, std::chrono::seconds(30), what);
}

}  // namespace da::store
