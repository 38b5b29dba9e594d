#include "da/distribution/manifest.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "da/common/error.hpp"
#include "da/common/file_stamp.hpp"
#include "da/common/hash.hpp"
#include "da/common/strings.hpp"
#include "da/published/published_files.hpp"
#include "da/published/table_location.hpp"
#include "da/store/sqlite_database.hpp"

namespace da::distribution {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

bool is_real_directory(const fs::path& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

// Documentation of a dataset (docs/datasets/<dataset>..., <dataset>.md, <dataset>_x.md) goes
// only to analysts who receive the dataset.
bool dataset_page_allowed(const std::string& relative, const std::set<std::string>& datasets) {
  if (relative.rfind("datasets/", 0) != 0) return true;
  std::string rest = relative.substr(9);
  return std::any_of(datasets.begin(), datasets.end(), [&](const std::string& dataset) {
    return rest.rfind(dataset, 0) == 0 &&
           (rest.size() == dataset.size() ||
            std::string("/._").find(rest[dataset.size()]) != std::string::npos);
  });
}

}  // namespace

std::string DigestCache::sha256_of(const fs::path& file, int64_t size, int64_t mtime_ns) {
  auto lookup = database_.prepare(
      "SELECT sha256 FROM file_digests WHERE path = ? AND size = ? AND mtime_ns = ?");
  lookup.bind_all(file.string(), size, mtime_ns);
  if (lookup.step()) return lookup.column_text(0);
  std::string digest = sha256_file_hex(file);
  database_
      .prepare(
          "INSERT INTO file_digests (path, size, mtime_ns, sha256) VALUES (?, ?, ?, ?) "
          "ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
          "sha256 = excluded.sha256")
      .bind_all(file.string(), size, mtime_ns, digest)
      .run();
  return digest;
}

Manifest build_manifest(const fs::path& data_dir, const fs::path& docs_dir,
                        const std::vector<VisibleTable>& tables, DigestCache& digests) {
  Manifest manifest;
  auto add = [&](const fs::path& file, const std::string& path, const std::string& table_id) {
    if (auto stat = regular_file_stamp(file))
      manifest.files.push_back(
          {path, stat->size, digests.sha256_of(file, stat->size, stat->mtime_ns), table_id});
  };
  std::set<std::string> datasets;
  for (const VisibleTable& table : tables) {
    if (!table.dataset.empty()) datasets.insert(table.dataset);
    published::TableLocation location =
        published::table_location(data_dir, table.folder, table.name, table.partitioned);
    std::string base = std::string(published::kParquetFolder) + "/";
    if (!table.partitioned) {
      add(location.single_file, base + published::single_file_path(table.folder, table.name),
          table.id);
      continue;
    }
    base += published::partition_dir_path(table.folder, table.name) + "/";
    for (const fs::path& file : published::partition_files(location))
      add(file, base + file.filename().string(), table.id);
  }
  if (is_real_directory(docs_dir)) {
    for (auto it = fs::recursive_directory_iterator(docs_dir);
         it != fs::recursive_directory_iterator(); ++it) {
      if (it->is_symlink()) {
        it.disable_recursion_pending();
        continue;
      }
      std::string relative = it->path().lexically_relative(docs_dir).generic_string();
      if (it->is_regular_file() && dataset_page_allowed(relative, datasets))
        add(it->path(), "docs/" + relative, "");
    }
  }
  std::sort(manifest.files.begin(), manifest.files.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  return manifest;
}

bool may_pull(const std::vector<VisibleTable>& tables, const std::string& path) {
  if (path.rfind("parquet/", 0) == 0) return is_visible_path(tables, path.substr(8));
  if (path.rfind("docs/", 0) != 0) return false;
  std::set<std::string> datasets;
  for (const VisibleTable& table : tables) {
    if (!table.dataset.empty()) datasets.insert(table.dataset);
  }
  return dataset_page_allowed(path.substr(5), datasets);
}

fs::path broker_path(const fs::path& data_dir, const fs::path& docs_dir, const std::string& path) {
  std::vector<std::string> segments = split(path, '/');
  if (segments.size() < 2) return {};
  for (const std::string& segment : segments) {
    if (segment.empty() || segment == "." || segment == ".." ||
        segment.find('\0') != std::string::npos)
      return {};
  }
  std::string rest = path.substr(segments[0].size() + 1);
  if (segments[0] == published::kParquetFolder) return published::parquet_root(data_dir) / rest;
  if (segments[0] == "docs") return docs_dir / rest;
  return {};
}

std::string Manifest::to_json() const {
  Json list = Json::array();
  for (const ManifestFile& file : files)
    list.push_back({{"path", file.path},
                    {"size", file.size},
                    {"sha256", file.sha256},
                    {"table", file.table_id}});
  return Json{{"version", 1}, {"files", list}}.dump();
}

Manifest Manifest::from_json(const std::string& json) {
  Json document = Json::parse(json, nullptr, false);
  if (!document.is_object() || document.value("version", 0) != 1 || !document.contains("files") ||
      !document["files"].is_array())
    throw Error(ErrorKind::kSource, "the pull manifest is not a version 1 manifest");
  Manifest manifest;
  for (const Json& file : document["files"]) {
    if (!file.is_object() || !file.value("path", Json()).is_string() ||
        !file.value("size", Json()).is_number_integer() ||
        !file.value("sha256", Json()).is_string())
      throw Error(ErrorKind::kSource,
                  "the pull manifest has a malformed file entry: " + file.dump().substr(0, 200));
    manifest.files.push_back({file["path"].get<std::string>(), file["size"].get<int64_t>(),
                              file["sha256"].get<std::string>(), file.value("table", "")});
  }
  return manifest;
}

const ManifestFile* Manifest::find(const std::string& path) const {
  auto found = std::lower_bound(
      files.begin(), files.end(), path,
      [](const ManifestFile& file, const std::string& key) { return file.path < key; });
  return found != files.end() && found->path == path ? &*found : nullptr;
}

}  // namespace da::distribution
