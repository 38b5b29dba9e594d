// Versioned schema migrations of the state database, applied when it is opened. Each component
// or module that owns tables registers its migrations under its own namespace (see
// schema_registry.hpp); the store applies them and records (namespace, version) without naming
// any of them.
#pragma once

#include <string>
#include <vector>

#include "da/store/sqlite_database.hpp"

namespace da::store {

struct Migration {
  std::string space;  // the namespace that owns the tables: "sync", "identity", ...
  int version;        // 1, 2, 3, ... within its namespace, with no gaps
  std::string name;   // what it adds, for the record of applied migrations
  std::string sql;
  // The global version (1..10) that created the same tables before migrations were namespaced;
  // 0 for a migration added since. A database still at global version N counts every
  // migration with 0 < legacy_version <= N as applied, without running it.
  int legacy_version = 0;
};

// Every migration of this build, in the order they are applied: namespaces after those they
// depend on (ties by name), versions ascending within each.
const std::vector<Migration>& state_migrations();

// Applies the migrations the database lacks, in order, all in one IMMEDIATE transaction, so
// that two processes opening a new database at once apply them once. A database still numbered
// by the global versions of older da binaries is first mapped onto the namespaces.
// Throws Error(kConfig) naming both versions if the database is ahead of `migrations` in any
// namespace they have (an older da binary, e.g. after a rollback); namespaces `migrations` do
// not have (a module this build lacks) are left alone. Returns the migrations applied.
std::vector<Migration> apply_migrations(SqliteDatabase& database,
                                        const std::vector<Migration>& migrations);

// The migrations of `migrations` the database lacks, in order, without applying them (and
// without writing anything). Throws like apply_migrations() if the database is newer.
std::vector<Migration> pending_migrations(SqliteDatabase& database,
                                          const std::vector<Migration>& migrations);

// How many of `migrations` the database has applied (0 for a new database): the store's
// "schema version", comparable with known_schema_version(). Writes nothing.
int schema_version(SqliteDatabase& database,
                   const std::vector<Migration>& migrations = state_migrations());
// The schema version of a database with every one of `migrations` applied.
int known_schema_version(const std::vector<Migration>& migrations = state_migrations());

}  // namespace da::store
