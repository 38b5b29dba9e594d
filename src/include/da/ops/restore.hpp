// da restore: puts a backup made by da backup back into an instance.
//
// Order: the manifest and every checksum are verified, and the state store's schema version
// checked against this da, before anything changes. The backup's instance.yaml decides where
// the parts go (read as if it were in the target config folder). Everything is then staged
// beside its target, and committed: the state store first (SQLite's backup API, one
// transaction), then the metadata and Parquet folders swapped by rename, then the config and
// catalog files renamed over theirs one by one (through symbolic links, so an instance
// repository stays linked; files the backup does not hold are left). A failure while
// committing puts back what was already replaced. Finally the store is migrated if the backup
// is older than this da.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "da/config/interpolation.hpp"
#include "da/ops/backup_manifest.hpp"
#include "da/ops/instance_locations.hpp"

namespace da::ops {

struct RestoreOptions {
  std::filesystem::path source;      // the backup folder
  std::filesystem::path config_dir;  // the target instance's config folder
  bool force = false;                // replace an instance that holds something else
  bool show_progress = true;
};

struct RestoreSummary {
  BackupManifest manifest;
  InstanceLocations instance;
  std::vector<std::string> replaced;            // what held something else before (with force)
  std::vector<std::string> migrations_applied;  // "notify 3 name", after the restore
  double seconds = 0;
};

// Throws Error(kData) for a damaged backup (naming the file), Error(kConfig) for a backup
// newer than this da, Error(kConflict) when the instance holds something else and `force` is
// not set (listing what), or when a sync runs.
RestoreSummary restore_backup(const RestoreOptions& options,
                              const config::EnvLookup& env = config::process_environment());

}  // namespace da::ops
