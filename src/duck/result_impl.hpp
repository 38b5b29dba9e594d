// Private to src/duck: the parts of Result that need duckdb.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <duckdb.h>

#include "da/duck/result.hpp"

namespace da::duck {

struct ColumnInfo {
  std::string name;
  std::string type_name;
  duckdb_type type = DUCKDB_TYPE_INVALID;
  duckdb_type internal_type = DUCKDB_TYPE_INVALID;  // DECIMAL and ENUM storage
  uint8_t decimal_scale = 0;
  std::vector<std::string> enum_values;
};

struct ResultColumns {
  std::vector<ColumnInfo> columns;
};

struct Result::Impl {
  duckdb_result result{};
  std::shared_ptr<const ResultColumns> columns;
  ~Impl() { duckdb_destroy_result(&result); }
};

// Takes ownership of `result` (destroyed even when this throws). Throws DuckError if the
// result holds an error.
std::unique_ptr<Result::Impl> wrap_result(duckdb_result& result);

// Throws DuckError from a failed result (and destroys it).
[[noreturn]] void throw_result_error(duckdb_result& result);

std::string logical_type_name(duckdb_logical_type type);

}  // namespace da::duck
