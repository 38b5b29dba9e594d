// Table metadata fetched from Keboola, kept in the state store (source_metadata_cache) for a
// time, so that catalog pages, discovery and schema.yml do not call the API each time. Syncs do
// not read it: an export's column list must be the table's current one. A cache that cannot be
// read or written only costs an API call (it is logged, never fatal). Thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace da::store {
class StateStore;
}

namespace da::connectors::keboola {

class MetadataCache {
 public:
  // `source` keys this project's entries (e.g. "keboola <stack url> <project>").
  MetadataCache(std::filesystem::path state_db, std::string source, std::chrono::minutes ttl);
  ~MetadataCache();

  // The value stored for `item` less than ttl ago.
  std::optional<std::string> get(const std::string& item);
  void put(const std::string& item, const std::string& value);

 private:
  store::StateStore* open();

  std::filesystem::path state_db_;
  std::string source_;
  std::chrono::minutes ttl_;
  std::mutex mutex_;
  std::unique_ptr<store::StateStore> store_;
};

}  // namespace da::connectors::keboola
