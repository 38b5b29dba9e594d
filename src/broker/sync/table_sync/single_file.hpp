// A table published as one Parquet file: its schema, its publication and what it holds.
#pragma once

#include <filesystem>
#include <optional>

#include "sync_run.hpp"

namespace da::sync::table_sync {

// The schema of the published file, or nullopt when there is none.
std::optional<TableSchema> published_single_file_schema(SyncRun& run);

// Publishes `staged` as the table's file (removing a partitioned version of the table) and
// records its rows, bytes and schema in run.result.
void publish_single_file(SyncRun& run, const std::filesystem::path& staged);

// Records the published file's rows, bytes and schema in run.result.
void describe_single_file(SyncRun& run);

}  // namespace da::sync::table_sync
