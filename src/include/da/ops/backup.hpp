// da backup: a consistent copy of an instance while its services run, in a new folder.
//
// Holds: the state store (SQLite's online backup API), <data_dir>/metadata, docs_dir (the
// catalog: data_description.md, metrics, schema.yml, datasets), instance.yaml, with
// `include_secrets` the .env (mode 0600), with `with_data` the published Parquet, and
// manifest.json. The state store, the metadata and the Parquet are taken together while no
// table publishes (PublicationLock), so a table is never half in the backup; the Parquet is
// hard-linked then (a published file is never changed in place, only replaced) and copied
// after. Everything is written to a temp folder beside the target and renamed into place.
#pragma once

#include <filesystem>
#include <string>

#include "da/ops/backup_manifest.hpp"
#include "da/ops/instance_locations.hpp"

namespace da::ops {

struct BackupOptions {
  std::filesystem::path target;  // must not exist or be an empty folder
  bool with_data = false;
  bool include_secrets = false;
  bool show_progress = true;
  std::string da_version;  // for the manifest
};

struct BackupSummary {
  std::filesystem::path folder;
  BackupManifest manifest;
  double seconds = 0;
};

// Throws Error(kConflict) if the target is not empty or publications do not pause within a
// minute; Error(kInternal) for I/O failures (the temp folder is removed).
BackupSummary create_backup(const InstanceLocations& instance, const BackupOptions& options);

}  // namespace da::ops
