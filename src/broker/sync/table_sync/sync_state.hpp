// The table's sync state: what a run records after success (watermark, published size and
// schema, the source files it read) and what an incremental run reads back from the last one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sync_run.hpp"

namespace da::sync::table_sync {

// [{"path", "size", "modified_ns"}, ...]
std::string source_files_json(const std::vector<SourceFile>& files);
// The files of source_files_json(); none (every file counts as changed) when missing or unreadable.
std::vector<SourceFile> parse_source_files(const std::optional<std::string>& json);

// The new watermark: the greater of the previous one and the delta's max of incremental_column.
std::optional<std::string> max_of_incremental_column(SyncRun& run, const StagedBatch& delta);

// The previous state (or a new one) with the table's id, name and strategy.
TableSyncState base_state(const SyncRun& run);

// Records a successful run in run.result.state, from what run.result says was published.
void finish_state(SyncRun& run, std::optional<std::string> watermark);

// A run that found nothing new: a success that keeps the watermark and the published data.
void finish_unchanged(SyncRun& run);

}  // namespace da::sync::table_sync
