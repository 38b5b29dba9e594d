#include "da/ops/restore.hpp"

#include <cerrno>
#include <chrono>
#include <map>
#include <optional>

#include <unistd.h>

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/common/hash.hpp"
#include "da/common/instance_lock.hpp"
#include "da/common/log.hpp"
#include "da/common/progress_bar.hpp"
#include "da/common/strings.hpp"
#include "da/config/instance_config_loader.hpp"
#include "da/ops/file_tree.hpp"
#include "da/store/migrations.hpp"
#include "da/store/state_store.hpp"
#include "da/store/store_contents.hpp"

namespace da::ops {

namespace fs = std::filesystem;

namespace {

const std::string kPid = std::to_string(::getpid());

fs::path normalized(const fs::path& path) {
  fs::path result = fs::absolute(path).lexically_normal();
  return result.has_filename() ? result : result.parent_path();
}

// The items of one part, with paths relative to the part.
std::vector<BackupItem> items_of(const BackupManifest& manifest, const std::string& part) {
  std::vector<BackupItem> items;
  for (BackupItem item : manifest.items) {
    if (item.path == part) {
      item.path.clear();
      items.push_back(item);
    } else if (item.path.rfind(part + "/", 0) == 0) {
      item.path = item.path.substr(part.size() + 1);
      items.push_back(item);
    }
  }
  return items;
}

InstanceLocations target_locations(const fs::path& source, const BackupManifest& manifest,
                                   const fs::path& config_dir, const config::EnvLookup& env) {
  fs::path absolute_dir = normalized(config_dir);
  if (manifest.has_part(std::string(kConfigPart) + "/instance.yaml")) {
    fs::path saved = source / kConfigPart / "instance.yaml";
    config::ConfigLoadResult parsed = config::parse_instance_config(
        read_file(saved), (absolute_dir / "instance.yaml").string(), absolute_dir, env);
    return InstanceLocations::of(parsed.config);
  }
  return InstanceLocations::of(config::load_instance_config_or_throw(config_dir, env));
}

// The state store: replaced in one transaction; the previous content is kept until the end.
class StateStep {
 public:
  StateStep(fs::path backup, fs::path target, BackupItem item, fs::path work)
      : backup_(std::move(backup)),
        target_(std::move(target)),
        item_(std::move(item)),
        work_(std::move(work)) {}

  void commit() {
    existed_ = fs::exists(target_);
    if (existed_) {
      store::SqliteDatabase(target_).backup_to(work_ / "previous-state.db");
    } else {
      make_folders(target_.parent_path(), 0750);
    }
    store::SqliteDatabase database(target_, {.file_mode = item_.mode});
    database.restore_from(backup_);
    if (!existed_) apply_ownership(target_, item_.owner, item_.group, item_.mode);
    committed_ = true;
  }

  void roll_back() noexcept {
    if (!committed_) return;
    try {
      if (existed_) {
        store::SqliteDatabase(target_).restore_from(work_ / "previous-state.db");
      } else {
        for (const char* suffix : {"", "-wal", "-shm"})
          fs::remove(target_.string() + suffix);
      }
    } catch (const std::exception& e) {
      log::error("could not put the previous state store back: {}", e.what());
    }
  }

 private:
  fs::path backup_;
  fs::path target_;
  BackupItem item_;
  fs::path work_;
  bool existed_ = false;
  bool committed_ = false;
};

// A folder of the data directory (metadata, parquet): staged whole, swapped by two renames.
class TreeStep {
 public:
  TreeStep(fs::path backup_part, fs::path target, std::vector<BackupItem> items, fs::path work)
      : backup_part_(std::move(backup_part)),
        target_(std::move(target)),
        items_(std::move(items)),
        staged_(work / ("new-" + target_.filename().string())),
        previous_(work / ("old-" + target_.filename().string())) {}

  void stage(ProgressBar* progress) {
    for (const BackupItem& item : items_) {
      fs::path to = item.path.empty() ? staged_ : staged_ / item.path;
      if (item.folder) {
        make_folders(to, 0700);
      } else {
        copy_checked(backup_part_ / item.path, to, item, progress);
      }
    }
    // Modes last, deepest first: a folder's own mode may not let root's copy in, but never
    // mind; it may not let the owner in before the files are there.
    for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
      fs::path path = it->path.empty() ? staged_ : staged_ / it->path;
      apply_ownership(path, it->owner, it->group, it->mode);
    }
  }

  void commit() {
    existed_ = fs::exists(target_);
    if (existed_) rename_durably(target_, previous_);
    moved_aside_ = existed_;
    make_folders(target_.parent_path(), 0755);
    rename_durably(staged_, target_);
    committed_ = true;
  }

  void roll_back() noexcept {
    try {
      if (committed_) rename_durably(target_, staged_);
      if (moved_aside_) rename_durably(previous_, target_);
    } catch (const std::exception& e) {
      log::error("could not put {} back (it is in {}): {}", target_.string(), previous_.string(),
                 e.what());
    }
  }

  static void copy_checked(const fs::path& from, const fs::path& to, const BackupItem& item,
                           ProgressBar* progress) {
    if (copy_file_hashed(from, to, 0600, progress) != item.sha256)
      throw Error(ErrorKind::kData,
                  "backup file " + from.string() + " changed while it was restored: try again");
  }

 private:
  fs::path backup_part_;
  fs::path target_;
  std::vector<BackupItem> items_;
  fs::path staged_;
  fs::path previous_;
  bool existed_ = false;
  bool moved_aside_ = false;
  bool committed_ = false;
};

// A file of the config or the catalog: staged beside its target (through a symbolic link, so
// that a linked file stays linked) and renamed over it.
class FileStep {
 public:
  FileStep(fs::path backup_file, fs::path target, BackupItem item)
      : backup_file_(std::move(backup_file)), item_(std::move(item)) {
    std::error_code error;
    fs::path resolved = fs::weakly_canonical(target, error);
    target_ = error ? target : resolved;
    staged_ = target_.parent_path() / ("." + target_.filename().string() + ".restore-" + kPid);
    previous_ = target_.parent_path() / ("." + target_.filename().string() + ".previous-" + kPid);
  }

  bool unchanged() const {
    return fs::is_regular_file(target_) && sha256_file_hex(target_) == item_.sha256;
  }
  bool replaces_something() const { return fs::exists(target_); }
  const fs::path& target() const { return target_; }

  void stage(ProgressBar* progress) {
    TreeStep::copy_checked(backup_file_, staged_, item_, progress);
    apply_ownership(staged_, item_.owner, item_.group, item_.mode);
  }

  void commit() {
    existed_ = fs::exists(target_);
    if (existed_) {
      if (::link(target_.c_str(), previous_.c_str()) != 0)
        throw_system_error("cannot keep the previous version of", target_.string(), errno);
      kept_previous_ = true;
    }
    rename_durably(staged_, target_);
    committed_ = true;
  }

  void roll_back() noexcept {
    std::error_code ignored;
    try {
      if (committed_ && kept_previous_) rename_durably(previous_, target_);
      if (committed_ && !existed_) fs::remove(target_, ignored);
    } catch (const std::exception& e) {
      log::error("could not put {} back (it is in {}): {}", target_.string(), previous_.string(),
                 e.what());
    }
    fs::remove(staged_, ignored);
  }

  void clean_up() noexcept {
    std::error_code ignored;
    fs::remove(previous_, ignored);
    fs::remove(staged_, ignored);
  }

 private:
  fs::path backup_file_;
  BackupItem item_;
  fs::path target_;
  fs::path staged_;
  fs::path previous_;
  bool existed_ = false;
  bool kept_previous_ = false;
  bool committed_ = false;
};

class Restorer {
 public:
  Restorer(const fs::path& source, const BackupManifest& manifest,
           const InstanceLocations& instance)
      : source_(source),
        manifest_(manifest),
        instance_(instance),
        work_(instance.data_dir / ".staging" / ("restore-" + kPid)) {
    plan_state();
    plan_tree(kMetadataPart, instance_.metadata());
    plan_tree(kParquetPart, instance_.parquet());
    plan_files(kConfigPart, instance_.config_dir);
    plan_files(kDocsPart, instance_.docs_dir);
  }
  ~Restorer() {
    std::error_code ignored;
    fs::remove_all(work_, ignored);
  }

  // What the restore would replace that holds something else.
  const std::vector<std::string>& conflicts() const { return conflicts_; }

  void run(bool show_progress) {
    prepare_data_dir();
    make_folders(work_, 0700);
    for (const auto& [folder, item] : folders_) {
      if (fs::exists(folder)) continue;
      make_folders(folder, item.mode);
      apply_ownership(folder, item.owner, item.group, item.mode);
    }
    uint64_t bytes = 0;
    for (const BackupItem& item : manifest_.items)
      if (item.path != kStatePart) bytes += item.size;
    std::optional<ProgressBar> progress;
    if (show_progress) progress.emplace("restore: copying", bytes, "bytes");
    for (TreeStep& tree : trees_)
      tree.stage(progress ? &*progress : nullptr);
    for (FileStep& file : files_)
      file.stage(progress ? &*progress : nullptr);
    if (progress) progress->finish();
    commit();
  }

 private:
  // A data directory the restore creates gets the owner of what the backup puts in it.
  void prepare_data_dir() {
    if (!fs::is_directory(instance_.data_dir)) {
      make_folders(instance_.data_dir, 0755);
      for (const BackupItem& item : manifest_.items) {
        if (item.path == kMetadataPart || item.path == kStatePart) {
          apply_ownership(instance_.data_dir, item.owner, item.group, 0755);
          break;
        }
      }
    }
    make_folder_owned_like_parent(instance_.data_dir / ".staging", 0755);
  }

  void plan_state() {
    std::vector<BackupItem> items = items_of(manifest_, kStatePart);
    if (items.empty()) return;
    state_.emplace(source_ / kStatePart, instance_.state_db, items.front(), work_);
    if (store::holds_data(instance_.state_db))
      conflicts_.push_back(instance_.state_db.string() + " holds data");
  }

  void plan_tree(const std::string& part, const fs::path& target) {
    std::vector<BackupItem> items = items_of(manifest_, part);
    if (items.empty()) return;
    size_t files = 0;
    for (const TreeEntry& entry : list_tree(target))
      files += !entry.folder;
    if (files > 0)
      conflicts_.push_back(target.string() + " holds " + std::to_string(files) + " file(s)");
    trees_.emplace_back(source_ / part, target, std::move(items), work_);
  }

  void plan_files(const std::string& part, const fs::path& root) {
    for (const BackupItem& item : items_of(manifest_, part)) {
      fs::path target = item.path.empty() ? root : root / item.path;
      if (item.folder) {
        folders_.emplace_back(target, item);
        continue;
      }
      FileStep step(source_ / part / item.path, target, item);
      if (step.unchanged()) continue;
      if (step.replaces_something()) conflicts_.push_back(step.target().string() + " differs");
      files_.push_back(std::move(step));
    }
  }

  void commit() {
    size_t trees_done = 0;
    size_t files_done = 0;
    try {
      if (state_) state_->commit();
      for (; trees_done < trees_.size(); ++trees_done)
        trees_[trees_done].commit();
      for (; files_done < files_.size(); ++files_done)
        files_[files_done].commit();
    } catch (...) {
      if (files_done < files_.size()) files_[files_done].roll_back();
      while (files_done > 0)
        files_[--files_done].roll_back();
      if (trees_done < trees_.size()) trees_[trees_done].roll_back();
      while (trees_done > 0)
        trees_[--trees_done].roll_back();
      if (state_) state_->roll_back();
      throw;
    }
    for (FileStep& file : files_)
      file.clean_up();
  }

  const fs::path& source_;
  const BackupManifest& manifest_;
  const InstanceLocations& instance_;
  fs::path work_;
  std::optional<StateStep> state_;
  std::vector<TreeStep> trees_;
  std::vector<std::pair<fs::path, BackupItem>> folders_;
  std::vector<FileStep> files_;
  std::vector<std::string> conflicts_;
};

BackupManifest read_manifest(const fs::path& source) {
  fs::path file = source / "manifest.json";
  if (!fs::is_regular_file(file))
    throw Error(ErrorKind::kNotFound, source.string() +
                                          " holds no manifest.json: it is not a backup made by "
                                          "da backup (or the backup did not finish)");
  return BackupManifest::parse(read_file(file), file.string());
}

// A backup from a newer da: refused before anything changes, naming both versions.
void check_schema_version(const fs::path& source, const BackupManifest& manifest) {
  if (!manifest.has_part(kStatePart)) return;
  store::SqliteDatabase saved(source / kStatePart, {.read_only = true});
  store::pending_migrations(saved, store::state_migrations());
}

std::optional<InstanceLock> lock_out_syncs(const InstanceLocations& instance) {
  if (!fs::is_directory(instance.data_dir)) return std::nullopt;
  fs::path lock_file = instance.data_dir / ".sync.lock";
  bool existed = fs::exists(lock_file);
  InstanceLock lock = InstanceLock::acquire(lock_file, "sync");
  if (!existed) {  // the service user must still be able to take it
    TreeEntry owner = describe(instance.data_dir);
    apply_ownership(lock_file, owner.owner, owner.group, 0644);
  }
  return lock;
}

std::string refusal(const std::vector<std::string>& conflicts) {
  std::vector<std::string> shown(conflicts.begin(),
                                 conflicts.begin() + std::min<long>(5, std::ssize(conflicts)));
  std::string more = conflicts.size() > shown.size()
                         ? " and " + std::to_string(conflicts.size() - shown.size()) + " more"
                         : "";
  return "the instance is not empty: " + join(shown, "; ") + more +
         ". Stop its services and restore with --force to replace it";
}

RestoreSummary restore_checked(const RestoreOptions& options, const config::EnvLookup& env) {
  auto started = std::chrono::steady_clock::now();
  fs::path source = normalized(options.source);
  RestoreSummary summary;
  summary.manifest = read_manifest(source);
  {
    std::optional<ProgressBar> progress;
    if (options.show_progress)
      progress.emplace("restore: verifying", summary.manifest.total_bytes(), "bytes");
    verify_backup(source, summary.manifest, progress ? &*progress : nullptr);
  }
  check_schema_version(source, summary.manifest);
  summary.instance = target_locations(source, summary.manifest, options.config_dir, env);

  std::optional<InstanceLock> sync_lock = lock_out_syncs(summary.instance);
  Restorer restorer(source, summary.manifest, summary.instance);
  summary.replaced = restorer.conflicts();
  if (!summary.replaced.empty() && !options.force)
    throw Error(ErrorKind::kConflict, refusal(summary.replaced));
  restorer.run(options.show_progress);
  if (summary.manifest.has_part(kStatePart)) {
    store::StateStore store(summary.instance.state_db);
    for (const store::Migration& migration : store.applied_migrations())
      summary.migrations_applied.push_back(
          migration.space + " " + std::to_string(migration.version) + " " + migration.name);
  }
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace

RestoreSummary restore_backup(const RestoreOptions& options, const config::EnvLookup& env) {
  try {
    return restore_checked(options, env);
  } catch (const fs::filesystem_error& e) {
    throw Error(ErrorKind::kInternal, std::string("restore failed: ") + e.what());
  }
}

}  // namespace da::ops
