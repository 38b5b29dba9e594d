// A SQLite connection configured for many processes: WAL, a busy timeout, foreign keys on,
// and every write transaction started with BEGIN IMMEDIATE (a deferred transaction that reads
// and then writes fails with SQLITE_BUSY under concurrency instead of waiting).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
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

  // A statement prepared once per connection and reused: for hot paths (a request's session
  // lookup). The lease resets it when it goes out of scope, which also ends its read
  // transaction; a statement already leased is prepared afresh for the nested use.
  class StatementLease {
   public:
    SqliteStatement* operator->() { return statement_; }
    SqliteStatement& operator*() { return *statement_; }
    ~StatementLease();
    StatementLease(StatementLease&&) = delete;

   private:
    friend class SqliteDatabase;
    StatementLease(SqliteStatement* cached, bool* in_use) : statement_(cached), in_use_(in_use) {}
    explicit StatementLease(SqliteStatement fresh)
        : owned_(std::move(fresh)), statement_(&*owned_), in_use_(nullptr) {}
    std::optional<SqliteStatement> owned_;
    SqliteStatement* statement_;
    bool* in_use_;
  };
  StatementLease cached(const std::string& sql);
  int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;
  const std::filesystem::path& path() const { return path_; }
  // Runs a trivial query (a health check): throws when the database cannot be read.
  void check_readable();

  // Writes a consistent copy of the whole database to the new file `target` (mode 0600, in
  // rollback-journal mode, so that it can be opened read-only anywhere) with SQLite's online
  // backup API: other connections and processes go on reading and writing meanwhile.
  void backup_to(const std::filesystem::path& target);
  // Replaces the whole content of this database with that of the database file `source` in
  // one transaction (online backup API): other connections see the old content or the new.
  void restore_from(const std::filesystem::path& source);

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

  struct CachedStatement {
    SqliteStatement statement;
    bool in_use = false;
  };
  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
  std::map<std::string, std::unique_ptr<CachedStatement>, std::less<>> cache_;
};

}  // namespace da::store
