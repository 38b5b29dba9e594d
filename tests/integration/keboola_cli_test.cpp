// `da sync` with the Keboola connector through the real binary, against the fake Storage API:
// the token comes from .env, the tables land as typed Parquet, schema.yml carries the
// descriptions Keboola holds, and neither the output nor the logs show the token.
#include "fakes/keboola/fake_keboola.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/common/time.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"

namespace da {
namespace {

using testing::read_text;
using testing::run_da;
using testing::TempDir;

constexpr const char* kToken = "kbc-secret-token-31337";

class KeboolaCli : public ::testing::Test {
 protected:
  void SetUp() override {
    fakes::FakeTable orders;
    orders.id = "in.c-shop.orders";
    orders.columns = {"id", "amount", "status"};
    orders.primary_key = {"id"};
    orders.column_metadata = {{"id", {{"KBC.datatype.basetype", "INTEGER", "user"}}},
                              {"amount",
                               {{"KBC.datatype.basetype", "NUMERIC", "keboola.ex-db-mysql"},
                                {"KBC.datatype.length", "10,2", "keboola.ex-db-mysql"},
                                {"KBC.description", "Order total in EUR", "user"}}}};
    fake_.add_table(orders);
    fake_.import_rows("in.c-shop.orders", {{"1", "10.50", "new"}, {"2", "7.25", "paid"}},
                      to_epoch_micros(now_utc()) / 1'000'000);
    fake_.set_slices(2);
    dir_.write(".env", std::string("KEBOOLA_STORAGE_TOKEN=") + kToken + "\n");
    dir_.write("config/instance.yaml",
               "data_source:\n  type: keboola\n  keboola:\n"
               "    stack_url: " +
                   fake_.url() +
                   "\n"
                   "    storage_token: ${KEBOOLA_STORAGE_TOKEN}\n"
                   "    object_store_endpoint: " +
                   fake_.object_store_url() +
                   "\n"
                   "paths:\n  data_dir: ./data\n  docs_dir: ./docs\n"
                   "sync:\n  memory_limit: 512MB\n  threads: 2\n"
                   "logging:\n  level: debug\n");
    dir_.write("docs/data_description.md",
               "# Shop\n\n```yaml\nfolder_mapping: {in.c-shop: shop}\ntables:\n"
               "  - {id: in.c-shop.orders, name: orders, description: Orders, primary_key: id, "
               "sync_strategy: incremental}\n```\n");
  }

  testing::ProcessResult da(std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", (dir_ / "config").string()});
    return run_da(args);
  }

  fakes::FakeKeboola fake_{kToken};
  TempDir dir_;
};

TEST_F(KeboolaCli, SyncPublishesTypedParquetAndDescribesItInSchemaYml) {
  auto result = da({"sync", "--no-profile"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  duck::Database database;
  duck::Connection connection(database);
  auto parquet = dir_ / "data" / "parquet" / "shop" / "orders.parquet";
  auto rows = connection
                  .query("SELECT id, amount, status, typeof(amount) FROM read_parquet(" +
                         duck::quote_path(parquet) + ") ORDER BY id")
                  .fetch_all();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1].to_string(), "10.50");
  EXPECT_EQ(rows[0][3].to_string(), "DECIMAL(10,2)");
  std::string schema = read_text(dir_ / "docs" / "schema.yml");
  EXPECT_NE(schema.find("Order total in EUR"), std::string::npos) << schema;
  EXPECT_NE(schema.find("source_type: DECIMAL(10,2)"), std::string::npos) << schema;
  EXPECT_NE(schema.find("Keboola Storage API"), std::string::npos) << schema;
  EXPECT_EQ((result.out + result.err).find(kToken), std::string::npos);

  // The second run asks only for what changed since the first export (minus the window).
  auto again = da({"sync", "--no-profile"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  auto requests = fake_.export_requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].form.count("changedSince"), 0u);
  EXPECT_EQ(requests[1].form.count("changedSince"), 1u);
}

TEST_F(KeboolaCli, AWrongTokenFailsTheTableWithAClearMessage) {
  dir_.write(".env", "KEBOOLA_STORAGE_TOKEN=not-the-right-token\n");
  auto result = da({"sync", "--no-profile"});
  EXPECT_NE(result.exit_code, 0);
  std::string output = result.out + result.err;
  EXPECT_NE(output.find("refused the token"), std::string::npos) << output;
  EXPECT_EQ(output.find("not-the-right-token"), std::string::npos) << output;
}

TEST(KeboolaInit, NonInteractiveSetupChecksTheProjectAndRegistersTheChosenBucket) {
  fakes::FakeKeboola fake(kToken);
  fakes::FakeTable orders;
  orders.id = "in.c-shop.orders";
  orders.columns = {"id", "amount"};
  orders.primary_key = {"id"};
  orders.metadata = {{"KBC.description", "Every order of the web shop", "user"}};
  orders.column_metadata = {{"amount", {{"KBC.description", "Total in EUR", "user"}}}};
  fake.add_table(orders);
  fakes::FakeTable customers;
  customers.id = "in.c-shop.customers";
  customers.columns = {"id", "name"};
  fake.add_table(customers);
  fakes::FakeTable logs;
  logs.id = "out.c-ops.logs";
  logs.columns = {"line"};
  fake.add_table(logs);
  TempDir dir;
  testing::ProcessOptions options;
  options.working_dir = dir.path();
  options.env = {{"KEBOOLA_STORAGE_TOKEN", kToken}};
  auto result = run_da({"--config", (dir / "config").string(), "init", "--non-interactive",
                        "--domain", "acme.com", "--source", "keboola", "--keboola-url", fake.url(),
                        "--keboola-project", "4321", "--tables", "in.c-shop"},
                       options);
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("Keboola project 4321"), std::string::npos) << result.out;
  EXPECT_EQ((result.out + result.err).find(kToken), std::string::npos);
  std::string config = read_text(dir / "config" / "instance.yaml");
  EXPECT_EQ(config.find(kToken), std::string::npos);
  EXPECT_NE(config.find("${KEBOOLA_STORAGE_TOKEN}"), std::string::npos);
  EXPECT_NE(read_text(dir / ".env").find(kToken), std::string::npos);
  EXPECT_EQ(std::filesystem::status(dir / ".env").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::string catalog = read_text(dir / "docs" / "data_description.md");
  EXPECT_NE(catalog.find("in.c-shop.orders"), std::string::npos) << catalog;
  EXPECT_NE(catalog.find("in.c-shop.customers"), std::string::npos) << catalog;
  EXPECT_EQ(catalog.find("out.c-ops.logs"), std::string::npos) << catalog;
  EXPECT_NE(catalog.find("Every order of the web shop"), std::string::npos) << catalog;
  EXPECT_NE(catalog.find("Total in EUR"), std::string::npos) << catalog;
  auto check = run_da({"--config", (dir / "config").string(), "config", "check"}, options);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST(KeboolaInit, AWrongProjectIdFailsTheCheckButKeepsTheFiles) {
  fakes::FakeKeboola fake(kToken);
  TempDir dir;
  testing::ProcessOptions options;
  options.working_dir = dir.path();
  options.env = {{"KEBOOLA_STORAGE_TOKEN", kToken}};
  auto result = run_da(
      {"--config", (dir / "config").string(), "init", "--non-interactive", "--domain", "acme.com",
       "--source", "keboola", "--keboola-url", fake.url(), "--keboola-project", "1111"},
      options);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("project_id is 1111"), std::string::npos) << result.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "config" / "instance.yaml"));
}

}  // namespace
}  // namespace da
