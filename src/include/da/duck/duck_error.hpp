// An error reported by DuckDB, with DuckDB's own message and error type.
#pragma once

#include <string>

#include "da/common/error.hpp"

namespace da::duck {

class DuckError : public Error {
 public:
  // `duckdb_error_type` is DuckDB's duckdb_error_type value (0 when unknown).
  DuckError(int duckdb_error_type, const std::string& message);
  int duckdb_error_type() const noexcept { return type_; }
  // True when the query was stopped by Connection::interrupt().
  bool interrupted() const noexcept;

 private:
  int type_;
};

}  // namespace da::duck
