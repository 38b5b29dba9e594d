// The analysts' selections as stored: saved by the portal, read back by the manifest and the
// rsync filters through the one decoding.
#include "da/distribution/selection_store.hpp"

#include "support/legacy_state_store.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/identity/user_store.hpp"
#include "da/store/state_store.hpp"

namespace da::distribution {
namespace {

class SelectionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<store::StateStore>(dir_ / "state.db");
    ana_ = identity::UserStore(db()).ensure("ana@example.com", {}).id;
  }
  store::SqliteDatabase& db() { return store_->database(); }

  testing::TempDir dir_;
  std::unique_ptr<store::StateStore> store_;
  int64_t ana_ = 0;
};

TEST_F(SelectionStoreTest, AnAnalystWhoNeverChoseGetsTheDefaultsAndNoSaveTime) {
  StoredSelection stored = SelectionStore(db()).load(ana_);
  EXPECT_FALSE(stored.updated_at);
  EXPECT_TRUE(stored.selection.datasets.empty());
  EXPECT_FALSE(stored.selection.explicit_tables);
  EXPECT_TRUE(stored.selection.tables.empty());
}

TEST_F(SelectionStoreTest, ASavedSelectionReadsBackWithItsSaveTime) {
  Selection selection;
  selection.datasets = {{"web_events", true}, {"crm", false}};
  selection.explicit_tables = true;
  selection.tables = {{"orders", true}};
  SelectionStore(db()).save(ana_, selection);
  StoredSelection stored = SelectionStore(db()).load(ana_);
  EXPECT_TRUE(stored.updated_at);
  EXPECT_EQ(stored.selection.datasets, selection.datasets);
  EXPECT_TRUE(stored.selection.explicit_tables);
  EXPECT_EQ(stored.selection.tables, selection.tables);
}

TEST_F(SelectionStoreTest, MalformedStoredEntriesCountAsNotChosen) {
  db().prepare(
          "INSERT INTO user_selections (user_id, datasets, table_mode, tables) "
          "VALUES (?, 'not json', 'explicit', '{\"orders\": 1, \"items\": true}')")
      .bind_all(ana_)
      .run();
  StoredSelection stored = SelectionStore(db()).load(ana_);
  EXPECT_TRUE(stored.selection.datasets.empty());
  EXPECT_EQ(stored.selection.tables,
            (std::map<std::string, bool>{{"items", true}, {"orders", false}}));
}

TEST(SelectionMigration, AStoreFromBeforeTheRenameKeepsEverySelectionInUserSelections) {
  testing::TempDir dir;
  testing::create_legacy_state_store(dir / "state.db", 10);
  {
    store::SqliteDatabase old(dir / "state.db");
    old.execute(
        "INSERT INTO users (id, email, username, created_at) VALUES (7, 'a@x.org', 'a', 1);"
        "INSERT INTO user_sync_settings (user_id, datasets, table_mode, tables, updated_at) "
        "VALUES (7, '{\"crm\": true}', 'explicit', '{\"orders\": true}', 5);");
  }
  store::StateStore store(dir / "state.db");
  StoredSelection stored = SelectionStore(store.database()).load(7);
  EXPECT_EQ(stored.selection.datasets, (std::map<std::string, bool>{{"crm", true}}));
  EXPECT_TRUE(stored.selection.explicit_tables);
  EXPECT_EQ(stored.selection.tables, (std::map<std::string, bool>{{"orders", true}}));
  EXPECT_TRUE(stored.updated_at);
  store::SqliteStatement old_table = store.database().prepare(
      "SELECT COUNT(*) FROM sqlite_master WHERE name = 'user_sync_settings'");
  ASSERT_TRUE(old_table.step());
  EXPECT_EQ(old_table.column_int(0), 0);
}

}  // namespace
}  // namespace da::distribution
