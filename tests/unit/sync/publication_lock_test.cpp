#include "da/sync/publication_lock.hpp"

#include <atomic>
#include <optional>
#include <thread>

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/error.hpp"
#include "da/sync/publisher.hpp"

namespace da::sync {
namespace {

using da::testing::TempDir;
using namespace std::chrono_literals;

// What a snapshot relies on: no file of a publication moves while it holds the lock.
TEST(PublicationLock, APublicationWaitsWhileASnapshotHoldsTheLock) {
  TempDir dir;
  auto staged = dir.write("staging/new.parquet", "new");
  auto target = dir / "parquet/shop/orders.parquet";
  std::optional<PublicationLock> snapshot = PublicationLock::exclusive(dir / "parquet", 1s);
  std::atomic<bool> published = false;
  std::jthread publisher([&] {
    Publication publication;
    publication.moves.emplace_back(staged, target);
    publish(publication, dir / "parquet/shop/.da-publish-orders.json");
    published = true;
  });
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(published);
  EXPECT_FALSE(std::filesystem::exists(target));
  snapshot.reset();
  publisher.join();
  EXPECT_TRUE(published);
  EXPECT_TRUE(std::filesystem::exists(target));
}

TEST(PublicationLock, ASnapshotWaitsForRunningPublicationsAndGivesUpAfterItsPatience) {
  TempDir dir;
  std::filesystem::create_directories(dir / "parquet");
  {
    PublicationLock first = PublicationLock::shared(dir / "parquet");
    PublicationLock second = PublicationLock::shared(dir / "parquet");  // tables in parallel
    auto started = std::chrono::steady_clock::now();
    try {
      PublicationLock::exclusive(dir / "parquet", 200ms);
      FAIL() << "the snapshot got the lock during a publication";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kConflict);
      EXPECT_NE(std::string(e.what()).find("still being published"), std::string::npos);
    }
    EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
  }
  EXPECT_NO_THROW(PublicationLock::exclusive(dir / "parquet", 200ms));
}

}  // namespace
}  // namespace da::sync
