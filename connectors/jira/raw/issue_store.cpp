#include "jira/raw/issue_store.hpp"

#include <algorithm>
#include <cerrno>
#include <regex>

#include <sys/stat.h>

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"

namespace da::connectors::jira {

namespace {

constexpr mode_t kFolderMode = 0770;
constexpr mode_t kDocumentMode = 0660;

// Creates `folder` and the folders above it that are missing, each with kFolderMode.
void create_folders(const std::filesystem::path& folder) {
  if (std::filesystem::is_directory(folder)) return;
  create_folders(folder.parent_path());
  if (::mkdir(folder.c_str(), kFolderMode) != 0 && errno != EEXIST)
    throw_system_error("cannot create the folder", folder.string(), errno);
  ::chmod(folder.c_str(), kFolderMode);
}

}  // namespace

bool is_issue_key(std::string_view key) {
  static const std::regex pattern("^[A-Z][A-Z0-9_]+-[0-9]+$");
  return key.size() <= 255 && std::regex_match(key.begin(), key.end(), pattern);
}

IssueStore::IssueStore(const std::filesystem::path& data_dir)
    : folder_(data_dir / "raw" / "jira" / "issues") {}

std::filesystem::path IssueStore::path_of(const std::string& key) const {
  if (!is_issue_key(key))
    throw Error(ErrorKind::kData, "'" + key +
                                      "' is not a Jira issue key (PROJECT-123): no document is "
                                      "read or written for it");
  return folder_ / (key + ".json");
}

void IssueStore::put(const std::string& key, const nlohmann::json& document) {
  std::filesystem::path path = path_of(key);
  create_folders(folder_);
  write_file_atomically(
      path, document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), kDocumentMode);
}

std::optional<nlohmann::json> IssueStore::get(const std::string& key) const {
  std::filesystem::path path = path_of(key);
  if (!std::filesystem::exists(path)) return std::nullopt;
  nlohmann::json document = nlohmann::json::parse(read_file(path), nullptr, false);
  if (!document.is_object())
    throw Error(ErrorKind::kData, path.string() +
                                      " is not a JSON object: delete it and let the worker or "
                                      "`da jira backfill` fetch the issue again");
  return document;
}

bool IssueStore::mark_deleted(const std::string& key, Timestamp when) {
  std::optional<nlohmann::json> document = get(key);
  if (!document) return false;
  (*document)["_deleted_at"] = format_iso8601(when).substr(0, 19) + "Z";
  put(key, *document);
  return true;
}

std::vector<std::string> IssueStore::keys() const {
  std::vector<std::string> keys;
  if (!std::filesystem::is_directory(folder_)) return keys;
  for (const auto& entry : std::filesystem::directory_iterator(folder_)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::string key = entry.path().stem().string();
    if (is_issue_key(key)) keys.push_back(std::move(key));
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace da::connectors::jira
