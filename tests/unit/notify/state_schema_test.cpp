// The notify namespace's tables: the CHECK that listed the channels is dropped from a database
// that has deliveries, and none of them is lost.
#include "support/legacy_state_store.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/error.hpp"
#include "da/store/state_store.hpp"

namespace da::notify {
namespace {

using testing::TempDir;

std::vector<std::string> deliveries(store::SqliteDatabase& database) {
  std::vector<std::string> rows;
  store::SqliteStatement all = database.prepare(
      "SELECT notification_id, channel, status, attempts, next_attempt_at, claimed_until, "
      "COALESCE(last_error, 'NULL'), updated_at FROM notification_deliveries "
      "ORDER BY notification_id, channel");
  while (all.step()) {
    std::string row;
    for (int i = 0; i < 8; ++i)
      row += all.column_text(i) + "|";
    rows.push_back(row);
  }
  return rows;
}

TEST(NotifyStateSchema, DropsTheChannelCheckKeepingEveryDelivery) {
  TempDir dir;
  testing::create_legacy_state_store(dir / "state.db", 10);
  std::vector<std::string> before;
  {
    store::SqliteDatabase database(dir / "state.db");
    database.execute(
        "INSERT INTO users (id, email, username, created_at) VALUES (1, 'a@x.org', 'a', 1);"
        "INSERT INTO notifications (id, user_id, title, source, created_at, expires_at) VALUES "
        "(1, 1, 'one', 'cli', 10, 99), (2, 1, 'two', 'cli', 20, 99);"
        "INSERT INTO notification_deliveries VALUES "
        "(1, 'telegram', 'failed', 8, 30, 0, 'HTTP 502', 31),"
        "(1, 'desktop', 'acknowledged', 1, 10, 0, NULL, 12),"
        "(2, 'telegram', 'pending', 2, 40, 70, 'timeout', 41);");
    EXPECT_THROW(database.execute("INSERT INTO notification_deliveries VALUES "
                                  "(2, 'pager', 'pending', 0, 1, 0, NULL, 1)"),
                 Error)
        << "the legacy fixture has no CHECK to drop";
    before = deliveries(database);
  }
  store::StateStore store(dir / "state.db");
  store::SqliteDatabase& database = store.database();
  ASSERT_EQ(before.size(), 3u);
  EXPECT_EQ(deliveries(database), before);

  database.execute(
      "INSERT INTO notification_deliveries VALUES (2, 'pager', 'pending', 0, 1, 0, NULL, 1)");
  EXPECT_THROW(database.execute("INSERT INTO notification_deliveries VALUES "
                                "(2, 'email', 'lost', 0, 1, 0, NULL, 1)"),
               Error)
      << "the status CHECK went too";
  store::SqliteStatement index = database.prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'deliveries_due'");
  ASSERT_TRUE(index.step());
  EXPECT_EQ(index.column_int(0), 1);
  database.execute("DELETE FROM notifications WHERE id = 1");
  EXPECT_EQ(deliveries(database).size(), 2u) << "deliveries no longer follow their notification";
}

}  // namespace
}  // namespace da::notify
