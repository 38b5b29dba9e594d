#include "da/duck/duck_error.hpp"

#include <duckdb.h>

namespace da::duck {

namespace {

ErrorKind kind_of(int type) {
  switch (type) {
    case DUCKDB_ERROR_OUT_OF_RANGE:
    case DUCKDB_ERROR_CONVERSION:
    case DUCKDB_ERROR_DECIMAL:
    case DUCKDB_ERROR_MISMATCH_TYPE:
    case DUCKDB_ERROR_DIVIDE_BY_ZERO:
    case DUCKDB_ERROR_CONSTRAINT:
    case DUCKDB_ERROR_INVALID_INPUT:
      return ErrorKind::kData;
    case DUCKDB_ERROR_TRANSACTION:
      return ErrorKind::kConflict;
    case DUCKDB_ERROR_CATALOG:
      return ErrorKind::kNotFound;
    default:
      return ErrorKind::kInternal;
  }
}

}  // namespace

DuckError::DuckError(int duckdb_error_type, const std::string& message)
    : Error(kind_of(duckdb_error_type), message), type_(duckdb_error_type) {}

bool DuckError::interrupted() const noexcept {
  return type_ == DUCKDB_ERROR_INTERRUPT;
}

}  // namespace da::duck
