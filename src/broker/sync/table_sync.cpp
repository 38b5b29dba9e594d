#include "da/sync/table_sync.hpp"

#include "table_sync/strategies.hpp"
#include "table_sync/sync_run.hpp"

namespace da::sync {

TableSyncResult TableSync::run(const TableSyncInput& input) {
  table_sync::SyncRun run(source_, connection_, settings_, input);
  std::filesystem::create_directories(input.staging_dir);
  // Row order only matters where duplicates are resolved by it (see table_sync::stage());
  // everything else is written faster without keeping it.
  connection_.execute("SET preserve_insertion_order = false");
  switch (input.table.strategy) {
    case catalog::SyncStrategy::kFullRefresh:
      table_sync::sync_full_refresh(run);
      break;
    case catalog::SyncStrategy::kIncremental:
      table_sync::sync_incremental(run);
      break;
    case catalog::SyncStrategy::kPartitioned:
      table_sync::sync_replace_partitions(run);
      break;
  }
  return std::move(run.result);
}

}  // namespace da::sync
