#include "sync/table_sync/sync_state.hpp"

#include <gtest/gtest.h>

namespace da::sync::table_sync {
namespace {

TEST(SourceFiles, SurviveTheStateStoreAsJson) {
  std::vector<SourceFile> files{{"/in/orders-1.csv", 120, 1'700'000'000'123'456'789},
                                {"/in/orders-2.csv", 0, 5}};
  EXPECT_EQ(parse_source_files(source_files_json(files)), files);
}

TEST(SourceFiles, UnreadableOrMissingJsonMeansEveryFileCountsAsChanged) {
  EXPECT_TRUE(parse_source_files(std::nullopt).empty());
  EXPECT_TRUE(parse_source_files("not json").empty());
  EXPECT_TRUE(parse_source_files(R"([{"path": "/in/a.csv"}])").empty());
}

}  // namespace
}  // namespace da::sync::table_sync
