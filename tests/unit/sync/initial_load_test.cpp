#include "sync/table_sync/initial_load.hpp"

#include <gtest/gtest.h>

namespace da::sync::table_sync {
namespace {

using Chunks = std::vector<std::vector<std::string>>;
using catalog::PartitionGranularity;

TEST(ChunkKeys, GroupsSortedMonthsIntoChunksOfAboutTheConfiguredDays) {
  EXPECT_EQ(chunk_keys({"2024-03", "2024-01", "2024-04", "2024-02", "2024-05"},
                       PartitionGranularity::kMonth, 60),
            (Chunks{{"2024-01", "2024-02"}, {"2024-03", "2024-04"}, {"2024-05"}}));
}

TEST(ChunkKeys, PutsTheNullPartitionLastAndAlone) {
  EXPECT_EQ(chunk_keys({"__null__", "2024-01-02", "2024-01-01"}, PartitionGranularity::kDay, 7),
            (Chunks{{"2024-01-01", "2024-01-02"}, {"__null__"}}));
}

TEST(ChunkKeys, TakesAtLeastOneKeyPerChunkWhenAKeySpansMoreThanTheChunk) {
  EXPECT_EQ(chunk_keys({"2023", "2024"}, PartitionGranularity::kYear, 30),
            (Chunks{{"2023"}, {"2024"}}));
  EXPECT_EQ(chunk_keys({}, PartitionGranularity::kYear, 30), Chunks{});
}

TEST(InitialLoadProgress, SurvivesTheStateStoreAsJson) {
  InitialLoadProgress progress;
  progress.done = {"2024-02", "2024-01"};
  progress.rows_read = 12;
  progress.duplicates = 3;
  progress.started_at = "2024-05-01T10:00:00Z";
  progress.source_files = R"([{"modified_ns":1,"path":"/in/a.csv","size":10}])";
  std::optional<InitialLoadProgress> read = InitialLoadProgress::parse(progress.to_json());
  ASSERT_TRUE(read);
  EXPECT_EQ(read->done, progress.done);
  EXPECT_EQ(read->rows_read, 12);
  EXPECT_EQ(read->duplicates, 3);
  EXPECT_EQ(read->started_at, progress.started_at);
  EXPECT_EQ(read->source_files, progress.source_files);
}

TEST(InitialLoadProgress, IsEmptyWhenThereIsNothingToResumeFrom) {
  EXPECT_FALSE(InitialLoadProgress::parse(std::nullopt));
  EXPECT_FALSE(InitialLoadProgress::parse("not json"));
  EXPECT_FALSE(InitialLoadProgress::parse("[1, 2]"));
  EXPECT_FALSE(InitialLoadProgress::parse(R"({"rows_read": 5})"));
}

TEST(InitialLoadProgress, ReadsMissingCountersAsZero) {
  std::optional<InitialLoadProgress> read = InitialLoadProgress::parse(R"({"done": []})");
  ASSERT_TRUE(read);
  EXPECT_TRUE(read->done.empty());
  EXPECT_EQ(read->rows_read, 0);
  EXPECT_EQ(read->source_files, "[]");
}

}  // namespace
}  // namespace da::sync::table_sync
