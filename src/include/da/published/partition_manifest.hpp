// _manifest.json of a partitioned table: its partitions with rows, bytes and sha256, so that
// readers (the HTTPS pull, the profiler) need not open every file. Format: docs/formats.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "da/published/table_schema.hpp"

namespace da::published {

struct PartitionEntry {
  std::string key;   // 2024-01, __null__, ...
  std::string file;  // 2024-01.parquet
  int64_t rows = 0;
  int64_t bytes = 0;
  std::string sha256;
};

struct PartitionManifest {
  std::string table_id;
  std::string table_name;
  std::string partition_by;
  std::string granularity;
  std::string updated_at;
  TableSchema schema;
  std::vector<PartitionEntry> partitions;  // sorted by key

  int64_t rows() const;
  int64_t bytes() const;
  const PartitionEntry* find(const std::string& key) const;

  std::string to_json() const;
  // nullopt if the file does not exist; Error(kData) naming the file if it is not a manifest.
  static std::optional<PartitionManifest> read(const std::filesystem::path& path);
};

}  // namespace da::published
