#include "da/store/sqlite_statement.hpp"

#include "sqlite_error.hpp"
#include <sqlite3.h>

namespace da::store {

SqliteStatement::~SqliteStatement() {
  if (statement_ != nullptr) sqlite3_finalize(statement_);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), statement_(other.statement_) {
  other.statement_ = nullptr;
}

void SqliteStatement::check_bind(int rc, int index) {
  if (rc != SQLITE_OK)
    throw_sqlite_error(db_, rc, "cannot bind parameter " + std::to_string(index));
}

SqliteStatement& SqliteStatement::bind(int index, int64_t value) {
  check_bind(sqlite3_bind_int64(statement_, index, value), index);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, double value) {
  check_bind(sqlite3_bind_double(statement_, index, value), index);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view value) {
  check_bind(sqlite3_bind_text64(statement_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                 SQLITE_UTF8),
             index);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::nullopt_t) {
  check_bind(sqlite3_bind_null(statement_, index), index);
  return *this;
}

bool SqliteStatement::step() {
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw_sqlite_error(db_, rc, std::string("SQL failed: ") + sqlite3_sql(statement_));
}

void SqliteStatement::run() {
  while (step()) {
  }
  reset();
}

void SqliteStatement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

bool SqliteStatement::is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

int64_t SqliteStatement::column_int(int column) const {
  return sqlite3_column_int64(statement_, column);
}

double SqliteStatement::column_double(int column) const {
  return sqlite3_column_double(statement_, column);
}

std::string SqliteStatement::column_text(int column) const {
  const auto* text = sqlite3_column_text(statement_, column);
  int size = sqlite3_column_bytes(statement_, column);
  return text != nullptr
             ? std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size))
             : std::string();
}

std::optional<int64_t> SqliteStatement::column_optional_int(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_int(column);
}

std::optional<std::string> SqliteStatement::column_optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_text(column);
}

}  // namespace da::store
