// Private to src/duck: Database's handle, shared with Connection.
#pragma once

#include <duckdb.h>

#include "da/duck/database.hpp"

namespace da::duck {

struct Database::Impl {
  duckdb_database database = nullptr;
  ~Impl() {
    if (database != nullptr) duckdb_close(&database);
  }
};

}  // namespace da::duck
