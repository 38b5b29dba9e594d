#include "da/ops/backup.hpp"

#include <cerrno>
#include <chrono>
#include <algorithm>
#include <optional>

#include <signal.h>
#include <unistd.h>

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/common/hash.hpp"
#include "da/common/log.hpp"
#include "da/common/progress_bar.hpp"
#include "da/common/time.hpp"
#include "da/ops/file_tree.hpp"
#include "da/store/migrations.hpp"
#include "da/store/sqlite_database.hpp"
#include "da/sync/publication_lock.hpp"

namespace da::ops {

namespace fs = std::filesystem;

namespace {

constexpr mode_t kBackupFileMode = 0600;
constexpr mode_t kBackupFolderMode = 0700;
constexpr auto kPublicationPatience = std::chrono::minutes(1);

std::string host_name() {
  char name[256] = {};
  return ::gethostname(name, sizeof(name) - 1) == 0 ? name : "";
}

fs::path normalized(const fs::path& path) {
  fs::path result = fs::absolute(path).lexically_normal();
  return result.has_filename() ? result : result.parent_path();
}

bool is_inside(const fs::path& path, const fs::path& folder) {
  fs::path inner = fs::weakly_canonical(path);
  fs::path outer = fs::weakly_canonical(folder);
  auto mismatch = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return mismatch.first == outer.end();
}

void refuse_used_target(const fs::path& target, const InstanceLocations& instance) {
  for (const fs::path& folder : {instance.data_dir, instance.docs_dir}) {
    if (is_inside(target, folder))
      throw Error(ErrorKind::kConfig, target.string() + " is inside " + folder.string() +
                                          ", which is backed up: choose a folder outside it");
  }
  std::error_code error;
  fs::file_status status = fs::symlink_status(target, error);
  if (!fs::exists(status)) return;
  if (!fs::is_directory(status))
    throw Error(ErrorKind::kConflict, target.string() + " exists and is not a folder");
  if (!fs::is_empty(target))
    throw Error(ErrorKind::kConflict,
                target.string() + " is not empty: give a new folder for the backup");
}

// Snapshot folders of backups whose process died (kill -9, power loss).
void remove_abandoned_snapshots(const fs::path& staging) {
  if (!fs::is_directory(staging)) return;
  for (const auto& entry : fs::directory_iterator(staging)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("backup-", 0) != 0) continue;
    pid_t pid = static_cast<pid_t>(std::atoi(name.c_str() + 7));
    if (pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM)) continue;
    std::error_code ignored;
    fs::remove_all(entry.path(), ignored);
  }
}

// Removes a folder when it goes out of scope, unless released.
class FolderGuard {
 public:
  explicit FolderGuard(fs::path folder) : folder_(std::move(folder)) {}
  ~FolderGuard() {
    std::error_code ignored;
    if (!folder_.empty()) fs::remove_all(folder_, ignored);
  }
  FolderGuard(const FolderGuard&) = delete;
  FolderGuard& operator=(const FolderGuard&) = delete;
  void release() { folder_.clear(); }

 private:
  fs::path folder_;
};

class BackupWriter {
 public:
  BackupWriter(const InstanceLocations& instance, const BackupOptions& options, fs::path temp)
      : instance_(instance), options_(options), temp_(std::move(temp)) {}

  // The parts that must agree with each other, taken while no table publishes.
  void copy_consistent_parts(const fs::path& snapshot) {
    std::optional<sync::PublicationLock> lock;
    if (fs::is_directory(instance_.data_dir))
      lock.emplace(sync::PublicationLock::exclusive(
          instance_.parquet(),
          std::chrono::duration_cast<std::chrono::milliseconds>(kPublicationPatience)));
    copy_state_store();
    copy_tree(instance_.metadata(), kMetadataPart, nullptr);
    if (options_.with_data) link_parquet(snapshot);
  }

  void copy_parquet(const fs::path& snapshot) {
    if (!options_.with_data || parquet_.empty()) return;
    std::optional<ProgressBar> progress;
    if (options_.show_progress) progress.emplace("backup: Parquet", total_size(parquet_), "bytes");
    for (const TreeEntry& entry : parquet_) {
      std::string path = (fs::path(kParquetPart) / entry.relative).generic_string();
      if (entry.folder) {
        add_folder(path, entry);
      } else {
        add_file(snapshot / entry.relative, path, entry, progress ? &*progress : nullptr);
      }
    }
  }

  void copy_catalog_and_config() {
    copy_tree(instance_.docs_dir, kDocsPart, nullptr);
    if (!fs::is_directory(instance_.config_dir)) return;
    add_folder(kConfigPart, describe(instance_.config_dir));
    std::vector<fs::path> files = {instance_.instance_yaml()};
    if (options_.include_secrets) files.push_back(instance_.env_file());
    for (const fs::path& file : files) {
      if (!fs::is_regular_file(file)) continue;
      add_file(file, (fs::path(kConfigPart) / file.filename()).generic_string(), describe(file),
               nullptr);
    }
  }

  BackupManifest manifest() {
    manifest_.format_version = kBackupFormatVersion;
    manifest_.da_version = options_.da_version;
    manifest_.created_at = format_iso8601(now_utc());
    manifest_.host = host_name();
    manifest_.with_data = options_.with_data;
    manifest_.includes_secrets = options_.include_secrets && fs::exists(instance_.env_file());
    manifest_.config_dir = instance_.config_dir.string();
    manifest_.data_dir = instance_.data_dir.string();
    manifest_.docs_dir = instance_.docs_dir.string();
    manifest_.state_db = instance_.state_db.string();
    return manifest_;
  }

 private:
  void copy_state_store() {
    if (!fs::exists(instance_.state_db)) return;
    fs::path copy = temp_ / kStatePart;
    store::SqliteDatabase(instance_.state_db).backup_to(copy);
    store::SqliteDatabase saved(copy, {.read_only = true});
    manifest_.schema_version = store::schema_version(saved);
    TreeEntry original = describe(instance_.state_db);
    manifest_.items.push_back({kStatePart, false, fs::file_size(copy), sha256_file_hex(copy),
                               original.mode, original.owner, original.group});
  }

  // Hard links of the published files: they are only ever replaced, never changed in place.
  void link_parquet(const fs::path& snapshot) {
    parquet_ = list_tree(instance_.parquet());
    if (parquet_.empty()) return;
    add_folder(kParquetPart, describe(instance_.parquet()));
    make_folder_owned_like_parent(snapshot.parent_path(), 0755);
    make_folders(snapshot, kBackupFolderMode);
    for (const TreeEntry& entry : parquet_) {
      fs::path to = snapshot / entry.relative;
      if (entry.folder) {
        make_folders(to, kBackupFolderMode);
        continue;
      }
      fs::path from = instance_.parquet() / entry.relative;
      std::error_code error;
      fs::create_hard_link(from, to, error);
      if (error) fs::copy_file(from, to);  // another file system, or links not allowed
    }
  }

  void copy_tree(const fs::path& root, const char* part, ProgressBar* progress) {
    if (!fs::is_directory(root)) return;
    add_folder(part, describe(root));
    for (const TreeEntry& entry : list_tree(root)) {
      std::string path = (fs::path(part) / entry.relative).generic_string();
      if (entry.folder) {
        add_folder(path, entry);
      } else {
        add_file(root / entry.relative, path, entry, progress);
      }
    }
  }

  void add_folder(const std::string& path, const TreeEntry& original) {
    make_folders(temp_ / path, kBackupFolderMode);
    manifest_.items.push_back({path, true, 0, "", original.mode, original.owner, original.group});
  }

  void add_file(const fs::path& from, const std::string& path, const TreeEntry& original,
                ProgressBar* progress) {
    fs::path to = temp_ / path;
    std::string sha256 = copy_file_hashed(from, to, kBackupFileMode, progress);
    manifest_.items.push_back(
        {path, false, fs::file_size(to), sha256, original.mode, original.owner, original.group});
  }

  const InstanceLocations& instance_;
  const BackupOptions& options_;
  fs::path temp_;
  BackupManifest manifest_;
  std::vector<TreeEntry> parquet_;
};

BackupSummary write_backup(const InstanceLocations& instance, const BackupOptions& options) {
  auto started = std::chrono::steady_clock::now();
  fs::path target = normalized(options.target);
  refuse_used_target(target, instance);
  fs::path temp = target.parent_path() /
                  ("." + target.filename().string() + ".partial-" + std::to_string(::getpid()));
  make_folders(target.parent_path(), 0755);
  make_folders(temp, kBackupFolderMode);
  FolderGuard temp_guard(temp);

  fs::path staging = instance.data_dir / ".staging";
  remove_abandoned_snapshots(staging);
  fs::path snapshot = staging / ("backup-" + std::to_string(::getpid()));
  FolderGuard snapshot_guard(snapshot);

  BackupWriter writer(instance, options, temp);
  writer.copy_consistent_parts(snapshot);
  writer.copy_parquet(snapshot);
  writer.copy_catalog_and_config();
  BackupSummary summary;
  summary.manifest = writer.manifest();
  write_file_atomically(temp / "manifest.json", summary.manifest.to_json(), kBackupFileMode);

  if (fs::exists(target)) fs::remove(target);  // the empty folder checked above
  rename_durably(temp, target);
  temp_guard.release();
  summary.folder = target;
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  log::info("backup written to {} ({} files, {} bytes)", target.string(),
            summary.manifest.items.size(), summary.manifest.total_bytes());
  return summary;
}

}  // namespace

BackupSummary create_backup(const InstanceLocations& instance, const BackupOptions& options) {
  try {
    return write_backup(instance, options);
  } catch (const fs::filesystem_error& e) {
    throw Error(ErrorKind::kInternal, std::string("backup failed: ") + e.what());
  }
}

}  // namespace da::ops
