// The Keboola connector against the fake Storage API: every strategy through the engine with
// exact published contents, types from metadata, clouds, retries and the ways a sync fails.
#include "keboola/adapter/keboola_source.hpp"

#include <set>

#include "fakes/keboola/fake_keboola.hpp"
#include "support/expect_error.hpp"
#include "unit/sync/sync_test_support.hpp"
#include <gtest/gtest.h>

namespace da::connectors::keboola {
namespace {

using fakes::FakeKeboola;
using fakes::FakeMetadata;
using fakes::FakeTable;
using namespace std::chrono_literals;

constexpr int64_t kDay = 86'400;

int64_t now_seconds() {
  return to_epoch_micros(now_utc()) / 1'000'000;
}

FakeMetadata basetype(const std::string& type, const std::string& provider = "user") {
  return {"KBC.datatype.basetype", type, provider};
}

class KeboolaSourceTest : public ::testing::Test {
 protected:
  KeboolaSettings settings(const std::string& token = "secret-token-4711") const {
    KeboolaSettings settings;
    settings.client.stack_url = fake_.url();
    settings.client.token = token;
    settings.client.retry = {4, 5ms, 40ms};
    settings.client.job_poll_first = 5ms;
    settings.client.job_poll_max = 20ms;
    settings.client.request_timeout = 5s;
    settings.download.retry = settings.client.retry;
    settings.download.parallel = 4;
    settings.download.object_store_endpoint = fake_.object_store_url();
    settings.chunked_load_min_bytes = int64_t{1} << 40;
    return settings;
  }

  KeboolaSource& source() {
    if (!source_) source_ = std::make_unique<KeboolaSource>(settings(), state_dir_ / "state.db");
    return *source_;
  }
  sync::testing::SyncHarness& harness() {
    if (!harness_) harness_ = std::make_unique<sync::testing::SyncHarness>(source());
    return *harness_;
  }

  void add_orders_table() {
    FakeTable table;
    table.id = "in.c-shop.orders";
    table.columns = {"id", "amount", "status", "created_at"};
    table.primary_key = {"id"};
    table.column_metadata = {
        {"id", {basetype("INTEGER")}},
        {"amount", {basetype("NUMERIC"), {"KBC.datatype.length", "12,2", "user"}}},
        {"status",
         {basetype("STRING", "storage"), {"KBC.description", "order state", "keboola.ex-shop"}}},
        {"created_at", {basetype("DATE", "keboola.snowflake-transformation")}}};
    table.created = "2020-01-01T00:00:00+0000";
    fake_.add_table(table);
  }

  std::vector<std::string> exports_form(size_t index, const std::string& field) const {
    auto requests = fake_.export_requests();
    if (index >= requests.size()) return {};
    auto found = requests[index].form.find(field);
    return found == requests[index].form.end() ? std::vector<std::string>{} : found->second;
  }

  FakeKeboola fake_{"secret-token-4711"};
  da::testing::TempDir state_dir_;
  std::unique_ptr<KeboolaSource> source_;
  std::unique_ptr<sync::testing::SyncHarness> harness_;
};

TEST_F(KeboolaSourceTest, FullRefreshOfSlicedGzipExportIsTypedFromMetadata) {
  add_orders_table();
  fake_.import_rows("in.c-shop.orders",
                    {{"1", "10.50", "new", "2024-01-05"},
                     {"2", "7.25", "paid", "2024-02-10"},
                     {"3", "", "say \"hi\", then\nleave", "2024-02-11"}},
                    now_seconds());
  fake_.set_slices(3);
  harness().define("id: in.c-shop.orders\nname: orders\nsync_strategy: full_refresh");
  auto result = harness().sync();
  EXPECT_EQ(result.rows_read, 3);
  EXPECT_EQ(harness().published("id"),
            (std::vector<std::string>{"1|10.50|new|2024-01-05", "2|7.25|paid|2024-02-10",
                                      "3|NULL|say \"hi\", then\nleave|2024-02-11"}));
  EXPECT_EQ(harness().column_type("id"), "BIGINT");
  EXPECT_EQ(harness().column_type("amount"), "DECIMAL(12,2)");
  EXPECT_EQ(harness().column_type("status"), "VARCHAR");
  EXPECT_EQ(harness().column_type("created_at"), "DATE");
  EXPECT_EQ(exports_form(0, "format"), std::vector<std::string>{"rfc"});
  EXPECT_TRUE(exports_form(0, "changedSince").empty());
}

TEST_F(KeboolaSourceTest, ATokenOfAnotherProjectFailsTheRunAndIsCheckedOnce) {
  add_orders_table();
  fake_.import_rows("in.c-shop.orders", {{"1", "10.50", "new", "2024-01-05"}}, now_seconds());
  KeboolaSettings wrong = settings();
  wrong.project_id = "1234";
  KeboolaSource source(wrong, state_dir_ / "state.db");
  sync::testing::SyncHarness run(source);
  run.define("id: in.c-shop.orders\nname: orders\nsync_strategy: full_refresh");
  for (int table = 0; table < 2; ++table) {
    std::string message = da::testing::thrown_message(ErrorKind::kConfig, [&] { run.sync(); });
    EXPECT_NE(message.find("project_id is 1234, but the storage token belongs to project 4321"),
              std::string::npos)
        << message;
  }
  EXPECT_EQ(fake_.requests_to("/v2/storage/tokens/verify"), 1);
  EXPECT_TRUE(fake_.export_requests().empty());

  KeboolaSettings right = settings();
  right.project_id = "4321";
  KeboolaSource matching(right, state_dir_ / "state.db");
  sync::testing::SyncHarness good(matching);
  good.define("id: in.c-shop.orders\nname: orders\nsync_strategy: full_refresh");
  EXPECT_EQ(good.sync().rows_read, 1);
}

TEST_F(KeboolaSourceTest, UnslicedFilesWithAHeaderGiveTheSameTable) {
  add_orders_table();
  fake_.import_rows("in.c-shop.orders",
                    {{"1", "10.50", "new", "2024-01-05"}, {"2", "7.25", "paid", "2024-02-10"}},
                    now_seconds());
  fake_.set_slices(0);
  for (bool gzip : {true, false}) {
    fake_.set_gzip(gzip);
    harness().define("id: in.c-shop.orders\nname: orders\nsync_strategy: full_refresh");
    harness().sync();
    EXPECT_EQ(harness().published("id"),
              (std::vector<std::string>{"1|10.50|new|2024-01-05", "2|7.25|paid|2024-02-10"}))
        << "gzip " << gzip;
  }
}

TEST_F(KeboolaSourceTest, IncrementalUsesChangeTrackingWithTheWindowAndMergesOnTheKey) {
  add_orders_table();
  int64_t start = now_seconds();
  fake_.import_rows("in.c-shop.orders",
                    {{"1", "10.50", "new", "2024-01-05"}, {"2", "7.25", "new", "2024-02-10"}},
                    start - 30 * kDay);
  harness().define(
      "id: in.c-shop.orders\nname: orders\nsync_strategy: incremental\nprimary_key: [id]\n"
      "incremental_window_days: 2");
  harness().sync();
  EXPECT_TRUE(exports_form(0, "changedSince").empty());  // the first run takes everything

  fake_.import_rows("in.c-shop.orders",
                    {{"2", "7.25", "paid", "2024-02-10"}, {"3", "1.00", "new", "2024-03-01"}},
                    now_seconds());
  auto result = harness().sync();
  EXPECT_EQ(result.rows_read, 2);  // only the changed rows travelled
  auto since = exports_form(1, "changedSince");
  ASSERT_EQ(since.size(), 1u);
  int64_t since_seconds = std::stoll(since[0]);
  EXPECT_LE(since_seconds, start - 2 * kDay + 5);  // export start minus the window
  EXPECT_GE(since_seconds, start - 2 * kDay - 5);
  EXPECT_EQ(harness().published("id"),
            (std::vector<std::string>{"1|10.50|new|2024-01-05", "2|7.25|paid|2024-02-10",
                                      "3|1.00|new|2024-03-01"}));
}

TEST_F(KeboolaSourceTest, WhereFiltersReachEveryStrategysExportWithPlaceholdersResolved) {
  add_orders_table();
  fake_.import_rows("in.c-shop.orders",
                    {{"1", "10.50", "new", "2024-01-05"},
                     {"2", "7.25", "paid", "2024-02-10"},
                     {"3", "1.00", "void", "2024-03-01"}},
                    now_seconds() - 3 * kDay);
  harness().define(
      "id: in.c-shop.orders\nname: orders\nsync_strategy: incremental\nprimary_key: [id]\n"
      "where_filters:\n  - {column: status, operator: ne, values: [void]}\n"
      "  - {column: created_at, operator: le, values: ['{{today}}']}");
  harness().sync();
  fake_.import_rows("in.c-shop.orders", {{"4", "2.00", "void", "2024-03-02"}}, now_seconds());
  harness().sync();
  for (size_t run : {0u, 1u}) {
    EXPECT_EQ(exports_form(run, "whereFilters[0][column]"), std::vector<std::string>{"status"});
    EXPECT_EQ(exports_form(run, "whereFilters[0][operator]"), std::vector<std::string>{"ne"});
    EXPECT_EQ(exports_form(run, "whereFilters[0][values][0]"), std::vector<std::string>{"void"});
    auto today = exports_form(run, "whereFilters[1][values][0]");
    ASSERT_EQ(today.size(), 1u);
    EXPECT_EQ(today[0], format_date(std::chrono::floor<std::chrono::days>(now_utc())));
  }
  EXPECT_EQ(harness().published("id"),
            (std::vector<std::string>{"1|10.50|new|2024-01-05", "2|7.25|paid|2024-02-10"}));
}

TEST_F(KeboolaSourceTest, PartitionedStrategyReplacesTheExportedPartitions) {
  add_orders_table();
  fake_.import_rows("in.c-shop.orders",
                    {{"1", "10.50", "new", "2024-01-05"}, {"2", "7.25", "paid", "2024-02-10"}},
                    now_seconds());
  harness().define(
      "id: in.c-shop.orders\nname: orders\nsync_strategy: partitioned\nprimary_key: [id]\n"
      "partition_by: created_at\npartition_granularity: month");
  harness().sync();
  EXPECT_EQ(harness().partition_files(),
            (std::vector<std::string>{"2024-01.parquet", "2024-02.parquet", "_manifest.json"}));
  EXPECT_EQ(harness().published("id"),
            (std::vector<std::string>{"1|10.50|new|2024-01-05", "2|7.25|paid|2024-02-10"}));
}

TEST_F(KeboolaSourceTest, BigFirstLoadsAreExportedInWindowsOldestFirst) {
  add_orders_table();
  int64_t now = now_seconds();
  auto days_ago = [](int days) {
    return format_date(std::chrono::floor<std::chrono::days>(now_utc()) - std::chrono::days{days});
  };
  fake_.import_rows("in.c-shop.orders", {{"1", "1.00", "a", days_ago(80)}}, now - 80 * kDay);
  fake_.import_rows("in.c-shop.orders", {{"2", "2.00", "b", days_ago(40)}}, now - 40 * kDay);
  fake_.import_rows("in.c-shop.orders", {{"3", "3.00", "c", days_ago(1)}}, now - 1 * kDay);
  fake_.import_rows("in.c-shop.orders", {{"4", "4.00", "d", days_ago(20)}}, now - 200 * kDay);
  KeboolaSettings chunked = settings();
  chunked.chunked_load_min_bytes = 0;
  source_ = std::make_unique<KeboolaSource>(chunked, state_dir_ / "state.db");
  harness().define(
      "id: in.c-shop.orders\nname: orders\nsync_strategy: incremental\nprimary_key: [id]\n"
      "partition_by: created_at\nmax_history_days: 100\ninitial_load_chunk_days: 30");
  auto result = harness().sync();
  EXPECT_EQ(result.rows_read, 3);  // row 4 last changed before max_history_days
  auto requests = fake_.export_requests();
  ASSERT_EQ(requests.size(), 4u);  // 100 days in windows of 30
  std::multiset<std::string> windows;
  for (size_t i = 0; i < requests.size(); ++i) {
    auto since = exports_form(i, "changedSince");
    auto until = exports_form(i, "changedUntil");
    windows.insert((since.empty() ? "-" : "s") + std::string(until.empty() ? "-" : "u"));
  }
  EXPECT_EQ(windows, (std::multiset<std::string>{"su", "su", "su", "s-"}));
  EXPECT_EQ(harness().published("id"),
            (std::vector<std::string>{"1|1.00|a|" + days_ago(80), "2|2.00|b|" + days_ago(40),
                                      "3|3.00|c|" + days_ago(1)}));
}

TEST_F(KeboolaSourceTest, AliasTablesExportTheirSourcesRowsWithMergedMetadata) {
  add_orders_table();
  FakeTable alias;
  alias.id = "out.c-share.orders";
  alias.columns = {"id", "amount", "status", "created_at"};
  alias.alias_of = "in.c-shop.orders";
  alias.column_metadata = {{"status", {{"KBC.description", "shared state", "user"}}}};
  fake_.add_table(alias);
  fake_.import_rows("in.c-shop.orders", {{"1", "10.50", "new", "2024-01-05"}}, now_seconds());
  harness().define("id: out.c-share.orders\nname: shared_orders\nsync_strategy: full_refresh");
  harness().sync();
  EXPECT_EQ(harness().published("id"), (std::vector<std::string>{"1|10.50|new|2024-01-05"}));
  EXPECT_EQ(harness().column_type("amount"), "DECIMAL(12,2)");
  catalog::TableConfig table;
  table.id = "out.c-share.orders";
  auto columns = source().column_metadata(table);
  ASSERT_EQ(columns.size(), 4u);
  EXPECT_EQ(columns[2].description, "shared state");
}

TEST_F(KeboolaSourceTest, TypedTablesKeepExactDecimals) {
  FakeTable table;
  table.id = "in.c-fin.ledger";
  table.columns = {"id", "amount", "booked_at"};
  table.definition = nlohmann::json{{"primaryKeysNames", {"id"}},
                                    {"columns",
                                     {{{"name", "id"},
                                       {"definition", {{"type", "NUMBER"}, {"length", "38,0"}}},
                                       {"basetype", "NUMERIC"}},
                                      {{"name", "amount"},
                                       {"definition", {{"type", "NUMBER"}, {"length", "38,6"}}},
                                       {"basetype", "NUMERIC"}},
                                      {{"name", "booked_at"},
                                       {"definition", {{"type", "TIMESTAMP_NTZ"}}},
                                       {"basetype", "TIMESTAMP"}}}}};
  fake_.add_table(table);
  fake_.import_rows(
      "in.c-fin.ledger",
      {{"12345678901234567890", "12345678901234567890.123456", "2024-01-05 10:00:00"}},
      now_seconds());
  harness().define("id: in.c-fin.ledger\nname: ledger\nsync_strategy: full_refresh");
  harness().sync();
  EXPECT_EQ(harness().column_type("id"), "DECIMAL(38,0)");
  EXPECT_EQ(harness().column_type("amount"), "DECIMAL(38,6)");
  EXPECT_EQ(harness().column_type("booked_at"), "TIMESTAMP");
  EXPECT_EQ(harness().published("id"),
            (std::vector<std::string>{
                "12345678901234567890|12345678901234567890.123456|2024-01-05 10:00:00"}));
}

TEST_F(KeboolaSourceTest, EveryCloudIsAddressedAsItsFileInfoSays) {
  add_orders_table();
  fake_.import_rows("in.c-shop.orders", {{"1", "10.50", "new", "2024-01-05"}}, now_seconds());
  fake_.set_slices(2);
  harness().define("id: in.c-shop.orders\nname: orders\nsync_strategy: full_refresh");
  for (auto cloud : {fakes::FakeCloud::kAws, fakes::FakeCloud::kGcp, fakes::FakeCloud::kAzure}) {
    fake_.set_cloud(cloud);
    harness().sync();
    EXPECT_EQ(harness().published("id"), (std::vector<std::string>{"1|10.50|new|2024-01-05"}));
  }
  std::string seen;
  for (const std::string& header : fake_.seen_authorization_headers())
    seen += header + "\n";
  EXPECT_NE(seen.find("AWS4-HMAC-SHA256 Credential="), std::string::npos) << seen;
  EXPECT_NE(seen.find("Bearer "), std::string::npos) << seen;
}

TEST_F(KeboolaSourceTest, SlicesDownloadInParallelUpToTheLimit) {
  add_orders_table();
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 200; ++i)
    rows.push_back({std::to_string(i), "1.00", "new", "2024-01-05"});
  fake_.import_rows("in.c-shop.orders", rows, now_seconds());
  fake_.set_slices(8);
  fake_.delay_requests("/", 0ms);
  harness().define("id: in.c-shop.orders\nname: orders\nsync_strategy: full_refresh");
  EXPECT_EQ(harness().sync().rows_read, 200);
  EXPECT_LE(fake_.max_concurrent_downloads(), 4);
}

TEST_F(KeboolaSourceTest, TransientFailuresAreRetried) {
  add_orders_table();
  fake_.import_rows("in.c-shop.orders", {{"1", "10.50", "new", "2024-01-05"}}, now_seconds());
  fake_.set_slices(2);
  fake_.fail_requests("/v2/storage/tables", 1, 503);
  fake_.fail_requests("/v2/storage/jobs", 1, 429, 1);
  fake_.drop_connections("/v2/storage/files", 1);
  harness().define("id: in.c-shop.orders\nname: orders\nsync_strategy: full_refresh");
  EXPECT_EQ(harness().sync().rows_read, 1);
  EXPECT_EQ(harness().published("id"), (std::vector<std::string>{"1|10.50|new|2024-01-05"}));
}

TEST_F(KeboolaSourceTest, DroppedSliceDownloadsStartOver) {
  add_orders_table();
  fake_.import_rows("in.c-shop.orders", {{"1", "10.50", "new", "2024-01-05"}}, now_seconds());
  fake_.set_slices(1);
  fake_.drop_connections(fake_.object_store_url().substr(fake_.url().size()), 2);
  harness().define("id: in.c-shop.orders\nname: orders\nsync_strategy: full_refresh");
  EXPECT_EQ(harness().sync().rows_read, 1);
}

TEST_F(KeboolaSourceTest, PersistentServerErrorsGiveUpWithStatusMessageAndRequestId) {
  add_orders_table();
  fake_.fail_requests("/v2/storage/tables", 100, 500);
  harness().define("id: in.c-shop.orders\nname: orders\nsync_strategy: full_refresh");
  std::string message = da::testing::thrown_message(ErrorKind::kSource, [&] { harness().sync(); });
  EXPECT_NE(message.find("500"), std::string::npos) << message;
  EXPECT_NE(message.find("after 4 attempts"), std::string::npos) << message;
  EXPECT_NE(message.find("request id"), std::string::npos) << message;
  EXPECT_EQ(message.find("secret-token-4711"), std::string::npos) << message;
}

TEST_F(KeboolaSourceTest, AFailedExportJobNamesTheTableAndTheJobsMessage) {
  add_orders_table();
  fake_.import_rows("in.c-shop.orders", {{"1", "10.50", "new", "2024-01-05"}}, now_seconds());
  harness().define("id: in.c-shop.orders\nname: orders\nsync_strategy: full_refresh");
  harness().sync();
  fake_.fail_next_export("in.c-shop.orders", "Snowflake warehouse is suspended");
  std::string message = da::testing::thrown_message(ErrorKind::kSource, [&] { harness().sync(); });
  EXPECT_NE(message.find("in.c-shop.orders"), std::string::npos) << message;
  EXPECT_NE(message.find("Snowflake warehouse is suspended"), std::string::npos) << message;
  // The last good data stays published.
  EXPECT_EQ(harness().published("id"), (std::vector<std::string>{"1|10.50|new|2024-01-05"}));
}

TEST_F(KeboolaSourceTest, AJobThatNeverEndsTimesOut) {
  add_orders_table();
  fake_.set_job_polls(1'000'000);
  KeboolaSettings impatient = settings();
  impatient.client.job_timeout = 200ms;
  source_ = std::make_unique<KeboolaSource>(impatient, state_dir_ / "state.db");
  harness().define("id: in.c-shop.orders\nname: orders\nsync_strategy: full_refresh");
  std::string message = da::testing::thrown_message(ErrorKind::kSource, [&] { harness().sync(); });
  EXPECT_NE(message.find("did not finish within"), std::string::npos) << message;
}

TEST_F(KeboolaSourceTest, ASlowApiTimesOut) {
  fake_.delay_requests("/v2/storage/tokens/verify", 2s);
  KeboolaSettings impatient = settings();
  impatient.client.request_timeout = 300ms;
  impatient.client.retry.max_attempts = 1;
  KeboolaSource source(impatient, state_dir_ / "state.db");
  auto started = std::chrono::steady_clock::now();
  std::string message =
      da::testing::thrown_message(ErrorKind::kSource, [&] { source.check_connection(); });
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms);
  EXPECT_NE(message.find("tokens/verify"), std::string::npos) << message;
}

TEST_F(KeboolaSourceTest, AWrongTokenIsAClearErrorWithoutTheToken) {
  KeboolaSource source(settings("wrong-token-0815"), state_dir_ / "state.db");
  try {
    source.check_connection();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::kAuth);
    EXPECT_NE(message.find("refused the token"), std::string::npos) << message;
    EXPECT_NE(message.find("KEBOOLA_STORAGE_TOKEN"), std::string::npos) << message;
    EXPECT_EQ(message.find("wrong-token-0815"), std::string::npos) << message;
  }
}

TEST_F(KeboolaSourceTest, ConnectionCheckNamesTheProjectAndChecksItsId) {
  std::string line = source().check_connection();
  EXPECT_NE(line.find("Keboola project"), std::string::npos) << line;
  KeboolaSettings other = settings();
  other.project_id = "999999";
  KeboolaSource wrong_project(other, state_dir_ / "state.db");
  std::string message =
      da::testing::thrown_message(ErrorKind::kConfig, [&] { wrong_project.check_connection(); });
  EXPECT_NE(message.find("project_id is 999999"), std::string::npos) << message;
}

TEST_F(KeboolaSourceTest, DiscoveryListsTablesWithTypesAndFillsTheMetadataCache) {
  add_orders_table();
  KeboolaSettings cached = settings();
  cached.metadata_ttl = std::chrono::minutes(10);
  KeboolaSource source(cached, state_dir_ / "state.db");
  auto tables = source.discover_tables();
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].id, "in.c-shop.orders");
  ASSERT_EQ(tables[0].columns.size(), 4u);
  EXPECT_EQ(tables[0].columns[1].type, "DECIMAL(12,2)");
  EXPECT_EQ(tables[0].columns[2].description, "order state");
  int calls = fake_.requests_to("/v2/storage/tables");
  catalog::TableConfig table;
  table.id = "in.c-shop.orders";
  EXPECT_EQ(source.column_metadata(table).size(), 4u);
  EXPECT_EQ(fake_.requests_to("/v2/storage/tables"), calls);  // served from the state store
}

}  // namespace
}  // namespace da::connectors::keboola
