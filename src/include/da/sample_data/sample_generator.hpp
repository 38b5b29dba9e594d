// The sample e-commerce dataset: nine related tables (customers, products, campaigns,
// web_sessions, web_leads, orders, order_items, payments, support_tickets) as CSV and/or
// Parquet, plus a data_description.md that syncs them with all three strategies and a
// _manifest.json.
// The same size and seed give byte-identical files, whatever the number of threads.
// Tables, columns and distributions: docs/sample-data.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace da::sample_data {

struct SampleSize {
  std::string name;
  int64_t customers;
  int64_t products;
  int64_t campaigns;
  int64_t web_sessions;
  int64_t web_leads;
  int64_t orders;
  int64_t support_tickets;
  int months;
};

// xs, s, m, l in increasing order.
const std::vector<SampleSize>& sample_sizes();
// Throws Error(kConfig) naming the sizes for an unknown name.
const SampleSize& sample_size(const std::string& name);

struct SampleOptions {
  std::string size = "s";
  uint64_t seed = 42;
  std::filesystem::path out = "data/sample";
  // "csv": <out>/<table>.csv; "parquet": <out>/<table>.parquet instead; "both": the CSV and
  // <out>/parquet/<table>.parquet. The manifest records it.
  std::string format = "csv";
  unsigned threads = 0;  // 0: one per core
  // Called after each table with its name and rows, for progress output.
  std::function<void(const std::string& table, int64_t rows)> on_table;
};

struct TableOutput {
  std::string name;
  int64_t rows = 0;
  int64_t bytes = 0;
};

struct SampleResult {
  std::vector<TableOutput> tables;  // in generation order
  std::string start_date;           // first day of the window (YYYY-MM-DD)
  std::string end_date;             // the day after the window
  double seconds = 0;
  int64_t total_rows() const;
};

// Writes the tables in `options.format`, <out>/data_description.md and <out>/_manifest.json.
// Throws Error(kConfig) for an unknown size or format before writing anything.
SampleResult generate_sample_data(const SampleOptions& options);

// The catalog of the sample tables (source: <table>.csv), parseable by the catalog parser.
std::string sample_data_description();

}  // namespace da::sample_data
