// The first load of an incremental partitioned table: the source is staged once, then published
// in chunks of consecutive partitions spanning about initial_load_chunk_days, recording progress
// after each, so that an interrupted load resumes where it stopped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sync_run.hpp"

#include "da/catalog/table_config.hpp"
#include "da/published/partition_manifest.hpp"

namespace da::sync::table_sync {

// How far an initial load got, kept in the table's state as resume_json:
// {"done": [keys], "rows_read", "duplicates", "started_at", "source_files"}.
struct InitialLoadProgress {
  std::vector<std::string> done;  // partition keys published, in order
  int64_t rows_read = 0;
  int64_t duplicates = 0;
  std::string started_at;    // ISO 8601, when the staged export began
  std::string source_files;  // source_files_json() of the staged export

  std::string to_json() const;
  // nullopt when there is no progress to resume: `json` missing, not JSON, or without "done".
  static std::optional<InitialLoadProgress> parse(const std::optional<std::string>& json);
};

// `keys` sorted and grouped so that a group spans about `chunk_days`; the __null__ partition
// goes last, alone.
std::vector<std::vector<std::string>> chunk_keys(std::vector<std::string> keys,
                                                 catalog::PartitionGranularity granularity,
                                                 int chunk_days);

// Runs or resumes the initial load into `manifest` (the published partitions, if any).
void initial_load(SyncRun& run, PartitionManifest& manifest);

}  // namespace da::sync::table_sync
