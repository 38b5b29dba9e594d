// Databases that older da binaries built with the global migrations 1..10, opened by this one.
#include "da/store/migrations.hpp"

#include <map>
#include <set>

#include "support/legacy_state_store.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/error.hpp"
#include "da/store/state_store.hpp"

namespace da::store {
namespace {

using testing::create_legacy_state_store;
using testing::TempDir;

std::set<std::string> names(const std::vector<Migration>& migrations) {
  std::set<std::string> result;
  for (const Migration& migration : migrations)
    result.insert(migration.space + " " + std::to_string(migration.version));
  return result;
}

std::set<std::string> new_since_namespaces() {
  std::set<std::string> result;
  for (const Migration& migration : state_migrations())
    if (migration.legacy_version == 0)
      result.insert(migration.space + " " + std::to_string(migration.version));
  return result;
}

// Table name -> its columns, as PRAGMA table_info lists them.
std::map<std::string, std::string> tables_of(SqliteDatabase& database) {
  std::map<std::string, std::string> tables;
  SqliteStatement list = database.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND "
      "name NOT IN ('schema_migrations', 'namespace_migrations')");
  while (list.step()) {
    std::string table = list.column_text(0);
    SqliteStatement columns = database.prepare(
        "SELECT name, type, \"notnull\", dflt_value, pk "
        "FROM pragma_table_info(?) ORDER BY cid");
    columns.bind(1, table);
    while (columns.step())
      for (int i = 0; i < 5; ++i)
        tables[table] += columns.column_optional_text(i).value_or("NULL") + ",";
  }
  return tables;
}

TEST(LegacyStateStore, IsUpgradedInPlaceRunningOnlyTheMigrationsAddedSince) {
  TempDir dir;
  create_legacy_state_store(dir / "state.db", 10);
  {
    SqliteDatabase database(dir / "state.db");
    database.execute(
        "INSERT INTO users (id, email, username, created_at) VALUES (1, 'a@x.org', 'a', 1);"
        "INSERT INTO registry_tables VALUES ('in.c.t', 0, '{}', 'now', 'admin', NULL, NULL);");
  }
  StateStore store(dir / "state.db");
  EXPECT_EQ(names(store.applied_migrations()), new_since_namespaces());
  SqliteDatabase& database = store.database();
  EXPECT_EQ(schema_version(database), known_schema_version());
  SqliteStatement kept = database.prepare(
      "SELECT (SELECT username FROM users), (SELECT table_id FROM registry_tables)");
  ASSERT_TRUE(kept.step());
  EXPECT_EQ(kept.column_text(0), "a");
  EXPECT_EQ(kept.column_text(1), "in.c.t");
  // The namespaced versions carry the time the global migration ran.
  SqliteStatement mapped = database.prepare(
      "SELECT applied_at FROM namespace_migrations WHERE namespace = 'accounts' AND version = 1");
  ASSERT_TRUE(mapped.step());
  EXPECT_EQ(mapped.column_text(0), "2026-01-10T00:00:00Z");
  // An older da reads the newest global version: one it does not know, so it refuses.
  SqliteStatement legacy = database.prepare("SELECT MAX(version) FROM schema_migrations");
  ASSERT_TRUE(legacy.step());
  EXPECT_GT(legacy.column_int(0), 10);
  EXPECT_TRUE(StateStore(dir / "state.db").applied_migrations().empty());
}

TEST(LegacyStateStore, AtAnOlderGlobalVersionGetsWhatItLacks) {
  TempDir dir;
  create_legacy_state_store(dir / "state.db", 8);
  StateStore store(dir / "state.db");
  std::set<std::string> expected = new_since_namespaces();
  expected.insert("mail 1");
  expected.insert("accounts 1");
  EXPECT_EQ(names(store.applied_migrations()), expected);
  store.database().execute("SELECT * FROM mail_deliveries, pending_filter_refreshes");
}

TEST(LegacyStateStore, EndsWithTheSameTablesAsANewDatabase) {
  TempDir dir;
  create_legacy_state_store(dir / "old.db", 10);
  StateStore upgraded(dir / "old.db");
  StateStore fresh(dir / "new.db");
  EXPECT_EQ(tables_of(upgraded.database()), tables_of(fresh.database()));
}

TEST(LegacyStateStore, PendingMigrationsAreListedWithoutMappingOrWritingAnything) {
  TempDir dir;
  create_legacy_state_store(dir / "state.db", 10);
  SqliteDatabase database(dir / "state.db", {.read_only = true});
  EXPECT_EQ(names(pending_migrations(database, state_migrations())), new_since_namespaces());
  EXPECT_EQ(schema_version(database),
            known_schema_version() - static_cast<int>(new_since_namespaces().size()));
  SqliteStatement tables =
      database.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'namespace_migrations'");
  ASSERT_TRUE(tables.step());
  EXPECT_EQ(tables.column_int(0), 0);
}

TEST(LegacyStateStore, AGlobalVersionNewerThanThisDaKnowsIsRefused) {
  TempDir dir;
  create_legacy_state_store(dir / "state.db", 10);
  {
    SqliteDatabase database(dir / "state.db");
    database.execute(
        "INSERT INTO schema_migrations VALUES (11, 'from the future', '2030-01-01T00:00:00Z')");
  }
  try {
    StateStore store(dir / "state.db");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_NE(std::string(e.what()).find("has schema version 11 (\"from the future\", applied "
                                         "2030-01-01T00:00:00Z), newer than this da knows (10)"),
              std::string::npos)
        << e.what();
  }
}

TEST(NamespacedStateStore, ANamespaceAheadOfThisDaIsRefusedNamingIt) {
  TempDir dir;
  StateStore(dir / "state.db");
  {
    SqliteDatabase database(dir / "state.db");
    database.execute(
        "INSERT INTO namespace_migrations VALUES ('notify', 99, 'from the future', "
        "'2030-01-01T00:00:00Z')");
  }
  try {
    StateStore store(dir / "state.db");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_NE(std::string(e.what()).find("namespace \"notify\" has schema version 99"),
              std::string::npos)
        << e.what();
  }
}

// A module this build lacks (removed, or added by a newer da) owns tables nobody here uses.
TEST(NamespacedStateStore, LeavesANamespaceThisDaLacksAlone) {
  TempDir dir;
  StateStore(dir / "state.db");
  {
    SqliteDatabase database(dir / "state.db");
    database.execute(
        "INSERT INTO namespace_migrations VALUES ('someone_else', 3, 'theirs', "
        "'2030-01-01T00:00:00Z')");
  }
  StateStore store(dir / "state.db");
  EXPECT_TRUE(store.applied_migrations().empty());
  EXPECT_EQ(schema_version(store.database()), known_schema_version());
}

}  // namespace
}  // namespace da::store
