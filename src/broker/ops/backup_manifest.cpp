#include "da/ops/backup_manifest.hpp"

#include <set>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/common/error.hpp"
#include "da/common/hash.hpp"
#include "da/common/progress_bar.hpp"

namespace da::ops {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

constexpr const char* kFormat = "da-backup";

std::string mode_text(mode_t mode) {
  return fmt::format("{:04o}", mode);
}

// A relative path inside one of the parts, without "." or ".." steps.
bool is_valid_item_path(const std::string& path) {
  if (path.empty() || path.front() == '/') return false;
  size_t start = 0;
  bool first = true;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string step = path.substr(start, end - start);
    if (step.empty() || step == "." || step == "..") return false;
    if (first && step != kStatePart && step != kConfigPart && step != kDocsPart &&
        step != kMetadataPart && step != kParquetPart)
      return false;
    first = false;
    start = end + 1;
  }
  return true;
}

BackupItem parse_item(const Json& node, bool folder, const std::string& file) {
  BackupItem item;
  item.folder = folder;
  item.path = node.at("path").get<std::string>();
  if (!is_valid_item_path(item.path))
    throw Error(ErrorKind::kData, file + ": \"" + item.path +
                                      "\" is not a path inside the backup's parts (state.db, "
                                      "config/, docs/, metadata/, parquet/)");
  item.mode = static_cast<mode_t>(std::stoul(node.at("mode").get<std::string>(), nullptr, 8));
  item.owner = node.value("owner", "");
  item.group = node.value("group", "");
  if (!folder) {
    item.size = node.at("size").get<uint64_t>();
    item.sha256 = node.at("sha256").get<std::string>();
  }
  return item;
}

[[noreturn]] void corrupted(const fs::path& file, const std::string& problem) {
  throw Error(ErrorKind::kData, "backup file " + file.string() + " " + problem +
                                    ": the backup is damaged; use another one");
}

}  // namespace

std::string BackupManifest::to_json() const {
  Json folders = Json::array();
  Json files = Json::array();
  for (const BackupItem& item : items) {
    Json node = {{"path", item.path}};
    if (!item.folder) {
      node["size"] = item.size;
      node["sha256"] = item.sha256;
    }
    node["mode"] = mode_text(item.mode);
    node["owner"] = item.owner;
    node["group"] = item.group;
    (item.folder ? folders : files).push_back(std::move(node));
  }
  Json document = {{"format", kFormat},
                   {"format_version", format_version},
                   {"da_version", da_version},
                   {"schema_version", schema_version},
                   {"created_at", created_at},
                   {"host", host},
                   {"with_data", with_data},
                   {"includes_secrets", includes_secrets},
                   {"source",
                    {{"config_dir", config_dir},
                     {"data_dir", data_dir},
                     {"docs_dir", docs_dir},
                     {"state_db", state_db}}},
                   {"folders", folders},
                   {"files", files}};
  return document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

BackupManifest BackupManifest::parse(std::string_view json, const std::string& file) {
  Json document = Json::parse(json, nullptr, false);
  if (document.is_discarded() || !document.is_object() || document.value("format", "") != kFormat)
    throw Error(ErrorKind::kData, file + " is not a da backup manifest");
  BackupManifest manifest;
  try {
    manifest.format_version = document.at("format_version").get<int>();
    if (manifest.format_version > kBackupFormatVersion)
      throw Error(ErrorKind::kData,
                  file + " has backup format " + std::to_string(manifest.format_version) +
                      ", newer than this da reads (" + std::to_string(kBackupFormatVersion) +
                      "): restore it with the da version that wrote it (" +
                      document.value("da_version", "?") + ")");
    manifest.da_version = document.at("da_version").get<std::string>();
    manifest.schema_version = document.at("schema_version").get<int>();
    manifest.created_at = document.at("created_at").get<std::string>();
    manifest.host = document.value("host", "");
    manifest.with_data = document.at("with_data").get<bool>();
    manifest.includes_secrets = document.at("includes_secrets").get<bool>();
    const Json& source = document.at("source");
    manifest.config_dir = source.value("config_dir", "");
    manifest.data_dir = source.value("data_dir", "");
    manifest.docs_dir = source.value("docs_dir", "");
    manifest.state_db = source.value("state_db", "");
    for (const Json& node : document.at("folders"))
      manifest.items.push_back(parse_item(node, true, file));
    for (const Json& node : document.at("files"))
      manifest.items.push_back(parse_item(node, false, file));
  } catch (const Json::exception& e) {
    throw Error(ErrorKind::kData, file + " is not a valid backup manifest: " + e.what());
  } catch (const std::logic_error&) {  // std::stoul on a mode that is not octal
    throw Error(ErrorKind::kData, file + " has a file mode that is not an octal number");
  }
  return manifest;
}

bool BackupManifest::has_part(std::string_view part) const {
  for (const BackupItem& item : items) {
    if (item.path == part || item.path.rfind(std::string(part) + "/", 0) == 0) return true;
  }
  return false;
}

uint64_t BackupManifest::total_bytes() const {
  uint64_t total = 0;
  for (const BackupItem& item : items)
    total += item.size;
  return total;
}

void verify_backup(const fs::path& folder, const BackupManifest& manifest, ProgressBar* progress) {
  std::set<std::string> listed;
  for (const BackupItem& item : manifest.items) {
    fs::path path = folder / item.path;
    listed.insert(item.path);
    std::error_code error;
    fs::file_status status = fs::symlink_status(path, error);
    if (item.folder) {
      if (!fs::is_directory(status)) corrupted(path, "is missing (a folder)");
      continue;
    }
    if (!fs::exists(status)) corrupted(path, "is missing");
    if (!fs::is_regular_file(status)) corrupted(path, "is not a regular file");
    uint64_t size = fs::file_size(path);
    if (size != item.size)
      corrupted(path, "has " + std::to_string(size) + " bytes, the manifest says " +
                          std::to_string(item.size));
    if (sha256_file_hex(path) != item.sha256)
      corrupted(path, "does not match its SHA-256 in the manifest");
    if (progress != nullptr) progress->advance(size);
  }
  for (const char* part : {kConfigPart, kDocsPart, kMetadataPart, kParquetPart}) {
    if (!fs::is_directory(folder / part)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(folder / part)) {
      std::string relative = entry.path().lexically_relative(folder).generic_string();
      if (!listed.count(relative)) corrupted(entry.path(), "is not in the manifest");
    }
  }
}

}  // namespace da::ops
