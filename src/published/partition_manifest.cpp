#include "da/published/partition_manifest.hpp"

#include <nlohmann/json.hpp>

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"

namespace da::published {

int64_t PartitionManifest::rows() const {
  int64_t total = 0;
  for (const PartitionEntry& entry : partitions)
    total += entry.rows;
  return total;
}

int64_t PartitionManifest::bytes() const {
  int64_t total = 0;
  for (const PartitionEntry& entry : partitions)
    total += entry.bytes;
  return total;
}

const PartitionEntry* PartitionManifest::find(const std::string& key) const {
  for (const PartitionEntry& entry : partitions) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

std::string PartitionManifest::to_json() const {
  nlohmann::ordered_json columns = nlohmann::ordered_json::array();
  for (const SchemaColumn& column : schema.columns)
    columns.push_back({{"name", column.name}, {"type", column.type}});
  nlohmann::ordered_json parts = nlohmann::ordered_json::array();
  for (const PartitionEntry& entry : partitions) {
    parts.push_back({{"key", entry.key},
                     {"file", entry.file},
                     {"rows", entry.rows},
                     {"bytes", entry.bytes},
                     {"sha256", entry.sha256}});
  }
  nlohmann::ordered_json document = {{"version", 1},
                                     {"table_id", table_id},
                                     {"table_name", table_name},
                                     {"partition_by", partition_by},
                                     {"granularity", granularity},
                                     {"updated_at", updated_at},
                                     {"rows", rows()},
                                     {"bytes", bytes()},
                                     {"columns", columns},
                                     {"partitions", parts}};
  return document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::optional<PartitionManifest> PartitionManifest::read(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  try {
    auto document = nlohmann::json::parse(read_file(path));
    PartitionManifest manifest;
    manifest.table_id = document.at("table_id");
    manifest.table_name = document.at("table_name");
    manifest.partition_by = document.at("partition_by");
    manifest.granularity = document.at("granularity");
    manifest.updated_at = document.at("updated_at");
    for (const auto& column : document.at("columns")) {
      manifest.schema.columns.push_back({column.at("name"), column.at("type")});
    }
    for (const auto& part : document.at("partitions")) {
      manifest.partitions.push_back(
          {part.at("key"), part.at("file"), part.at("rows"), part.at("bytes"), part.at("sha256")});
    }
    return manifest;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kData,
                "unreadable partition manifest " + path.string() + ": " + e.what());
  }
}

}  // namespace da::published
