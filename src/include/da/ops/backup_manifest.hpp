// manifest.json of a backup folder (shape in docs/formats.md): what da wrote it, the state
// store's schema version, and every folder and file with its original mode and owner, and for
// files the size and SHA-256 of the copy.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace da {
class ProgressBar;
}

namespace da::ops {

inline constexpr int kBackupFormatVersion = 1;

// The parts of a backup: the top-level names inside the backup folder.
inline constexpr const char* kStatePart = "state.db";     // the state store (a file)
inline constexpr const char* kConfigPart = "config";      // instance.yaml (and .env)
inline constexpr const char* kDocsPart = "docs";          // docs_dir
inline constexpr const char* kMetadataPart = "metadata";  // <data_dir>/metadata
inline constexpr const char* kParquetPart = "parquet";    // <data_dir>/parquet (--with-data)

struct BackupItem {
  std::string path;  // relative to the backup folder, "/"-separated: "docs/metrics/x.yml"
  bool folder = false;
  uint64_t size = 0;   // files
  std::string sha256;  // files
  mode_t mode = 0;     // of the original
  std::string owner;   // of the original, by name
  std::string group;
};

struct BackupManifest {
  int format_version = kBackupFormatVersion;
  std::string da_version;
  int schema_version = 0;  // of the state store copied
  std::string created_at;  // ISO-8601 UTC
  std::string host;
  bool with_data = false;
  bool includes_secrets = false;
  std::string config_dir;  // where the parts came from, for the operator
  std::string data_dir;
  std::string docs_dir;
  std::string state_db;
  std::vector<BackupItem> items;

  std::string to_json() const;
  // Throws Error(kData) naming `file` for anything that is not a manifest this da can read,
  // including a path outside the backup's parts ("../", absolute).
  static BackupManifest parse(std::string_view json, const std::string& file);

  bool has_part(std::string_view part) const;
  uint64_t total_bytes() const;
};

// Checks the files of the backup in `folder` against its manifest: each present with its size
// and SHA-256, and no other file inside the parts. Throws Error(kData) naming the first file
// that differs. Advances `progress` (may be null) by the bytes read.
void verify_backup(const std::filesystem::path& folder, const BackupManifest& manifest,
                   ProgressBar* progress);

}  // namespace da::ops
