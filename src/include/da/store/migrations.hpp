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
// Throws Error(kConfig) naming both versions if the database is newer than `migrations` (an
// older da binary, e.g. after a rollback). Returns the migrations applied, in order.
std::vector<Migration> apply_migrations(SqliteDatabase& database,
                                        const std::vector<Migration>& migrations);

// The migrations of `migrations` the database lacks, in order, without applying them (and
// without writing anything). Throws like apply_migrations() if the database is newer.
std::vector<Migration> pending_migrations(SqliteDatabase& database,
                                          const std::vector<Migration>& migrations);

// The highest applied version (0 for a new database). Writes nothing.
int schema_version(SqliteDatabase& database);

}  // namespace da::store
