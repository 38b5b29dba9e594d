#include "da/store/migrations.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "da/common/error.hpp"
#include "da/common/time.hpp"
#include "da/store/schema_registry.hpp"

namespace da::store {

namespace {

// Before namespaces, da numbered migrations 1..10 in one table, schema_migrations. The table
// stays, holding one more row whose version no older binary knows, so that an older da refuses
// the database (naming this row) instead of applying its own migrations to it.
constexpr int kHandoverVersion = 1000;
constexpr const char* kHandoverName =
    "migrations are recorded per namespace in namespace_migrations since";

struct AppliedVersion {
  int version = 0;
  std::string name;
  std::string applied_at;
};
// The newest applied version of each namespace.
using Applied = std::map<std::string, AppliedVersion>;

bool has_table(SqliteDatabase& database, const char* name) {
  SqliteStatement statement =
      database.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
  statement.bind(1, name);
  statement.step();
  return statement.column_int(0) > 0;
}

Applied read_recorded(SqliteDatabase& database) {
  Applied applied;
  if (!has_table(database, "namespace_migrations")) return applied;
  SqliteStatement statement = database.prepare(
      "SELECT namespace, version, name, applied_at FROM namespace_migrations m WHERE version = "
      "(SELECT MAX(version) FROM namespace_migrations WHERE namespace = m.namespace)");
  while (statement.step())
    applied[statement.column_text(0)] = {static_cast<int>(statement.column_int(1)),
                                         statement.column_text(2), statement.column_text(3)};
  return applied;
}

// The global version of a database that older da binaries migrated and this one has not
// mapped onto namespaces yet.
std::optional<AppliedVersion> legacy_version(SqliteDatabase& database) {
  if (!has_table(database, "schema_migrations")) return std::nullopt;
  SqliteStatement statement = database.prepare(
      "SELECT version, name, applied_at FROM schema_migrations ORDER BY version DESC LIMIT 1");
  if (!statement.step()) return AppliedVersion{};
  int version = static_cast<int>(statement.column_int(0));
  if (version == kHandoverVersion) return std::nullopt;
  return AppliedVersion{version, statement.column_text(1), statement.column_text(2)};
}

int known_legacy_version(const std::vector<Migration>& migrations) {
  int known = 0;
  for (const Migration& migration : migrations)
    known = std::max(known, migration.legacy_version);
  return known;
}

// A database migrated by a newer da: name its newest migration, so that whoever rolled back
// sees what the store needs.
[[noreturn]] void throw_newer_than_known(SqliteDatabase& database, const std::string& space,
                                         const AppliedVersion& current, int known) {
  std::string where = space.empty() ? "" : ": namespace \"" + space + "\"";
  throw Error(ErrorKind::kConfig,
              "state database " + database.path().string() + where + " has schema version " +
                  std::to_string(current.version) + " (\"" + current.name + "\", applied " +
                  current.applied_at + "), newer than this da knows (" + std::to_string(known) +
                  "): run the da version that migrated it, or restore a backup taken before the "
                  "upgrade (da restore --from DIR)");
}

// What the database has applied in each namespace, counting the migrations a legacy database
// applied under their global version. Writes nothing.
Applied applied_versions(SqliteDatabase& database, const std::vector<Migration>& migrations,
                         bool refuse_newer) {
  Applied applied = read_recorded(database);
  std::optional<AppliedVersion> legacy = legacy_version(database);
  if (!legacy) return applied;
  if (refuse_newer && legacy->version > known_legacy_version(migrations))
    throw_newer_than_known(database, "", *legacy, known_legacy_version(migrations));
  for (const Migration& migration : migrations) {
    if (migration.legacy_version == 0 || migration.legacy_version > legacy->version) continue;
    AppliedVersion& newest = applied[migration.space];
    if (migration.version > newest.version) newest = {migration.version, migration.name, ""};
  }
  return applied;
}

void refuse_newer(SqliteDatabase& database, const Applied& applied,
                  const std::vector<Migration>& migrations) {
  std::map<std::string, int> known;
  for (const Migration& migration : migrations)
    known[migration.space] = std::max(known[migration.space], migration.version);
  for (const auto& [space, current] : applied) {
    auto found = known.find(space);
    if (found != known.end() && current.version > found->second)
      throw_newer_than_known(database, space, current, found->second);
  }
}

std::vector<Migration> lacking(const Applied& applied, const std::vector<Migration>& migrations) {
  std::vector<Migration> pending;
  for (const Migration& migration : migrations) {
    auto found = applied.find(migration.space);
    if (found == applied.end() || migration.version > found->second.version)
      pending.push_back(migration);
  }
  return pending;
}

void record(SqliteDatabase& database, const Migration& migration, const std::string& applied_at) {
  database
      .prepare(
          "INSERT OR IGNORE INTO namespace_migrations (namespace, version, name, applied_at) "
          "VALUES (?, ?, ?, ?)")
      .bind_all(migration.space, migration.version, migration.name, applied_at)
      .run();
}

// Records the migrations a legacy database applied under their global version, with the time
// it applied them, and hands schema_migrations over.
void map_legacy(SqliteDatabase& database, const std::vector<Migration>& migrations) {
  std::optional<AppliedVersion> legacy = legacy_version(database);
  if (legacy) {
    if (legacy->version > known_legacy_version(migrations))
      throw_newer_than_known(database, "", *legacy, known_legacy_version(migrations));
    for (const Migration& migration : migrations) {
      if (migration.legacy_version == 0 || migration.legacy_version > legacy->version) continue;
      SqliteStatement when =
          database.prepare("SELECT applied_at FROM schema_migrations WHERE version = ?");
      when.bind(1, migration.legacy_version);
      record(database, migration, when.step() ? when.column_text(0) : format_iso8601(now_utc()));
    }
  }
  database.execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  database
      .prepare(
          "INSERT OR IGNORE INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
      .bind_all(kHandoverVersion, kHandoverName, format_iso8601(now_utc()))
      .run();
}

int count_applied(const Applied& applied, const std::vector<Migration>& migrations) {
  int count = 0;
  for (const Migration& migration : migrations) {
    auto found = applied.find(migration.space);
    if (found != applied.end() && migration.version <= found->second.version) ++count;
  }
  return count;
}

}  // namespace

const std::vector<Migration>& state_migrations() {
  static const std::vector<Migration> migrations = [] {
    SchemaRegistry registry;
    register_state_schemas(registry);
    return registry.ordered();
  }();
  return migrations;
}

int schema_version(SqliteDatabase& database, const std::vector<Migration>& migrations) {
  return count_applied(applied_versions(database, migrations, false), migrations);
}

int known_schema_version(const std::vector<Migration>& migrations) {
  return static_cast<int>(migrations.size());
}

std::vector<Migration> pending_migrations(SqliteDatabase& database,
                                          const std::vector<Migration>& migrations) {
  Applied applied = applied_versions(database, migrations, true);
  refuse_newer(database, applied, migrations);
  return lacking(applied, migrations);
}

std::vector<Migration> apply_migrations(SqliteDatabase& database,
                                        const std::vector<Migration>& migrations) {
  return database.write_transaction([&] {
    database.execute(
        "CREATE TABLE IF NOT EXISTS namespace_migrations ("
        " namespace TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL, PRIMARY KEY (namespace, version))");
    map_legacy(database, migrations);
    Applied applied = read_recorded(database);
    refuse_newer(database, applied, migrations);
    std::vector<Migration> pending = lacking(applied, migrations);
    for (const Migration& migration : pending) {
      database.execute(migration.sql);
      record(database, migration, format_iso8601(now_utc()));
    }
    return pending;
  });
}

}  // namespace da::store
