// Versioned schema migrations of the state database, applied when it is opened.
#pragma once

#include <string>
#include <vector>

#include "da/store/sqlite_database.hpp"

namespace da::store {

struct Migration {
  int version;       // 1, 2, 3, ... with no gaps
  std::string name;  // what it adds, for the schema_migrations table
  std::string sql;
};

// Every migration of this version of da, in order.
const std::vector<Migration>& state_migrations();

// Applies the migrations newer than the database's version, all in one IMMEDIATE
// transaction, so that two processes opening a new database at once apply them once.
// Throws Error(kConfig) if the database is newer than `migrations` (an older da binary).
// Returns the number applied.
int apply_migrations(SqliteDatabase& database, const std::vector<Migration>& migrations);

// The highest applied version (0 for a new database).
int schema_version(SqliteDatabase& database);

}  // namespace da::store
