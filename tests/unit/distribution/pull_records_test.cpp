// When each analyst last pulled: recorded by `da pull`, shown on the dashboard.
#include "da/distribution/pull_records.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/identity/user_store.hpp"
#include "da/store/state_store.hpp"

namespace da::distribution {
namespace {

TEST(PullRecords, AnAnalystWhoNeverPulledHasNoTimeAndTheLatestPullReplacesTheLast) {
  testing::TempDir dir;
  store::StateStore store(dir / "state.db");
  int64_t ana = identity::UserStore(store.database()).ensure("ana@example.com", {}).id;
  PullRecords pulls(store.database());
  EXPECT_FALSE(pulls.last_pulled_at(ana));
  pulls.record(ana, 3, 1000);
  std::optional<int64_t> first = pulls.last_pulled_at(ana);
  ASSERT_TRUE(first);
  pulls.record(ana, 4, 2000);
  EXPECT_GE(*pulls.last_pulled_at(ana), *first);
}

}  // namespace
}  // namespace da::distribution
