// Fast row-by-row inserts into an existing table.
#pragma once

#include <string>
#include <string_view>

#include "da/duck/connection.hpp"
#include "da/duck/value.hpp"

namespace da::duck {

class Appender {
 public:
  // Throws DuckError if the table does not exist.
  Appender(Connection& connection, std::string_view table, std::string_view schema = {});
  // Closes the appender; an error at that point is lost, so call close() to see it.
  ~Appender();
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  Appender& append(const Value& value);
  template <typename... Args>
  void append_row(Args&&... args) {
    (append(Value(std::forward<Args>(args))), ...);
    end_row();
  }
  void end_row();
  // Writes buffered rows into the table. Throws DuckError (e.g. a constraint violation).
  void flush();
  // Flushes and closes; later appends throw.
  void close();

 private:
  [[noreturn]] void fail(const std::string& what);
  void* appender_;
  std::string table_;
};

}  // namespace da::duck
