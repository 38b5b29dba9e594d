// Where a table's published Parquet lives, below a Parquet root (<data_dir>/parquet on the
// broker, server/parquet in an analyst's workspace):
//   <root>/<folder>/<name>.parquet                  single file
//   <root>/<folder>/<name>/<key>.parquet            partitioned ...
//   <root>/<folder>/<name>/_manifest.json           ... with its manifest
//   <root>/<folder>/.da-publish-<name>.json         journal of an unfinished publication
// Formats: docs/formats.md.
#pragma once

#include <filesystem>
#include <string>

#include "da/catalog/data_description.hpp"
#include "da/catalog/table_config.hpp"

namespace da::published {

inline constexpr const char* kParquetFolder = "parquet";
inline constexpr const char* kManifestFile = "_manifest.json";
inline constexpr const char* kJournalPrefix = ".da-publish-";

// <data_dir>/parquet: the root of everything published.
std::filesystem::path parquet_root(const std::filesystem::path& data_dir);

// '/'-separated paths below the Parquet root, as the pull manifest and the rsync filters name
// them: "<folder>/<name>.parquet" and "<folder>/<name>".
std::string single_file_path(const std::string& folder, const std::string& name);
std::string partition_dir_path(const std::string& folder, const std::string& name);

// The file name of partition `key`: "<key>.parquet".
std::string partition_file_name(const std::string& key);

struct TableLocation {
  std::filesystem::path folder;         // <root>/<folder>
  std::filesystem::path single_file;    // <root>/<folder>/<name>.parquet
  std::filesystem::path partition_dir;  // <root>/<folder>/<name>
  bool partitioned = false;             // what the catalog declares, not what is on disk

  std::filesystem::path manifest() const { return partition_dir / kManifestFile; }
  std::filesystem::path partition_file(const std::string& key) const {
    return partition_dir / partition_file_name(key);
  }
  // The journal of an unfinished publication of this table (see da/sync/publisher.hpp).
  std::filesystem::path journal() const;
};

// The location of table `name` of catalog folder `folder` under <data_dir>/parquet. Does not
// touch the disk.
TableLocation table_location(const std::filesystem::path& data_dir, const std::string& folder,
                             const std::string& name, bool partitioned);
TableLocation table_location(const std::filesystem::path& data_dir, const std::string& folder,
                             const catalog::TableConfig& table);
TableLocation table_location(const std::filesystem::path& data_dir,
                             const catalog::DataDescription& catalog,
                             const catalog::TableConfig& table);

}  // namespace da::published
