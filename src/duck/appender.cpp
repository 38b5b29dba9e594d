#include "da/duck/appender.hpp"

#include <duckdb.h>

#include "da/duck/duck_error.hpp"

namespace da::duck {

namespace {

duckdb_appender handle(void* appender) {
  return static_cast<duckdb_appender>(appender);
}

std::string appender_error(duckdb_appender appender) {
  duckdb_error_data error = duckdb_appender_error_data(appender);
  std::string message = error != nullptr && duckdb_error_data_message(error) != nullptr
                            ? duckdb_error_data_message(error)
                            : "unknown appender error";
  if (error != nullptr) duckdb_destroy_error_data(&error);
  return message;
}

}  // namespace

Appender::Appender(Connection& connection, std::string_view table, std::string_view schema)
    : appender_(nullptr), table_(table) {
  std::string schema_text(schema);
  duckdb_appender appender = nullptr;
  if (duckdb_appender_create(static_cast<duckdb_connection>(connection.connection_),
                             schema_text.empty() ? nullptr : schema_text.c_str(), table_.c_str(),
                             &appender) != DuckDBSuccess) {
    std::string message = appender != nullptr ? appender_error(appender) : "cannot create appender";
    if (appender != nullptr) duckdb_appender_destroy(&appender);
    throw DuckError(DUCKDB_ERROR_CATALOG, "cannot append to table '" + table_ + "': " + message);
  }
  appender_ = appender;
}

Appender::~Appender() {
  if (appender_ == nullptr) return;
  duckdb_appender appender = handle(appender_);
  duckdb_appender_destroy(&appender);
}

void Appender::fail(const std::string& what) {
  throw DuckError(DUCKDB_ERROR_INVALID_INPUT,
                  what + " on table '" + table_ + "': " + appender_error(handle(appender_)));
}

Appender& Appender::append(const Value& value) {
  if (appender_ == nullptr) throw DuckError(0, "append after close on table '" + table_ + "'");
  duckdb_appender appender = handle(appender_);
  duckdb_state state = DuckDBError;
  switch (value.kind()) {
    case Value::Kind::kNull:
      state = duckdb_append_null(appender);
      break;
    case Value::Kind::kBool:
      state = duckdb_append_bool(appender, value.as_bool());
      break;
    case Value::Kind::kInt:
      state = duckdb_append_int64(appender, value.as_int());
      break;
    case Value::Kind::kUInt:
      state = duckdb_append_uint64(appender, static_cast<uint64_t>(std::stoull(value.to_string())));
      break;
    case Value::Kind::kDouble:
      state = duckdb_append_double(appender, value.as_double());
      break;
    case Value::Kind::kText: {
      const std::string& text = value.text();
      state = duckdb_append_varchar_length(appender, text.data(), text.size());
      break;
    }
  }
  if (state != DuckDBSuccess) fail("append " + value.to_string());
  return *this;
}

void Appender::end_row() {
  if (appender_ == nullptr || duckdb_appender_end_row(handle(appender_)) != DuckDBSuccess) {
    fail("end of row");
  }
}

void Appender::flush() {
  if (appender_ == nullptr || duckdb_appender_flush(handle(appender_)) != DuckDBSuccess) {
    fail("flush");
  }
}

void Appender::close() {
  if (appender_ == nullptr) return;
  duckdb_appender appender = handle(appender_);
  duckdb_state state = duckdb_appender_close(appender);
  std::string message = state == DuckDBSuccess ? std::string() : appender_error(appender);
  duckdb_appender_destroy(&appender);
  appender_ = nullptr;
  if (state != DuckDBSuccess) {
    throw DuckError(DUCKDB_ERROR_INVALID_INPUT,
                    "closing appender on table '" + table_ + "': " + message);
  }
}

}  // namespace da::duck
