// da migrate, da backup, da restore and da status through the real binary: a backup taken
// while a sync runs restores into an empty instance with the same tables and registry.
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "support/background_process.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "da/store/migrations.hpp"
#include "da/store/sqlite_database.hpp"

namespace da {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::ProcessResult;
using testing::read_text;
using testing::run_da;
using testing::TempDir;

int known_in(const std::string& space) {
  int known = 0;
  for (const store::Migration& migration : store::state_migrations())
    if (migration.space == space) known = migration.version;
  return known;
}

int latest_migration() {
  return store::known_schema_version();
}

// One instance in <dir>/<name>: config/instance.yaml with relative paths, the sample data as
// its CSV source.
class Instance {
 public:
  Instance(const TempDir& dir, const std::string& name) : root_(dir / name) {}

  const fs::path& root() const { return root_; }
  fs::path config() const { return root_ / "config"; }
  fs::path state_db() const { return root_ / "data/state.db"; }

  void write_config(const std::string& extra = "") const {
    fs::create_directories(config());
    std::ofstream(config() / "instance.yaml")
        << "data_source:\n  type: csv\n  csv:\n    base_dir: ./incoming\n"
           "paths:\n  data_dir: ./data\n  docs_dir: ./docs\n"
           "sync:\n  memory_limit: 512MB\n  threads: 2\n  parallel_tables: 2\n"
           "logging:\n  level: warn\n"
        << extra;
  }

  // The sample data (CSV) and its catalog, taken into the table registry.
  void make_sample(const std::string& size, const std::string& seed = "42") const {
    write_config();
    generate(size, seed);
    fs::create_directories(root_ / "docs");
    fs::copy_file(root_ / "incoming/data_description.md", root_ / "docs/data_description.md",
                  fs::copy_options::overwrite_existing);
    ProcessResult imported =
        da({"tables", "import", (root_ / "docs/data_description.md").string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  void generate(const std::string& size, const std::string& seed) const {
    ProcessResult generated = run_da(
        {"sample-data", "--size", size, "--seed", seed, "--out", (root_ / "incoming").string()});
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
  }

  ProcessResult da(std::vector<std::string> args,
                   const testing::ProcessOptions& options = {}) const {
    args.insert(args.begin(), {"--config", config().string()});
    return run_da(args, options);
  }

  // `expected_exit` < 0: any exit code.
  nlohmann::json json(std::vector<std::string> args, int expected_exit = 0) const {
    args.insert(args.begin(), "--json");
    ProcessResult result = da(args);
    if (expected_exit >= 0) {
      EXPECT_EQ(result.exit_code, expected_exit) << result.out << result.err;
    }
    return nlohmann::json::parse(result.out);
  }

  std::vector<std::string> table_names() const {
    std::vector<std::string> names;
    nlohmann::json listed = json({"tables", "list"});
    for (const auto& table : listed["tables"])
      names.push_back(table["name"]);
    return names;
  }

  // Row count and an order-independent hash of every row, per table, through `da query`.
  std::map<std::string, std::string> digests(const std::vector<std::string>& tables) const {
    std::map<std::string, std::string> digests;
    for (const std::string& table : tables) {
      ProcessResult result = da({"query", "--format", "csv",
                                 "SELECT count(*) AS n, sum(hash(t)) AS h FROM " + table + " t"});
      EXPECT_EQ(result.exit_code, 0) << table << ": " << result.err;
      digests[table] = result.out;
    }
    return digests;
  }

 private:
  fs::path root_;
};

// The tables sync runs after `run_id` have published so far (a table is recorded after it is
// published).
std::set<std::string> published_after_run(const fs::path& state_db, int64_t run_id) {
  store::SqliteDatabase database(state_db);
  store::SqliteStatement statement = database.prepare(
      "SELECT table_name FROM sync_table_results WHERE status = 'succeeded' AND run_id > ?");
  statement.bind(1, run_id);
  std::set<std::string> tables;
  while (statement.step())
    tables.insert(statement.column_text(0));
  return tables;
}

void set_schema_version(const fs::path& state_db, int version, const std::string& name) {
  store::SqliteDatabase database(state_db);
  database
      .prepare(
          "INSERT INTO namespace_migrations (namespace, version, name, applied_at) VALUES "
          "('sync', ?, ?, ?)")
      .bind_all(version, name, "2030-01-01T00:00:00Z")
      .run();
}

// The test: the sync of a changed source runs while the backup is taken; the restored
// instance has, table by table, either the data before that sync or after it, never a mix,
// and the same registry.
TEST(OperationsCli, ABackupTakenDuringASyncRestoresIntoAnEmptyInstanceWithTheSameData) {
  TempDir dir;
  Instance a(dir, "a");
  a.make_sample("s");
  nlohmann::json first = a.json({"sync"});
  int64_t first_run = first["run_id"];
  std::vector<std::string> tables = a.table_names();
  ASSERT_EQ(tables.size(), 9u);
  auto before = a.digests(tables);

  a.generate("s", "7");  // the next sync changes every table
  testing::BackgroundProcess sync(testing::da_command({"--config", a.config().string(), "sync"}),
                                  dir / "sync.log");
  auto deadline = std::chrono::steady_clock::now() + 60s;
  std::set<std::string> published;  // a third of the tables, then back up in the middle
  while (published.size() < 3 && sync.running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
    published = published_after_run(a.state_db(), first_run);
  }
  ASSERT_TRUE(sync.running()) << "the sync ended before the backup could start: " << sync.output();
  ProcessResult backup = a.da({"backup", "--to", (dir / "backup").string(), "--with-data"});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  bool sync_outlived_backup = sync.running();
  while (sync.running() && std::chrono::steady_clock::now() < deadline + 60s)
    std::this_thread::sleep_for(20ms);
  ASSERT_EQ(sync.stop(), 0) << sync.output();
  RecordProperty("sync_outlived_backup", sync_outlived_backup ? "yes" : "no");
  auto after = a.digests(tables);

  Instance c(dir, "c");
  ProcessResult restored = c.da({"restore", "--from", (dir / "backup").string()});
  ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
  auto restored_digests = c.digests(tables);
  int changed_tables = 0;
  for (const std::string& table : tables) {
    ASSERT_NE(before[table], after[table]) << table << " did not change: a useless test";
    EXPECT_TRUE(restored_digests[table] == before[table] || restored_digests[table] == after[table])
        << table << " restored as neither the old nor the new version: " << restored_digests[table];
    changed_tables += restored_digests[table] == after[table];
    if (published.count(table)) {
      EXPECT_EQ(restored_digests[table], after[table]) << table << " was published before";
    }
  }
  RecordProperty("tables_in_their_new_version", changed_tables);
  EXPECT_EQ(c.json({"tables", "list"}), a.json({"tables", "list"}));
  EXPECT_EQ(read_text(c.root() / "docs/data_description.md"),
            read_text(a.root() / "docs/data_description.md"));
  nlohmann::json status = c.json({"status"}, -1);
  EXPECT_EQ(status["sync"]["tables"].size(), 9u);
}

TEST(OperationsCli, ACorruptedBackupFileIsRefusedByNameAndNothingIsRestored) {
  TempDir dir;
  Instance a(dir, "a");
  a.make_sample("xs");
  ASSERT_EQ(a.da({"sync"}).exit_code, 0);
  ASSERT_EQ(a.da({"backup", "--to", (dir / "backup").string(), "--with-data"}).exit_code, 0);
  fs::path victim;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "backup/parquet"))
    if (entry.is_regular_file()) victim = entry.path();
  ASSERT_FALSE(victim.empty());
  {
    std::fstream file(victim, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(10);
    file.put('\x7f');
  }
  Instance c(dir, "c");
  ProcessResult restored = c.da({"restore", "--from", (dir / "backup").string()});
  EXPECT_EQ(restored.exit_code, 1);
  EXPECT_NE(restored.err.find(victim.string() + " does not match its SHA-256"), std::string::npos)
      << restored.err;
  EXPECT_FALSE(fs::exists(c.root()));
}

TEST(OperationsCli, RestoreRefusesANonEmptyInstanceWithoutForce) {
  TempDir dir;
  Instance a(dir, "a");
  a.make_sample("xs");
  ASSERT_EQ(a.da({"sync"}).exit_code, 0);
  ASSERT_EQ(a.da({"backup", "--to", (dir / "backup").string()}).exit_code, 0);
  ASSERT_EQ(a.da({"tables", "unregister", "sample.orders"}).exit_code, 0);
  std::string catalog = read_text(a.root() / "docs/data_description.md");

  ProcessResult refused = a.da({"restore", "--from", (dir / "backup").string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("the instance is not empty"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_EQ(a.table_names().size(), 8u);
  EXPECT_EQ(read_text(a.root() / "docs/data_description.md"), catalog);

  ProcessResult forced = a.da({"restore", "--from", (dir / "backup").string(), "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(forced.out.find("replaced: "), std::string::npos) << forced.out;
  EXPECT_EQ(a.table_names().size(), 9u);
}

TEST(OperationsCli, MigrateCheckListsPendingMigrationsUntilMigrateAppliesThem) {
  TempDir dir;
  Instance a(dir, "a");
  a.write_config();
  ProcessResult fresh = a.da({"migrate", "--check"});
  EXPECT_EQ(fresh.exit_code, 1);
  EXPECT_NE(fresh.out.find(std::to_string(latest_migration()) + " migration(s) pending"),
            std::string::npos)
      << fresh.out;
  EXPECT_FALSE(fs::exists(a.state_db())) << "--check must not create the store";

  {  // a store left by an older da: every migration but the last
    fs::create_directories(a.state_db().parent_path());
    store::SqliteDatabase database(a.state_db());
    std::vector<store::Migration> older = store::state_migrations();
    older.pop_back();
    store::apply_migrations(database, older);
  }
  nlohmann::json pending = a.json({"migrate", "--check"}, 1);
  ASSERT_EQ(pending["pending"].size(), 1u);
  EXPECT_EQ(pending["pending"][0]["namespace"], store::state_migrations().back().space);
  EXPECT_EQ(pending["pending"][0]["version"], store::state_migrations().back().version);
  EXPECT_EQ(pending["schema_version"], latest_migration() - 1);

  nlohmann::json applied = a.json({"migrate"});
  ASSERT_EQ(applied["applied"].size(), 1u);
  EXPECT_EQ(applied["schema_version"], latest_migration());
  ProcessResult checked = a.da({"migrate", "--check"});
  EXPECT_EQ(checked.exit_code, 0) << checked.out;
  EXPECT_NE(checked.out.find("is up to date"), std::string::npos) << checked.out;
  EXPECT_TRUE(a.json({"migrate"})["applied"].empty());
}

// What deploy's rollback meets when an older da finds a store the newer one migrated.
TEST(OperationsCli, AStoreFromAFutureVersionIsRefusedNamingBothVersions) {
  TempDir dir;
  Instance a(dir, "a");
  a.make_sample("xs");
  set_schema_version(a.state_db(), 99, "from the future");
  std::string expected =
      "has schema version 99 (\"from the future\", applied "
      "2030-01-01T00:00:00Z), newer than this da knows (" +
      std::to_string(known_in("sync")) + ")";
  for (std::vector<std::string> command :
       {std::vector<std::string>{"migrate"}, {"migrate", "--check"}, {"tables", "list"}}) {
    ProcessResult refused = a.da(command);
    EXPECT_EQ(refused.exit_code, 2) << command[0];
    EXPECT_NE(refused.err.find(expected), std::string::npos) << refused.err;
  }
  nlohmann::json status = a.json({"status"}, 1);
  EXPECT_NE(status["migrations"]["error"].get<std::string>().find(expected), std::string::npos);

  ASSERT_EQ(a.da({"backup", "--to", (dir / "backup").string()}).exit_code, 0);
  Instance c(dir, "c");
  ProcessResult restored = c.da({"restore", "--from", (dir / "backup").string()});
  EXPECT_EQ(restored.exit_code, 2);
  EXPECT_NE(restored.err.find("schema version 99"), std::string::npos) << restored.err;
  EXPECT_FALSE(fs::exists(c.root()));
}

TEST(OperationsCli, StatusOnAFreshInstanceSaysWhatIsMissingWithoutFailing) {
  TempDir dir;
  Instance a(dir, "a");
  a.write_config();
  fs::create_directories(a.root() / "incoming");
  a.generate("xs", "42");
  fs::create_directories(a.root() / "docs");
  fs::copy_file(a.root() / "incoming/data_description.md", a.root() / "docs/data_description.md");
  ProcessResult text = a.da({"status"});
  EXPECT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_NE(text.out.find("systemd not running"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("status: OK"), std::string::npos) << text.out;

  nlohmann::json status = a.json({"status"});
  EXPECT_TRUE(status["healthy"]);
  EXPECT_FALSE(status["systemd"]["running"]);
  EXPECT_EQ(status["systemd"]["state"], "offline");
  EXPECT_FALSE(status["migrations"]["exists"]);
  EXPECT_EQ(status["migrations"]["pending"].size(), static_cast<size_t>(latest_migration()));
  EXPECT_TRUE(status["sync"]["last_run"].is_null());
  ASSERT_EQ(status["sync"]["tables"].size(), 9u);
  EXPECT_EQ(status["sync"]["tables"][0]["status"], "never");
  EXPECT_EQ(status["disk"].size(), 3u);
  EXPECT_GT(status["disk"][0]["total_bytes"].get<uint64_t>(), 0u);
  EXPECT_TRUE(status["certificates"].empty());
  EXPECT_FALSE(status["warnings"].empty());
  EXPECT_FALSE(fs::exists(a.state_db())) << "status must not create the store";
}

TEST(OperationsCli, StatusOnASyncedInstanceReportsEachTableAndFailsOnAStaleOrFailedOne) {
  TempDir dir;
  Instance a(dir, "a");
  a.make_sample("xs");
  ASSERT_EQ(a.da({"sync"}).exit_code, 0);
  nlohmann::json status = a.json({"status"});
  EXPECT_TRUE(status["healthy"]) << status.dump(2);
  EXPECT_EQ(status["sync"]["last_run"]["status"], "succeeded");
  ASSERT_EQ(status["sync"]["tables"].size(), 9u);
  for (const auto& table : status["sync"]["tables"]) {
    EXPECT_EQ(table["status"], "succeeded");
    EXPECT_EQ(table["level"], "ok");
    EXPECT_GE(table["age_seconds"].get<int64_t>(), 0);
    EXPECT_GT(table["rows"].get<int64_t>(), 0);
  }
  EXPECT_TRUE(status["migrations"]["pending"].empty());
  EXPECT_EQ(status["migrations"]["schema_version"], latest_migration());

  {
    store::SqliteDatabase database(a.state_db());
    database.execute(
        "UPDATE sync_state SET last_sync = '2020-01-01T00:00:00Z' WHERE table_id = "
        "'sample.orders';"
        "UPDATE sync_state SET status = 'failed', error = 'source unreachable' WHERE table_id = "
        "'sample.payments'");
  }
  ProcessResult text = a.da({"status"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.out.find("problem: sample.orders: last synced"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("problem: sample.payments: the last sync failed: source unreachable"),
            std::string::npos)
      << text.out;
  status = a.json({"status"}, 1);
  EXPECT_FALSE(status["healthy"]);
  EXPECT_EQ(status["problems"].size(), 2u) << status["problems"].dump();
}

TEST(OperationsCli, StatusReportsTheUnitsAndTheCertificate) {
  TempDir dir;
  Instance a(dir, "a");
  a.write_config("server:\n  tls_cert: ./portal.pem\n");
  ProcessResult made =
      testing::run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                            (dir / "key.pem").string(), "-out", (a.root() / "portal.pem").string(),
                            "-days", "5", "-subj", "/CN=data.example.com"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  // systemd does not run in these containers: a systemctl that answers like one where it does.
  dir.write("bin/systemctl",
            "#!/bin/sh\n"
            "case \"$*\" in\n"
            "  *is-system-running*) echo degraded; exit 1;;\n"
            "  *list-unit-files*) printf 'da-portal.service enabled enabled\\n"
            "da-sync.service static -\\nda-sync.timer enabled enabled\\n';;\n"
            "  *show*) printf 'Id=da-portal.service\\nActiveState=failed\\nSubState=failed\\n"
            "UnitFileState=enabled\\nType=notify\\nResult=exit-code\\n\\n"
            "Id=da-sync.service\\nActiveState=inactive\\nSubState=dead\\nUnitFileState=static\\n"
            "Type=oneshot\\nResult=success\\n\\n"
            "Id=da-sync.timer\\nActiveState=active\\nSubState=waiting\\nUnitFileState=enabled\\n"
            "NextElapseUSecRealtime=Mon 2026-12-08 06:00:00 UTC\\n"
            "LastTriggerUSec=Sun 2026-12-07 19:00:01 UTC\\n';;\n"
            "esac\n");
  ::chmod((dir / "bin/systemctl").c_str(), 0755);
  testing::ProcessOptions options;
  options.env["PATH"] = (dir / "bin").string() + ":" + std::getenv("PATH");
  ProcessResult result = a.da({"--json", "status"}, options);
  ASSERT_EQ(result.exit_code, 1) << result.err;
  nlohmann::json status = nlohmann::json::parse(result.out);
  EXPECT_TRUE(status["systemd"]["running"]);
  EXPECT_EQ(status["systemd"]["state"], "degraded");
  ASSERT_EQ(status["systemd"]["units"].size(), 3u);
  EXPECT_EQ(status["systemd"]["units"][0]["level"], "problem");
  EXPECT_EQ(status["systemd"]["units"][1]["level"], "ok");  // a oneshot between two runs
  EXPECT_EQ(status["systemd"]["units"][2]["next_elapse"], "Mon 2026-12-08 06:00:00 UTC");
  ASSERT_EQ(status["certificates"].size(), 1u);
  EXPECT_EQ(status["certificates"][0]["subject"], "CN = data.example.com");
  EXPECT_LE(status["certificates"][0]["days_left"].get<int>(), 5);
  EXPECT_EQ(status["certificates"][0]["level"], "problem");
  std::string problems = status["problems"].dump();
  EXPECT_NE(problems.find("da-portal.service is failed"), std::string::npos) << problems;
  EXPECT_NE(problems.find("portal.pem expires in"), std::string::npos) << problems;
}

// A systemctl that answers like one where systemd runs, with the units in `show`.
void fake_systemctl(const TempDir& dir, const std::string& list, const std::string& show) {
  dir.write("bin/systemctl",
            "#!/bin/sh\n"
            "case \"$*\" in\n"
            "  *is-system-running*) echo running;;\n"
            "  *list-unit-files*) printf '" +
                list + "';;\n  *show*) printf '" + show + "';;\nesac\n");
  ::chmod((dir / "bin/systemctl").c_str(), 0755);
}

// A periodic job (da schedule) whose timer is disabled or not installed never runs, and no
// failed unit would say so: status does.
TEST(OperationsCli, StatusReportsAPeriodicJobWhoseTimerIsDisabledOrMissing) {
  TempDir dir;
  Instance a(dir, "a");
  a.write_config();
  testing::ProcessOptions options;
  options.env["PATH"] = (dir / "bin").string() + ":" + std::getenv("PATH");

  fake_systemctl(dir, "da-sync.service static -\\nda-sync.timer disabled enabled\\n",
                 "Id=da-sync.service\\nActiveState=inactive\\nSubState=dead\\n"
                 "UnitFileState=static\\nType=oneshot\\n\\n"
                 "Id=da-sync.timer\\nActiveState=inactive\\nSubState=dead\\n"
                 "UnitFileState=disabled\\n");
  nlohmann::json status = nlohmann::json::parse(a.da({"--json", "status"}, options).out);
  ASSERT_EQ(status["jobs"].size(), 1u) << status["jobs"].dump();
  EXPECT_EQ(status["jobs"][0]["name"], "sync");
  EXPECT_EQ(status["jobs"][0]["timer"], "da-sync.timer");
  EXPECT_EQ(status["jobs"][0]["state"], "disabled");
  EXPECT_EQ(status["jobs"][0]["level"], "warning");
  std::string warnings = status["warnings"].dump();
  EXPECT_NE(warnings.find("the sync job does not run: da-sync.timer is disabled"),
            std::string::npos)
      << warnings;
  ProcessResult text = a.da({"status"}, options);
  EXPECT_NE(text.out.find("periodic jobs:\n  sync             da-sync.timer                "
                          "disabled  <- warning\n"),
            std::string::npos)
      << text.out;

  fake_systemctl(dir, "da-portal.service enabled enabled\\n",
                 "Id=da-portal.service\\nActiveState=active\\nSubState=running\\n"
                 "UnitFileState=enabled\\nType=notify\\n");
  status = nlohmann::json::parse(a.da({"--json", "status"}, options).out);
  ASSERT_EQ(status["jobs"].size(), 1u) << status["jobs"].dump();
  EXPECT_EQ(status["jobs"][0]["state"], "not installed");
  EXPECT_EQ(status["jobs"][0]["level"], "warning");
  warnings = status["warnings"].dump();
  EXPECT_NE(warnings.find("the sync job never runs: its timer da-sync.timer is not installed"),
            std::string::npos)
      << warnings;
}

// In the enabled and waiting case the job is fine and says when it runs next.
TEST(OperationsCli, StatusShowsWhenAPeriodicJobRunsNext) {
  TempDir dir;
  Instance a(dir, "a");
  a.write_config();
  testing::ProcessOptions options;
  options.env["PATH"] = (dir / "bin").string() + ":" + std::getenv("PATH");
  fake_systemctl(dir, "da-sync.timer enabled enabled\\n",
                 "Id=da-sync.timer\\nActiveState=active\\nSubState=waiting\\n"
                 "UnitFileState=enabled\\nNextElapseUSecRealtime=Tue 2026-12-08 06:00:00 UTC\\n");
  nlohmann::json status = nlohmann::json::parse(a.da({"--json", "status"}, options).out);
  ASSERT_EQ(status["jobs"].size(), 1u) << status["jobs"].dump();
  EXPECT_EQ(status["jobs"][0]["state"], "enabled");
  EXPECT_EQ(status["jobs"][0]["next_elapse"], "Tue 2026-12-08 06:00:00 UTC");
  EXPECT_EQ(status["jobs"][0]["level"], "ok");
  EXPECT_EQ(status["warnings"].dump().find("sync job"), std::string::npos);
}

}  // namespace
}  // namespace da
