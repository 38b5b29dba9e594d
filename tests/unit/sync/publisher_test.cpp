#include "da/sync/publisher.hpp"

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/atomic_file.hpp"

namespace da::sync {
namespace {

using da::testing::read_text;
using da::testing::TempDir;

TEST(Publisher, MovesFilesRemovesOldOnesAndLeavesNoJournal) {
  TempDir dir;
  auto staged = dir.write("staging/new.parquet", "new");
  auto old_file = dir.write("parquet/shop/gone.parquet", "old");
  Publication publication;
  publication.moves.emplace_back(staged, dir / "parquet/shop/orders/2024-01.parquet");
  publication.removals.push_back(old_file);
  publish(publication, dir / "parquet/shop/.da-publish-orders.json");
  EXPECT_EQ(read_text(dir / "parquet/shop/orders/2024-01.parquet"), "new");
  EXPECT_FALSE(std::filesystem::exists(old_file));
  EXPECT_FALSE(std::filesystem::exists(dir / "parquet/shop/.da-publish-orders.json"));
  EXPECT_FALSE(std::filesystem::exists(staged));
}

// A crash after the journal and the first move: the next run completes the rest.
TEST(Publisher, AnInterruptedPublicationIsCompletedByTheNextRun) {
  TempDir dir;
  auto first = dir.write("staging/a.parquet", "A");
  auto second = dir.write("staging/b.parquet", "B");
  auto manifest = dir.write("staging/_manifest.json", "{}");
  dir.write("parquet/shop/orders/2024-02.parquet", "old B");
  dir.write("parquet/shop/orders/2024-03.parquet", "emptied");
  Publication publication;
  publication.moves = {{first, dir / "parquet/shop/orders/2024-01.parquet"},
                       {second, dir / "parquet/shop/orders/2024-02.parquet"},
                       {manifest, dir / "parquet/shop/orders/_manifest.json"}};
  publication.removals = {dir / "parquet/shop/orders/2024-03.parquet"};
  // What publish() had done when the process died: the journal and the first move.
  write_file_atomically(
      dir / "parquet/shop/.da-publish-orders.json",
      "{\"moves\":[[\"" + first.string() + "\",\"" +
          (dir / "parquet/shop/orders/2024-01.parquet").string() + "\"],[\"" + second.string() +
          "\",\"" + (dir / "parquet/shop/orders/2024-02.parquet").string() + "\"],[\"" +
          manifest.string() + "\",\"" + (dir / "parquet/shop/orders/_manifest.json").string() +
          "\"]],\"removals\":[\"" + (dir / "parquet/shop/orders/2024-03.parquet").string() +
          "\"]}");
  rename_durably(first, dir / "parquet/shop/orders/2024-01.parquet");

  EXPECT_EQ(complete_interrupted_publications(dir / "parquet"), 1);
  EXPECT_EQ(read_text(dir / "parquet/shop/orders/2024-01.parquet"), "A");
  EXPECT_EQ(read_text(dir / "parquet/shop/orders/2024-02.parquet"), "B");
  EXPECT_EQ(read_text(dir / "parquet/shop/orders/_manifest.json"), "{}");
  EXPECT_FALSE(std::filesystem::exists(dir / "parquet/shop/orders/2024-03.parquet"));
  EXPECT_FALSE(std::filesystem::exists(dir / "parquet/shop/.da-publish-orders.json"));
  EXPECT_EQ(complete_interrupted_publications(dir / "parquet"), 0);
}

}  // namespace
}  // namespace da::sync
