// A connection to a Database. Use one per thread; interrupt() and progress() may be called
// from another thread while a query runs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "da/duck/database.hpp"
#include "da/duck/prepared_statement.hpp"
#include "da/duck/result.hpp"

namespace da::duck {

struct QueryProgress {
  double percentage = 0;  // 0..100
  uint64_t rows_processed = 0;
  uint64_t total_rows = 0;  // rows the query expects to process (an estimate)
};

class Connection {
 public:
  // Connects and turns on progress tracking (never printed).
  explicit Connection(Database& database);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements (no parameters); returns the last one's result.
  // Throws DuckError with DuckDB's message.
  Result query(std::string_view sql);
  void execute(std::string_view sql) { query(sql); }
  PreparedStatement prepare(std::string_view sql);

  // Stops the running query, which then throws a DuckError whose interrupted() is true.
  void interrupt();
  // The running query's progress, or nullopt when nothing runs or DuckDB cannot tell.
  std::optional<QueryProgress> progress() const;

 private:
  friend class Appender;
  void* connection_;
};

}  // namespace da::duck
