// Rewriting the partitions a delta touches and publishing them with a new manifest.
#pragma once

#include <string>

#include "sync_run.hpp"

#include "da/published/partition_manifest.hpp"

namespace da::sync::table_sync {

// The delta's rows (`relation`, holding `delta.rows` rows of `delta.schema`) and how they meet
// the published partitions.
struct PartitionDelta {
  const StagedBatch& delta;
  const std::string& relation;
  const TableSchema& target;    // the schema to publish
  bool schema_changed = false;  // then every published partition is rewritten to `target`
  // true: merge on the primary key (rows of a key move to the delta's partition); false: the
  // delta's partitions replace their published versions.
  bool merge = true;
};

// Writes the partitions the delta touches, from the delta rows and the published rows that stay,
// and publishes them with the updated `manifest`. Records counts and sizes in run.result.
void write_partitions(SyncRun& run, const PartitionDelta& delta, PartitionManifest& manifest);

}  // namespace da::sync::table_sync
