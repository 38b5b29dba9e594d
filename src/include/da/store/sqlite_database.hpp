// A SQLite connection configured for many processes: WAL, a busy timeout, foreign keys on,
// and every write transaction started with BEGIN IMMEDIATE (a deferred transaction that reads
// and then writes fails with SQLITE_BUSY under concurrency instead of waiting).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <type_traits>

#include <sys/types.h>

#include "da/store/sqlite_statement.hpp"

struct sqlite3;

namespace da::store {

struct SqliteOptions {
  std::chrono::milliseconds busy_timeout{10000};
  bool read_only = false;
  mode_t file_mode = 0640;  // for a newly created database file
};

class SqliteDatabase {
 public:
  // Opens (creating if needed) the database. Throws Error(kInternal) naming the file.
  explicit SqliteDatabase(const std::filesystem::path& path, const SqliteOptions& options = {});
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  // Runs statements without parameters.
  void execute(std::string_view sql);
  SqliteStatement prepare(std::string_view sql);
  int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;
  const std::filesystem::path& path() const { return path_; }

  // Runs `work` inside BEGIN IMMEDIATE ... COMMIT and returns what it returns. Waits up to
  // the busy timeout for other writers; rolls back and rethrows if `work` throws.
  template <typename Work>
  auto write_transaction(Work&& work) -> std::invoke_result_t<Work&> {
    Transaction transaction(*this, "BEGIN IMMEDIATE");
    if constexpr (std::is_void_v<std::invoke_result_t<Work&>>) {
      work();
      transaction.commit();
    } else {
      auto result = work();
      transaction.commit();
      return result;
    }
  }

 private:
  class Transaction {
   public:
    Transaction(SqliteDatabase& database, const char* begin);
    ~Transaction();
    void commit();

   private:
    SqliteDatabase& database_;
    bool open_ = true;
  };

  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
};

}  // namespace da::store
