#include "da/duck/prepared_statement.hpp"

#include <string>

#include "result_impl.hpp"
#include <duckdb.h>

#include "da/duck/duck_error.hpp"

namespace da::duck {

namespace {

duckdb_prepared_statement handle(void* statement) {
  return static_cast<duckdb_prepared_statement>(statement);
}

}  // namespace

PreparedStatement::~PreparedStatement() {
  if (statement_ == nullptr) return;
  duckdb_prepared_statement statement = handle(statement_);
  duckdb_destroy_prepare(&statement);
}

PreparedStatement::PreparedStatement(PreparedStatement&& other) noexcept
    : statement_(other.statement_) {
  other.statement_ = nullptr;
}

size_t PreparedStatement::parameter_count() const {
  return duckdb_nparams(handle(statement_));
}

PreparedStatement& PreparedStatement::bind(size_t index, const Value& value) {
  duckdb_prepared_statement statement = handle(statement_);
  duckdb_state state = DuckDBError;
  switch (value.kind()) {
    case Value::Kind::kNull:
      state = duckdb_bind_null(statement, index);
      break;
    case Value::Kind::kBool:
      state = duckdb_bind_boolean(statement, index, value.as_bool());
      break;
    case Value::Kind::kInt:
      state = duckdb_bind_int64(statement, index, value.as_int());
      break;
    case Value::Kind::kUInt:
      state = duckdb_bind_uint64(statement, index,
                                 static_cast<uint64_t>(std::stoull(value.to_string())));
      break;
    case Value::Kind::kDouble:
      state = duckdb_bind_double(statement, index, value.as_double());
      break;
    case Value::Kind::kText: {
      const std::string& text = value.text();
      state = duckdb_bind_varchar_length(statement, index, text.data(), text.size());
      break;
    }
  }
  if (state != DuckDBSuccess) {
    throw DuckError(DUCKDB_ERROR_INVALID_INPUT,
                    "cannot bind parameter " + std::to_string(index) + " (" + value.to_string() +
                        "): the statement has " + std::to_string(parameter_count()) +
                        " parameters");
  }
  return *this;
}

void PreparedStatement::clear_bindings() {
  duckdb_clear_bindings(handle(statement_));
}

Result PreparedStatement::execute() {
  duckdb_result result;
  if (duckdb_execute_prepared(handle(statement_), &result) != DuckDBSuccess) {
    throw_result_error(result);
  }
  return Result(wrap_result(result));
}

Result PreparedStatement::execute_streaming() {
  duckdb_pending_result pending = nullptr;
  if (duckdb_pending_prepared_streaming(handle(statement_), &pending) != DuckDBSuccess) {
    const char* error = duckdb_pending_error(pending);
    std::string message = error != nullptr ? error : "cannot start the query";
    duckdb_destroy_pending(&pending);
    throw DuckError(DUCKDB_ERROR_EXECUTOR, message);
  }
  duckdb_result result;
  duckdb_state state = duckdb_execute_pending(pending, &result);
  duckdb_destroy_pending(&pending);
  if (state != DuckDBSuccess) throw_result_error(result);
  return Result(wrap_result(result));
}

}  // namespace da::duck
