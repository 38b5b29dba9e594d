// A table published as partitions: reading what is published (the manifest, or the partition
// files when it is missing), and the partition key of a row.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "sync_run.hpp"

#include "da/published/partition_manifest.hpp"

namespace da::sync::table_sync {

// The published partitions: the manifest, or (when it is missing) the partition files.
PartitionManifest published_partitions(SyncRun& run);

// The manifest entry of the partition `key` held in `file`.
PartitionEntry describe_partition(duck::Connection& connection, const std::string& key,
                                  const std::filesystem::path& file);

// The published files of the partitions `keys`.
std::vector<std::filesystem::path> partition_files(const published::TableLocation& layout,
                                                   const PartitionManifest& manifest,
                                                   const std::set<std::string>& keys);

// The SQL expression of a row's partition key in data of `schema`; fails the table when
// partition_by is not one of its columns.
std::string partition_key_of(const SyncRun& run, const TableSchema& schema);

// Records the published partitions' rows, bytes and schema in run.result.
void describe_partitioned(SyncRun& run, const PartitionManifest& manifest);

}  // namespace da::sync::table_sync
