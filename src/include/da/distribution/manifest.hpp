// The manifest of what one analyst may pull over HTTPS: every file of the tables they may see
// (parquet/<folder>/<name>.parquet, or each partition of parquet/<folder>/<name>/) and the
// documentation (docs/, without the pages of datasets they do not receive), each with its size
// and SHA-256. Symbolic links are never followed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "da/distribution/selection.hpp"

namespace da::store {
class SqliteDatabase;
}

namespace da::distribution {

struct ManifestFile {
  std::string path;  // '/'-separated, below the instance: "parquet/crm/orders.parquet"
  int64_t size = 0;
  std::string sha256;    // lower-case hex
  std::string table_id;  // "" for documentation
  bool operator==(const ManifestFile&) const = default;
};

struct Manifest {
  std::vector<ManifestFile> files;  // sorted by path

  // {"version": 1, "files": [{"path", "size", "sha256", "table"}...]}
  std::string to_json() const;
  // Throws Error(kSource) naming what is wrong with a manifest that is not one.
  static Manifest from_json(const std::string& json);
  const ManifestFile* find(const std::string& path) const;
};

// SHA-256 of files, remembered in the state store (file_digests) by path, size and
// modification time, so that unchanged files are not read again.
class DigestCache {
 public:
  explicit DigestCache(store::SqliteDatabase& database) : database_(database) {}
  std::string sha256_of(const std::filesystem::path& file, int64_t size, int64_t mtime_ns);

 private:
  store::SqliteDatabase& database_;
};

// The manifest for `tables` over <data_dir>/parquet and <docs_dir>.
Manifest build_manifest(const std::filesystem::path& data_dir,
                        const std::filesystem::path& docs_dir,
                        const std::vector<VisibleTable>& tables, DigestCache& digests);

// True if the analyst who sees `tables` may pull `path` (a manifest path): a file of one of
// those tables, or documentation that is not the page of a dataset they do not receive.
bool may_pull(const std::vector<VisibleTable>& tables, const std::string& path);

// Where a manifest path lives on the broker; empty for a path outside parquet/ and docs/ or
// with a ".." or empty segment.
std::filesystem::path broker_path(const std::filesystem::path& data_dir,
                                  const std::filesystem::path& docs_dir, const std::string& path);

}  // namespace da::distribution
