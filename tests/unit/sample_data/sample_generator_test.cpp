#include "da/sample_data/sample_generator.hpp"

#include <set>

#include "support/temp_dir.hpp"
#include <gtest/gtest.h>

#include "da/catalog/data_description.hpp"
#include "da/common/error.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::sample_data {
namespace {

using da::testing::read_text;
using da::testing::TempDir;

const char* const kTables[] = {"customers",    "products",  "campaigns",
                               "web_sessions", "web_leads", "orders",
                               "order_items",  "payments",  "support_tickets"};
const char* const kIdColumns[] = {"customer_id",   "product_id", "campaign_id",
                                  "session_id",    "lead_id",    "order_id",
                                  "order_item_id", "payment_id", "ticket_id"};

SampleResult generate(const TempDir& dir, const std::string& size, uint64_t seed,
                      unsigned threads = 0) {
  SampleOptions options;
  options.size = size;
  options.seed = seed;
  options.out = dir.path();
  options.threads = threads;
  return generate_sample_data(options);
}

int64_t rows_of(const SampleResult& result, const std::string& table) {
  for (const auto& output : result.tables) {
    if (output.name == table) return output.rows;
  }
  return -1;
}

TEST(SampleSizes, GrowWithEverySize) {
  const auto& sizes = sample_sizes();
  ASSERT_EQ(sizes.size(), 4u);
  for (size_t i = 1; i < sizes.size(); ++i) {
    EXPECT_GT(sizes[i].customers, sizes[i - 1].customers);
    EXPECT_GT(sizes[i].products, sizes[i - 1].products);
    EXPECT_GT(sizes[i].orders, sizes[i - 1].orders);
    EXPECT_GT(sizes[i].web_sessions, sizes[i - 1].web_sessions);
    EXPECT_GT(sizes[i].months, sizes[i - 1].months);
  }
  EXPECT_THROW(sample_size("xxl"), Error);
}

TEST(SampleData, ExtraSmallHasTheConfiguredRowsAndCsvShape) {
  TempDir dir;
  SampleResult result = generate(dir, "xs", 42);
  EXPECT_EQ(rows_of(result, "customers"), 50);
  EXPECT_EQ(rows_of(result, "products"), 30);
  EXPECT_EQ(rows_of(result, "campaigns"), 10);
  EXPECT_EQ(rows_of(result, "web_sessions"), 500);
  EXPECT_EQ(rows_of(result, "web_leads"), 50);
  EXPECT_EQ(rows_of(result, "orders"), 100);
  EXPECT_EQ(rows_of(result, "support_tickets"), 30);
  EXPECT_GT(rows_of(result, "order_items"), 100);
  EXPECT_GE(rows_of(result, "payments"), 100);
  EXPECT_EQ(result.start_date, "2025-12-01");
  EXPECT_EQ(result.end_date, "2026-03-01");
  for (size_t t = 0; t < std::size(kTables); ++t) {
    std::string table = kTables[t];
    std::string text = read_text(dir / (table + ".csv"));
    EXPECT_EQ(text.rfind(std::string(kIdColumns[t]) + ",", 0), 0u) << table;
    size_t lines = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '\n') continue;
      ASSERT_EQ(text[i - 1], '\r') << table << " line " << lines;
      ++lines;
    }
    EXPECT_EQ(static_cast<int64_t>(lines), rows_of(result, table) + 1) << table;
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "_manifest.json"));
}

TEST(SampleData, TheSameSeedGivesTheSameBytesWhateverTheThreadCount) {
  TempDir one;
  TempDir two;
  TempDir other;
  generate(one, "s", 7, 1);
  generate(two, "s", 7, 4);
  generate(other, "s", 8, 2);
  for (const char* table : kTables) {
    std::string file = std::string(table) + ".csv";
    EXPECT_EQ(read_text(one / file), read_text(two / file)) << table;
  }
  EXPECT_EQ(read_text(one / "data_description.md"), read_text(two / "data_description.md"));
  EXPECT_NE(read_text(one / "customers.csv"), read_text(other / "customers.csv"));
  EXPECT_NE(read_text(one / "web_sessions.csv"), read_text(other / "web_sessions.csv"));
}

class SampleIntegrity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    generate(*dir_, "s", 123);
    database_ = new duck::Database();
    connection_ = new duck::Connection(*database_);
    for (const char* table : kTables) {
      connection_->execute(std::string("CREATE TABLE ") + table + " AS SELECT * FROM read_csv(" +
                           duck::quote_path(*dir_ / (std::string(table) + ".csv")) +
                           ", all_varchar = true)");
    }
  }
  static void TearDownTestSuite() {
    delete connection_;
    delete database_;
    delete dir_;
  }

  int64_t count(const std::string& sql) { return connection_->query(sql).scalar().as_int(); }

  static TempDir* dir_;
  static duck::Database* database_;
  static duck::Connection* connection_;
};

TempDir* SampleIntegrity::dir_ = nullptr;
duck::Database* SampleIntegrity::database_ = nullptr;
duck::Connection* SampleIntegrity::connection_ = nullptr;

TEST_F(SampleIntegrity, EveryReferenceResolves) {
  EXPECT_EQ(count("SELECT count(*) FROM orders WHERE customer_id NOT IN (SELECT customer_id FROM "
                  "customers)"),
            0);
  EXPECT_EQ(
      count("SELECT count(*) FROM order_items WHERE order_id NOT IN (SELECT order_id FROM orders)"),
      0);
  EXPECT_EQ(count("SELECT count(*) FROM order_items WHERE product_id NOT IN (SELECT product_id "
                  "FROM products)"),
            0);
  EXPECT_EQ(
      count("SELECT count(*) FROM payments WHERE order_id NOT IN (SELECT order_id FROM orders)"),
      0);
  EXPECT_EQ(count("SELECT count(*) FROM payments WHERE customer_id NOT IN (SELECT customer_id FROM "
                  "customers)"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM support_tickets WHERE customer_id NOT IN (SELECT "
                  "customer_id FROM customers)"),
            0);
  EXPECT_EQ(
      count("SELECT count(*) FROM support_tickets WHERE order_id IS NOT NULL AND order_id NOT IN "
            "(SELECT order_id FROM orders)"),
      0);
  EXPECT_EQ(count("SELECT count(*) FROM support_tickets t JOIN orders o USING (order_id) "
                  "WHERE o.customer_id <> t.customer_id"),
            0);
  EXPECT_EQ(
      count(
          "SELECT count(*) FROM web_sessions WHERE campaign_id IS NOT NULL AND campaign_id NOT IN "
          "(SELECT campaign_id FROM campaigns)"),
      0);
  EXPECT_EQ(
      count("SELECT count(*) FROM web_leads WHERE campaign_id IS NOT NULL AND campaign_id NOT IN "
            "(SELECT campaign_id FROM campaigns)"),
      0);
  EXPECT_EQ(
      count(
          "SELECT count(*) FROM web_sessions WHERE customer_id IS NOT NULL AND customer_id NOT IN "
          "(SELECT customer_id FROM customers)"),
      0);
}

TEST_F(SampleIntegrity, AmountsAndTimesAreConsistent) {
  EXPECT_EQ(count("SELECT count(*) FROM orders o JOIN (SELECT order_id, "
                  "sum(line_total::DECIMAL(12,2)) AS s "
                  "FROM order_items GROUP BY ALL) i USING (order_id) WHERE i.s <> "
                  "o.items_total::DECIMAL(12,2)"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM orders WHERE total_amount::DECIMAL(12,2) <> "
                  "items_total::DECIMAL(12,2) - "
                  "discount_amount::DECIMAL(12,2) + shipping_amount::DECIMAL(12,2)"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM support_tickets WHERE first_response_at::TIMESTAMP < "
                  "created_at::TIMESTAMP "
                  "OR resolved_at::TIMESTAMP < created_at::TIMESTAMP"),
            0);
  EXPECT_EQ(
      count("SELECT count(*) FROM web_leads WHERE converted_at::TIMESTAMP < created_at::TIMESTAMP"),
      0);
  EXPECT_EQ(count("SELECT count(*) FROM orders o JOIN customers c USING (customer_id) "
                  "WHERE o.created_at::TIMESTAMP < c.registration_date::DATE"),
            0);
  EXPECT_EQ(
      count("SELECT count(*) FROM orders WHERE created_at::TIMESTAMP >= TIMESTAMP '2026-03-01' "
            "OR created_at::TIMESTAMP < TIMESTAMP '2025-03-06'"),
      0);
  EXPECT_GT(count("SELECT count(DISTINCT status) FROM orders"), 4);
  EXPECT_EQ(
      count("SELECT count(*) FROM payments WHERE status = 'completed' AND completed_at IS NULL"),
      0);
}

TEST(SampleData, TheCatalogParsesWithoutErrorsOrWarnings) {
  catalog::DataDescriptionLoad load =
      catalog::parse_data_description({{"sample.md", sample_data_description()}});
  EXPECT_FALSE(load.diagnostics.has_errors()) << load.diagnostics.errors().front().format();
  EXPECT_TRUE(load.diagnostics.warnings().empty()) << load.diagnostics.warnings().front().format();
  ASSERT_EQ(load.description.tables.size(), 9u);
  std::set<catalog::SyncStrategy> strategies;
  for (const auto& table : load.description.tables)
    strategies.insert(table.strategy);
  EXPECT_EQ(strategies.size(), 3u);
}

}  // namespace
}  // namespace da::sample_data
