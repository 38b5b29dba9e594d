#include "da/store/store_contents.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/store/state_store.hpp"

namespace da::store {
namespace {

// A namespace whose migration inserts a row of its own, like a table of settings.
const std::vector<Migration> kMigrations = {
    {"things", 1, "things and their settings",
     "CREATE TABLE settings (id INTEGER PRIMARY KEY, value TEXT);"
     "INSERT INTO settings VALUES (1, 'default');"
     "CREATE TABLE things (name TEXT)"},
};

TEST(HoldsData, NotAMissingFileNorWhatTheMigrationsInsertedThemselves) {
  testing::TempDir dir;
  EXPECT_FALSE(holds_data(dir / "state.db", kMigrations));
  SqliteDatabase database(dir / "state.db");
  apply_migrations(database, kMigrations);
  EXPECT_FALSE(holds_data(dir / "state.db", kMigrations));
  database.execute("UPDATE settings SET value = 'changed'");
  EXPECT_FALSE(holds_data(dir / "state.db", kMigrations));
}

TEST(HoldsData, ARowBeyondThoseTheMigrationsInserted) {
  testing::TempDir dir;
  {
    SqliteDatabase database(dir / "state.db");
    apply_migrations(database, kMigrations);
    database.execute("INSERT INTO things VALUES ('one')");
  }
  EXPECT_TRUE(holds_data(dir / "state.db", kMigrations));
  {
    SqliteDatabase database(dir / "state.db");
    database.execute("DELETE FROM things; INSERT INTO settings VALUES (2, 'more')");
  }
  EXPECT_TRUE(holds_data(dir / "state.db", kMigrations));
}

TEST(HoldsData, ATableTheseMigrationsDoNotKnowCountsWithItsRows) {
  testing::TempDir dir;
  {
    SqliteDatabase database(dir / "state.db");
    apply_migrations(database, kMigrations);
    database.execute(
        "CREATE TABLE from_another_build (x); INSERT INTO from_another_build VALUES (1)");
  }
  EXPECT_TRUE(holds_data(dir / "state.db", kMigrations));
}

TEST(HoldsData, NotAStoreThisBuildJustMigrated) {
  testing::TempDir dir;
  StateStore(dir / "state.db");
  EXPECT_FALSE(holds_data(dir / "state.db"));
}

}  // namespace
}  // namespace da::store
