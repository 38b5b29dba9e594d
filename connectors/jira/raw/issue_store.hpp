// The complete issue documents as fetched: <data_dir>/raw/jira/issues/<KEY>.json, each written
// atomically (a temp file in the same folder, mode 0660, renamed), so that readers (the batch
// rebuild, the consistency check) never see half a document. A deleted issue keeps its file,
// marked with "_deleted_at". Only keys of Jira's form name a file, so no key leaves the folder.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "da/common/time.hpp"

namespace da::connectors::jira {

// Whether `key` is an issue key of Jira's form (^[A-Z][A-Z0-9_]+-[0-9]+$, e.g. SUPPORT-14991).
bool is_issue_key(std::string_view key);

class IssueStore {
 public:
  // The store under `data_dir` (paths.data_dir). Creates nothing until a document is written.
  explicit IssueStore(const std::filesystem::path& data_dir);

  const std::filesystem::path& folder() const { return folder_; }

  // Replaces the document of `key` (creating the folders with mode 0770 when missing).
  // Error(kData) when `key` is not an issue key.
  void put(const std::string& key, const nlohmann::json& document);
  // The document of `key`, or nullopt when there is none. Error(kData) for a key that is not an
  // issue key or a file that is not a JSON object, naming the file.
  std::optional<nlohmann::json> get(const std::string& key) const;
  // Adds "_deleted_at": `when` (ISO-8601 UTC) to the document of `key`. False when there is no
  // document (nothing to mark).
  bool mark_deleted(const std::string& key, Timestamp when);
  // The keys that have a document, sorted.
  std::vector<std::string> keys() const;

 private:
  std::filesystem::path path_of(const std::string& key) const;

  std::filesystem::path folder_;
};

}  // namespace da::connectors::jira
