#include "da/duck/connection.hpp"

#include <string>

#include "database_impl.hpp"
#include "result_impl.hpp"
#include <duckdb.h>

#include "da/duck/duck_error.hpp"

namespace da::duck {

namespace {

duckdb_connection handle(void* connection) {
  return static_cast<duckdb_connection>(connection);
}

}  // namespace

Connection::Connection(Database& database) : connection_(nullptr) {
  duckdb_connection connection = nullptr;
  if (duckdb_connect(database.impl_->database, &connection) != DuckDBSuccess) {
    throw DuckError(DUCKDB_ERROR_CONNECTION, "cannot connect to the DuckDB database");
  }
  connection_ = connection;
  // Progress is only tracked when the (never printed) progress bar is on.
  query("SET enable_progress_bar = true; SET enable_progress_bar_print = false");
}

Connection::~Connection() {
  duckdb_connection connection = handle(connection_);
  if (connection != nullptr) duckdb_disconnect(&connection);
}

Result Connection::query(std::string_view sql) {
  std::string text(sql);
  duckdb_result result;
  if (duckdb_query(handle(connection_), text.c_str(), &result) != DuckDBSuccess) {
    throw_result_error(result);
  }
  return Result(wrap_result(result));
}

PreparedStatement Connection::prepare(std::string_view sql) {
  std::string text(sql);
  duckdb_prepared_statement statement = nullptr;
  if (duckdb_prepare(handle(connection_), text.c_str(), &statement) != DuckDBSuccess) {
    const char* error = duckdb_prepare_error(statement);
    std::string message = error != nullptr ? error : "cannot prepare statement";
    duckdb_destroy_prepare(&statement);
    throw DuckError(DUCKDB_ERROR_PARSER, message);
  }
  return PreparedStatement(statement);
}

void Connection::interrupt() {
  duckdb_interrupt(handle(connection_));
}

std::optional<QueryProgress> Connection::progress() const {
  duckdb_query_progress_type progress = duckdb_query_progress(handle(connection_));
  if (progress.percentage < 0) return std::nullopt;
  return QueryProgress{progress.percentage, progress.rows_processed,
                       progress.total_rows_to_process};
}

}  // namespace da::duck
