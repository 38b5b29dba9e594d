// The Telegram bot's update offset, kept in its own table of the state store.
#include "telegram_bot/update_offset.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/store/state_store.hpp"

namespace da::services::telegram_bot {
namespace {

TEST(UpdateOffset, IsZeroUntilStoredAndThenTheLastOneStoredInAnyConnection) {
  testing::TempDir dir;
  {
    store::StateStore store(dir / "state.db");
    UpdateOffset offset(store.database());
    EXPECT_EQ(offset.get(), 0);
    offset.put(100001);
    offset.put(100002);
  }
  store::StateStore reopened(dir / "state.db");
  EXPECT_EQ(UpdateOffset(reopened.database()).get(), 100002);
}

}  // namespace
}  // namespace da::services::telegram_bot
