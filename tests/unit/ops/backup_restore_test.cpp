// da backup and da restore on real folders and a real state store (the CLI tests run them
// during a sync).
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "da/common/error.hpp"
#include "da/ops/backup.hpp"
#include "da/ops/restore.hpp"
#include "da/store/state_store.hpp"

namespace da::ops {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::TempDir;

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

std::string notes_in(const fs::path& state_db) {
  store::SqliteDatabase database(state_db, {.read_only = true});
  store::SqliteStatement statement =
      database.prepare("SELECT group_concat(text, ',') FROM notes ORDER BY rowid");
  statement.step();
  return statement.is_null(0) ? "" : statement.column_text(0);
}

// An instance in <root>: config/instance.yaml, docs/, data/{metadata,parquet,state.db}.
InstanceLocations make_instance(const TempDir& dir, const std::string& root,
                                const std::string& flavour) {
  dir.write(root + "/config/instance.yaml",
            "paths:\n  data_dir: ./data\n  docs_dir: ./docs\n# " + flavour + "\n");
  dir.write(root + "/config/.env", "SECRET_KEY=" + flavour + "\n");
  dir.write(root + "/docs/data_description.md", "# Catalog " + flavour + "\n");
  dir.write(root + "/docs/metrics/sales/revenue.yml", "name: revenue\n");
  dir.write(root + "/data/metadata/sync_state.json", "{\"" + flavour + "\": 1}\n");
  dir.write(root + "/data/parquet/sales/orders.parquet", "PAR1 orders " + flavour);
  dir.write(root + "/data/parquet/private/salaries.parquet", "PAR1 salaries " + flavour);
  ::chmod((dir / (root + "/data/parquet/private")).c_str(), 02750);
  InstanceLocations instance{dir / (root + "/config"), dir / (root + "/docs"),
                             dir / (root + "/data"), dir / (root + "/data/state.db")};
  store::StateStore store(instance.state_db);
  store.database().execute("CREATE TABLE notes (text TEXT)");
  store.database().prepare("INSERT INTO notes VALUES (?)").bind(1, flavour).run();
  return instance;
}

BackupSummary back_up(const InstanceLocations& instance, const fs::path& target,
                      bool with_data = true, bool include_secrets = false) {
  BackupOptions options;
  options.target = target;
  options.with_data = with_data;
  options.include_secrets = include_secrets;
  options.show_progress = false;
  options.da_version = "test";
  return create_backup(instance, options);
}

RestoreSummary restore(const fs::path& source, const fs::path& config_dir, bool force = false) {
  RestoreOptions options;
  options.source = source;
  options.config_dir = config_dir;
  options.force = force;
  options.show_progress = false;
  return restore_backup(options, [](const std::string&) { return std::nullopt; });
}

TEST(Backup, HoldsTheStoreCatalogMetadataConfigAndOnRequestDataAndSecrets) {
  TempDir dir;
  InstanceLocations a = make_instance(dir, "a", "first");
  BackupSummary plain = back_up(a, dir / "plain", false);
  EXPECT_TRUE(fs::exists(dir / "plain/state.db"));
  EXPECT_EQ(read_text(dir / "plain/docs/metrics/sales/revenue.yml"), "name: revenue\n");
  EXPECT_EQ(read_text(dir / "plain/metadata/sync_state.json"), "{\"first\": 1}\n");
  EXPECT_TRUE(fs::exists(dir / "plain/config/instance.yaml"));
  EXPECT_FALSE(fs::exists(dir / "plain/config/.env"));
  EXPECT_FALSE(fs::exists(dir / "plain/parquet"));
  EXPECT_EQ(plain.manifest.schema_version, store::known_schema_version());
  EXPECT_EQ(mode_of(dir / "plain"), 0700u);
  EXPECT_EQ(mode_of(dir / "plain/manifest.json"), 0600u);

  BackupSummary full = back_up(a, dir / "full", true, true);
  EXPECT_EQ(read_text(dir / "full/parquet/private/salaries.parquet"), "PAR1 salaries first");
  EXPECT_EQ(read_text(dir / "full/config/.env"), "SECRET_KEY=first\n");
  EXPECT_EQ(mode_of(dir / "full/config/.env"), 0600u);
  EXPECT_TRUE(full.manifest.includes_secrets);
  EXPECT_FALSE(fs::exists(dir / ("a/data/.staging/backup-" + std::to_string(::getpid()))));
  for (const auto& entry : fs::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename().string().find(".partial-"), std::string::npos);
}

TEST(Backup, RefusesATargetThatHoldsSomething) {
  TempDir dir;
  InstanceLocations a = make_instance(dir, "a", "first");
  dir.write("used/file", "x");
  EXPECT_THROW(back_up(a, dir / "used"), Error);
  fs::create_directories(dir / "empty");
  EXPECT_NO_THROW(back_up(a, dir / "empty"));
  EXPECT_THROW(back_up(a, a.docs_dir / "backups/today"), Error);  // the next would hold it
  EXPECT_THROW(back_up(a, a.data_dir), Error);
}

TEST(Restore, PutsEveryPartIntoAnEmptyInstanceWithItsModes) {
  TempDir dir;
  InstanceLocations a = make_instance(dir, "a", "first");
  back_up(a, dir / "backup", true, true);
  store::StateStore(dir / "b/data/state.db");  // what `da migrate` leaves on a new server
  RestoreSummary summary = restore(dir / "backup", dir / "b/config");
  EXPECT_TRUE(summary.replaced.empty());
  EXPECT_EQ(summary.instance.data_dir, dir / "b/data");
  EXPECT_EQ(notes_in(dir / "b/data/state.db"), "first");
  EXPECT_EQ(read_text(dir / "b/docs/data_description.md"), "# Catalog first\n");
  EXPECT_EQ(read_text(dir / "b/data/parquet/sales/orders.parquet"), "PAR1 orders first");
  EXPECT_EQ(read_text(dir / "b/config/.env"), "SECRET_KEY=first\n");
  EXPECT_EQ(mode_of(dir / "b/data/parquet/private"), 02750u);
  EXPECT_EQ(mode_of(dir / "b/data/state.db"), mode_of(a.state_db));
  EXPECT_EQ(mode_of(dir / "b/config/.env"), mode_of(a.env_file()));
}

TEST(Restore, RefusesAnInstanceThatHoldsOtherDataUnlessForced) {
  TempDir dir;
  InstanceLocations a = make_instance(dir, "a", "first");
  back_up(a, dir / "backup");
  InstanceLocations b = make_instance(dir, "b", "second");
  try {
    restore(dir / "backup", b.config_dir);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConflict);
    std::string message = e.what();
    EXPECT_NE(message.find(b.state_db.string() + " holds data"), std::string::npos) << message;
    EXPECT_NE(message.find("--force"), std::string::npos) << message;
  }
  EXPECT_EQ(notes_in(b.state_db), "second");
  EXPECT_EQ(read_text(b.docs_dir / "data_description.md"), "# Catalog second\n");

  RestoreSummary summary = restore(dir / "backup", b.config_dir, true);
  EXPECT_FALSE(summary.replaced.empty());
  EXPECT_EQ(notes_in(b.state_db), "first");
  EXPECT_EQ(read_text(b.docs_dir / "data_description.md"), "# Catalog first\n");
  EXPECT_EQ(read_text(b.metadata() / "sync_state.json"), "{\"first\": 1}\n");
  EXPECT_EQ(read_text(b.parquet() / "sales/orders.parquet"), "PAR1 orders first");
  EXPECT_EQ(read_text(b.env_file()), "SECRET_KEY=second\n");  // not in the backup: kept
}

// A linked catalog file (an instance repository) stays a link; the file it names is restored.
TEST(Restore, WritesThroughASymlinkedCatalogFile) {
  TempDir dir;
  InstanceLocations a = make_instance(dir, "a", "first");
  back_up(a, dir / "backup");
  InstanceLocations b = make_instance(dir, "b", "second");
  dir.write("repo/data_description.md", "# Catalog in the repo\n");
  fs::remove(b.docs_dir / "data_description.md");
  fs::create_symlink(dir / "repo/data_description.md", b.docs_dir / "data_description.md");
  restore(dir / "backup", b.config_dir, true);
  EXPECT_TRUE(fs::is_symlink(b.docs_dir / "data_description.md"));
  EXPECT_EQ(read_text(dir / "repo/data_description.md"), "# Catalog first\n");
}

// The catalog file cannot be replaced (a folder stands in its place): the state store and the
// data folders already swapped are put back.
TEST(Restore, AFailureWhileCommittingPutsThePreviousStateBack) {
  TempDir dir;
  InstanceLocations a = make_instance(dir, "a", "first");
  back_up(a, dir / "backup");
  InstanceLocations b = make_instance(dir, "b", "second");
  fs::remove(b.docs_dir / "data_description.md");
  dir.write("b/docs/data_description.md/in-the-way", "x");
  EXPECT_THROW(restore(dir / "backup", b.config_dir, true), Error);
  EXPECT_EQ(notes_in(b.state_db), "second");
  EXPECT_EQ(read_text(b.metadata() / "sync_state.json"), "{\"second\": 1}\n");
  EXPECT_EQ(read_text(b.parquet() / "private/salaries.parquet"), "PAR1 salaries second");
  EXPECT_FALSE(fs::exists(b.data_dir / (".staging/restore-" + std::to_string(::getpid()))));
}

TEST(Restore, RefusesABackupWhoseStoreIsNewerThanThisDaBeforeChangingAnything) {
  TempDir dir;
  InstanceLocations a = make_instance(dir, "a", "first");
  {
    store::SqliteDatabase database(a.state_db);
    database.execute(
        "INSERT INTO namespace_migrations VALUES "
        "('sync', 99, 'from the future', '2030-01-01T00:00:00Z')");
  }
  back_up(a, dir / "backup");
  try {
    restore(dir / "backup", dir / "b/config");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "b"));
}

TEST(Restore, MigratesAnOlderStore) {
  TempDir dir;
  InstanceLocations a = make_instance(dir, "a", "first");
  {
    store::SqliteDatabase database(a.state_db);
    database.execute("DROP TABLE pending_filter_refreshes");
    database.execute(
        "DELETE FROM namespace_migrations WHERE namespace = 'accounts' AND version = 1");
  }
  back_up(a, dir / "backup");
  RestoreSummary summary = restore(dir / "backup", dir / "b/config");
  ASSERT_EQ(summary.migrations_applied.size(), 1u);
  EXPECT_EQ(summary.migrations_applied[0].substr(0, 11), "accounts 1 ");
}

}  // namespace
}  // namespace da::ops
