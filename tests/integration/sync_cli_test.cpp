// `da sync` end to end through the real binary: exit codes, reports, compat artefacts, the
// instance lock, and crash safety (kill -9 in the middle of a sync).
#include <chrono>
#include <thread>

#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <fcntl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/common/instance_lock.hpp"
#include "da/config/yaml_node.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"

namespace da {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::run_da;
using testing::TempDir;

class SyncCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("config/instance.yaml",
               "data_source:\n  type: csv\n  csv:\n    base_dir: ./incoming\n"
               "paths:\n  data_dir: ./data\n  docs_dir: ./docs\n"
               "sync:\n  memory_limit: 512MB\n  threads: 2\n  parallel_tables: 2\n"
               "logging:\n  level: warn\n");
    dir_.write(
        "docs/data_description.md",
        "# Shop\n\n```yaml\n"
        "folder_mapping: {in.c-shop: shop}\n"
        "tables:\n"
        "  - {id: in.c-shop.customers, name: customers, description: People, primary_key: id, "
        "sync_strategy: full_refresh}\n"
        "  - {id: in.c-shop.orders, name: orders, description: Orders, primary_key: order_id, "
        "sync_strategy: incremental, incremental_column: updated_at, partition_by: created_at, "
        "partition_granularity: month, dataset: sales}\n"
        "```\n");
    dir_.write("incoming/customers.csv", "id,name\n1,Ann\n2,Bob\n");
    dir_.write("incoming/orders.csv",
               "order_id,created_at,updated_at\n1,2024-01-05 10:00:00,2024-01-05 10:00:00\n"
               "2,2024-02-05 10:00:00,2024-02-05 10:00:00\n");
  }

  testing::ProcessResult da(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", (dir_ / "config").string()});
    return run_da(args);
  }

  std::vector<std::string> query(const std::string& sql) {
    duck::Database database;
    duck::Connection connection(database);
    std::vector<std::string> rows;
    for (const auto& row : connection.query(sql).fetch_all())
      rows.push_back(row[0].to_string());
    return rows;
  }

  std::string parquet(const std::string& relative) {
    return duck::quote_path(dir_ / "data/parquet" / relative);
  }

  TempDir dir_;
};

TEST_F(SyncCli, SyncsEveryTableAndWritesTheCompatArtefacts) {
  auto result = da({"--json", "sync"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  auto report = nlohmann::json::parse(result.out);
  EXPECT_EQ(report["status"], "succeeded");
  EXPECT_EQ(report["profile"]["profiled"].size(), 2u);  // the tables the run changed
  auto profiles = nlohmann::json::parse(read_text(dir_ / "data/metadata/profiles.json"));
  EXPECT_EQ(profiles["tables"]["orders"]["row_count"], 2);
  EXPECT_NE(read_text(dir_ / "docs/CLAUDE.md").find("in.c-shop.orders"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "docs/data_profile.md"));
  ASSERT_EQ(report["tables"].size(), 2u);
  EXPECT_EQ(report["tables"][1]["table_id"], "in.c-shop.orders");
  EXPECT_EQ(report["tables"][1]["added"], 2);
  EXPECT_EQ(report["tables"][1]["partitions_written"], 2);

  EXPECT_EQ(query("SELECT count(*) FROM " + parquet("shop/customers.parquet")),
            std::vector<std::string>{"2"});
  EXPECT_EQ(query("SELECT count(*) FROM " + parquet("shop/orders/*.parquet")),
            std::vector<std::string>{"2"});

  auto state = nlohmann::json::parse(read_text(dir_ / "data/metadata/sync_state.json"));
  EXPECT_EQ(state["version"], 2);
  EXPECT_TRUE(state["last_updated"].is_string());
  auto orders = state["tables"]["in.c-shop.orders"];
  EXPECT_EQ(orders["table_name"], "orders");
  EXPECT_EQ(orders["strategy"], "incremental");
  EXPECT_EQ(orders["rows"], 2);
  EXPECT_EQ(orders["columns"], 3);
  EXPECT_EQ(orders["status"], "succeeded");
  EXPECT_TRUE(orders["error"].is_null());
  EXPECT_TRUE(orders["file_size_mb"].is_number());

  auto schema = config::parse_yaml(read_text(dir_ / "docs/schema.yml"), "schema.yml");
  const config::YamlNode* customers = schema.find("tables")->find("customers");
  ASSERT_NE(customers, nullptr);
  EXPECT_EQ(customers->find("table_id")->scalar, "in.c-shop.customers");
  EXPECT_EQ(customers->find("columns")->items[0].find("type")->scalar, "BIGINT");
  EXPECT_EQ(schema.find("_metadata")->find("_schema_version")->scalar, "2");
  auto dataset =
      config::parse_yaml(read_text(dir_ / "docs/datasets/sales/schema.yml"), "schema.yml");
  EXPECT_EQ(dataset.find("tables")->find("orders")->find("partitioned_by")->scalar, "created_at");

  auto joined = da({"query",
                    "SELECT c.name, count(o.order_id) AS orders FROM customers c "
                    "JOIN shop.orders o ON o.order_id = c.id GROUP BY ALL ORDER BY 1"});
  EXPECT_EQ(joined.exit_code, 0) << joined.err;
  EXPECT_EQ(joined.out, "name | orders\n---- | ------\nAnn  | 1\nBob  | 1\n(2 rows)\n");
  auto bad = da({"query", "SELECT * FROM missing_table"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1);
}

TEST_F(SyncCli, ExitCodesSayWhetherEveryRequestedTableSucceeded) {
  auto unknown = da({"sync", "in.c-shop.nope"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown table(s): in.c-shop.nope"), std::string::npos) << unknown.err;

  dir_.write("incoming/customers.csv", "id,name\n1,Ann\n2,Bob,extra\n");
  dir_.write("docs/data_description.md",
             read_text(dir_ / "docs/data_description.md") + "\n```yaml\nfolder_mapping: {}\n```\n");
  auto partly = da({"sync"});
  EXPECT_EQ(partly.exit_code, 1) << partly.out;
  EXPECT_NE(partly.out.find("FAILED  in.c-shop.customers"), std::string::npos) << partly.out;
  EXPECT_NE(partly.out.find("ok      in.c-shop.orders"), std::string::npos) << partly.out;
  auto state = nlohmann::json::parse(read_text(dir_ / "data/metadata/sync_state.json"));
  EXPECT_EQ(state["tables"]["in.c-shop.customers"]["status"], "failed");
  EXPECT_TRUE(state["tables"]["in.c-shop.customers"]["error"].is_string());

  auto one = da({"--json", "sync", "--no-profile", "orders"});
  EXPECT_EQ(one.exit_code, 0) << one.out << one.err;
  EXPECT_TRUE(nlohmann::json::parse(one.out)["profile"].is_null());
}

// setup.sh closes the data folder to analysts outside dataread (0750): a sync keeps that.
TEST_F(SyncCli, ASyncKeepsTheModeTheOperatorGaveTheDataFolder) {
  fs::create_directories(dir_ / "data");
  ASSERT_EQ(::chmod((dir_ / "data").c_str(), 0750), 0);
  auto result = da({"sync", "--no-profile"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  struct stat info {};
  ASSERT_EQ(::stat((dir_ / "data").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0750u);
}

TEST_F(SyncCli, ASecondSyncIsRefusedAtOnceWhileOneRuns) {
  fs::create_directories(dir_ / "data");
  InstanceLock held = InstanceLock::acquire(dir_ / "data/.sync.lock", "sync");
  auto started = std::chrono::steady_clock::now();
  auto result = da({"sync"});
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("another sync is running (pid " + std::to_string(::getpid()) + ")"),
            std::string::npos)
      << result.err;
}

// kill -9 at several moments of a long sync: the published file stays whole and readable (the
// old version, or the new one if the sync had finished), and the next run cleans up and completes.
TEST_F(SyncCli, KillDuringASyncLeavesPublishedDataReadableAndTheNextRunCompletes) {
  ASSERT_EQ(da({"sync"}).exit_code, 0);
  auto before = query("SELECT count(*) FROM " + parquet("shop/customers.parquet"));
  {
    duck::Database database;
    duck::Connection connection(database);
    connection.execute(
        "COPY (SELECT i AS id, 'name ' || i AS name, i * 1.5 AS score FROM range(5000000) t(i)) "
        "TO " +
        duck::quote_path(dir_ / "incoming/customers.csv") + " (HEADER)");
  }
  const std::vector<std::string> after{"5000000"};
  for (int delay_ms : {150, 400, 800}) {
    pid_t child = ::fork();
    if (child == 0) {
      int null_fd = ::open("/dev/null", O_WRONLY);
      ::dup2(null_fd, 1);
      ::dup2(null_fd, 2);
      ::execl(DA_BINARY, DA_BINARY, "--config", (dir_ / "config").c_str(), "sync", "customers",
              nullptr);
      ::_exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    auto rows = query("SELECT count(*) FROM " + parquet("shop/customers.parquet"));
    EXPECT_TRUE(rows == before || rows == after) << "after " << delay_ms << " ms: " << rows.front();
  }
  auto next = da({"--json", "sync"});
  ASSERT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_EQ(query("SELECT count(*) FROM " + parquet("shop/customers.parquet")), after);
  size_t leftovers = 0;
  if (fs::exists(dir_ / "data/.staging")) {
    for (const auto& entry : fs::recursive_directory_iterator(dir_ / "data/.staging"))
      leftovers += entry.is_regular_file();
  }
  EXPECT_EQ(leftovers, 0u);
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "data/parquet")) {
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
  }
}

TEST_F(SyncCli, InterruptStopsTheRunCleanlyAndSaysSo) {
  ASSERT_EQ(da({"sync"}).exit_code, 0);
  {
    duck::Database database;
    duck::Connection connection(database);
    connection.execute("COPY (SELECT i AS id, 'name ' || i AS name FROM range(4000000) t(i)) TO " +
                       duck::quote_path(dir_ / "incoming/customers.csv") + " (HEADER)");
  }
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::dup2(out[1], 1);
    int null_fd = ::open("/dev/null", O_WRONLY);
    ::dup2(null_fd, 2);
    ::execl(DA_BINARY, DA_BINARY, "--config", (dir_ / "config").c_str(), "sync", nullptr);
    ::_exit(127);
  }
  ::close(out[1]);
  if (!testing::wait_until_handles(child, SIGINT, std::chrono::seconds(30))) {
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    FAIL() << "da sync never started handling SIGINT";
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto interrupted_at = std::chrono::steady_clock::now();
  ::kill(child, SIGINT);
  std::string printed;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(out[0], buffer, sizeof(buffer))) > 0)
    printed.append(buffer, static_cast<size_t>(n));
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - interrupted_at, std::chrono::seconds(5));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(printed.find("interrupted"), std::string::npos) << printed;
  EXPECT_EQ(query("SELECT count(*) FROM " + parquet("shop/customers.parquet")),
            std::vector<std::string>{"2"});
}

// The table fails with the file, the line and what is wrong; the published data stays as it was
// and readable, and the run says the table failed.
TEST_F(SyncCli, AMalformedCsvFailsItsTableWithFileAndLineAndKeepsThePublishedData) {
  ASSERT_EQ(da({"sync", "--no-profile"}).exit_code, 0);
  std::vector<std::pair<std::string, std::string>> cases = {
      {"id,name\n1,Ann\n2,\"Bob\n3,Cy\n",
       "customers.csv:3: a quoted value starts on this line and is never closed"},
      {"id,name\n1,Ann\n2,Bob\n3,\"Cy\n",
       "customers.csv:4: a quoted value starts on this line and is never closed"},
      {"id,name\n1,\"Ann\nAnna\"\n2\n",
       "customers.csv:4: the row has 1 field where the header has 2"},
      {"id,name\n1,Ann,x\n2,Bob\n", "customers.csv:2: the row has 3 fields where the header has 2"},
  };
  for (const auto& [content, expected] : cases) {
    dir_.write("incoming/customers.csv", content);
    auto result = da({"--json", "sync", "--no-profile", "customers"});
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    auto report = nlohmann::json::parse(result.out);
    ASSERT_EQ(report["tables"].size(), 1u);
    EXPECT_EQ(report["tables"][0]["status"], "failed");
    EXPECT_NE(report["tables"][0]["error"].get<std::string>().find(expected), std::string::npos)
        << report.dump(2);
    EXPECT_EQ(
        query("SELECT string_agg(name, ',' ORDER BY id) FROM " + parquet("shop/customers.parquet")),
        std::vector<std::string>{"Ann,Bob"});
  }
  auto readable = da({"query", "SELECT count(*) AS n FROM customers"});
  EXPECT_EQ(readable.exit_code, 0) << readable.err;
  EXPECT_EQ(readable.out, "n\n-\n2\n(1 row)\n");
}

TEST_F(SyncCli, ReadsGzippedCsv) {
  {
    duck::Database database;
    duck::Connection connection(database);
    connection.execute("COPY (SELECT i AS id, 'n' || i AS name FROM range(10) t(i)) TO " +
                       duck::quote_path(dir_ / "incoming/people.csv.gz") +
                       " (HEADER, COMPRESSION gzip)");
  }
  dir_.write("docs/datasets/extra.md",
             "```yaml\ntables:\n  - {id: in.c-shop.people, name: people, description: x, "
             "sync_strategy: full_refresh, "
             "source: people.csv.gz}\n```\n");
  auto result = da({"sync", "people"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(query("SELECT count(*) FROM " + parquet("shop/people.parquet")),
            std::vector<std::string>{"10"});
}

TEST_F(SyncCli, CheckSyncsNothingAndSaysWhatWorks) {
  auto result = da({"sync", "--check"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("ok: 2 tables in the catalog"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("ok: source: "), std::string::npos) << result.out;
  EXPECT_FALSE(fs::exists(dir_ / "data/parquet")) << "a check publishes nothing";
  EXPECT_TRUE(fs::exists(dir_ / "data/state.db"));
}

TEST_F(SyncCli, CheckFailsNamingTheSourceThatIsMissing) {
  fs::remove_all(dir_ / "incoming");
  auto result = da({"sync", "--check"});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.err.find("incoming"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace da
