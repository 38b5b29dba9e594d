#include "keboola/adapter/keboola_source.hpp"
#include <gtest/gtest.h>

namespace da::connectors::keboola {
namespace {

constexpr int64_t kDay = 86'400;

Timestamp at(int64_t seconds) {
  return from_epoch_micros(seconds * 1'000'000);
}

TEST(KeboolaExportWindows, IncrementalRunsUseTheEnginesChangedSince) {
  catalog::TableConfig table;
  table.strategy = catalog::SyncStrategy::kIncremental;
  sync::ExtractRequest request{table, at(1000), std::nullopt, {}, true};
  EXPECT_EQ(export_windows(request, {}, at(5000), 0), (std::vector<ExportWindow>{{1000, {}}}));
}

TEST(KeboolaExportWindows, FullRefreshIsOneOpenExport) {
  catalog::TableConfig table;
  table.max_history_days = 10;
  sync::ExtractRequest request{table, std::nullopt, std::nullopt, {}, false};
  EXPECT_EQ(export_windows(request, {}, at(100 * kDay), 0), (std::vector<ExportWindow>{{}}));
}

TEST(KeboolaExportWindows, FirstIncrementalLoadIsLimitedToMaxHistory) {
  catalog::TableConfig table;
  table.strategy = catalog::SyncStrategy::kIncremental;
  table.max_history_days = 10;
  sync::ExtractRequest request{table, std::nullopt, std::nullopt, {}, true};
  TableDetail small;
  small.data_size_bytes = 10;
  EXPECT_EQ(export_windows(request, small, at(100 * kDay), 1'000'000),
            (std::vector<ExportWindow>{{90 * kDay, {}}}));
}

TEST(KeboolaExportWindows, BigFirstLoadsAreChunkedFromTheTablesCreation) {
  catalog::TableConfig table;
  table.strategy = catalog::SyncStrategy::kIncremental;
  table.initial_load_chunk_days = 30;
  sync::ExtractRequest request{table, std::nullopt, std::nullopt, {}, true};
  TableDetail big;
  big.data_size_bytes = 1'000;
  big.created = "1970-01-11T00:00:00+0000";  // day 10
  auto windows = export_windows(request, big, at(100 * kDay), 1'000);
  // Days 10..40, 40..70, 70..100 (open): the first has no lower bound, the last no upper one.
  EXPECT_EQ(windows, (std::vector<ExportWindow>{
                         {std::nullopt, 40 * kDay}, {40 * kDay, 70 * kDay}, {70 * kDay, {}}}));
}

TEST(KeboolaExportWindows, ChunksAreCappedAt120) {
  catalog::TableConfig table;
  table.strategy = catalog::SyncStrategy::kIncremental;
  table.initial_load_chunk_days = 1;
  table.max_history_days = 1000;
  sync::ExtractRequest request{table, std::nullopt, std::nullopt, {}, true};
  TableDetail big;
  big.data_size_bytes = 1;
  auto windows = export_windows(request, big, at(2000 * kDay), 0);
  EXPECT_LE(windows.size(), 120u);
  EXPECT_EQ(windows.front().since, 1000 * kDay);
  EXPECT_FALSE(windows.back().until);
  for (size_t i = 1; i < windows.size(); ++i)
    EXPECT_EQ(windows[i].since, windows[i - 1].until);  // adjacent: no row twice, none lost
}

}  // namespace
}  // namespace da::connectors::keboola
