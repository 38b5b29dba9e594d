// A prepared SQLite statement. Parameters are numbered from 1, result columns from 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace da::store {

class SqliteStatement {
 public:
  SqliteStatement& bind(int index, int64_t value);
  SqliteStatement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  SqliteStatement& bind(int index, double value);
  SqliteStatement& bind(int index, std::string_view value);
  SqliteStatement& bind(int index, const char* value) {
    return bind(index, std::string_view(value));
  }
  SqliteStatement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  SqliteStatement& bind(int index, std::nullopt_t);
  template <typename T>
  SqliteStatement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
  }
  template <typename... Args>
  SqliteStatement& bind_all(Args&&... args) {
    int index = 1;
    (bind(index++, std::forward<Args>(args)), ...);
    return *this;
  }

  // Advances to the next row: true if there is one, false when done. Throws on error.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  void reset();

  bool is_null(int column) const;
  int64_t column_int(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::optional<int64_t> column_optional_int(int column) const;
  std::optional<std::string> column_optional_text(int column) const;

  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  SqliteStatement(const SqliteStatement&) = delete;

 private:
  friend class SqliteDatabase;
  SqliteStatement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  void check_bind(int rc, int index);
  sqlite3* db_;
  sqlite3_stmt* statement_;
};

}  // namespace da::store
