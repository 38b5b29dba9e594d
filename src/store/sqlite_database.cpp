#include "da/store/sqlite_database.hpp"

#include "sqlite_error.hpp"
#include <sqlite3.h>
#include <sys/stat.h>

namespace da::store {

SqliteDatabase::SqliteDatabase(const std::filesystem::path& path, const SqliteOptions& options)
    : path_(path) {
  bool existed = std::filesystem::exists(path);
  int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  flags |= SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(ErrorKind::kInternal,
                "cannot open state database " + path.string() + ": " + message);
  }
  if (!existed && !options.read_only) ::chmod(path.c_str(), options.file_mode);
  sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
  sqlite3_extended_result_codes(db_, 1);
  if (!options.read_only) execute("PRAGMA journal_mode = WAL");
  execute("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
}

SqliteDatabase::~SqliteDatabase() {
  cache_.clear();
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

SqliteDatabase::StatementLease::~StatementLease() {
  statement_->reset();
  if (in_use_) *in_use_ = false;
}

SqliteDatabase::StatementLease SqliteDatabase::cached(const std::string& sql) {
  auto found = cache_.find(sql);
  if (found == cache_.end())
    found =
        cache_.emplace(sql, std::make_unique<CachedStatement>(CachedStatement{prepare(sql)})).first;
  CachedStatement& entry = *found->second;
  if (entry.in_use) return StatementLease(prepare(sql));
  entry.in_use = true;
  return StatementLease(&entry.statement, &entry.in_use);
}

void SqliteDatabase::execute(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw_sqlite_message(rc, "SQL failed on " + path_.string() + ": " + message + " in: " + text);
  }
}

SqliteStatement SqliteDatabase::prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "cannot prepare: " + std::string(sql));
  return SqliteStatement(db_, statement);
}

int64_t SqliteDatabase::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

int SqliteDatabase::changes() const {
  return sqlite3_changes(db_);
}

void SqliteDatabase::check_readable() {
  prepare("SELECT 1").step();
}

SqliteDatabase::Transaction::Transaction(SqliteDatabase& database, const char* begin)
    : database_(database) {
  database_.execute(begin);
}

SqliteDatabase::Transaction::~Transaction() {
  if (open_) sqlite3_exec(database_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteDatabase::Transaction::commit() {
  database_.execute("COMMIT");
  open_ = false;
}

}  // namespace da::store
