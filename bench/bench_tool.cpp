// Helpers for the benchmark scripts, built on the same DuckDB library as da:
//   da_bench orders-csv --rows N --out FILE [--quote-all yes]
//                                                          a synthetic orders CSV (~100 bytes/row)
//   da_bench orders-delta --rows N --percent P --out FILE  P% changed rows: updates of recent
//   orders
//                                                          and new orders, for an incremental run
//   da_bench copy --csv FILE --out FILE [--threads T] [--memory-limit M]
//                                                          the baseline: a raw DuckDB CSV ->
//                                                          Parquet COPY
//   da_bench measure -- COMMAND ...                        runs COMMAND, prints wall seconds and
//   peak RSS
//   da_bench keboola-slices --rows N --slices K --out-dir DIR
//                                                          the orders as a sliced Keboola export:
//                                                          K header-less, fully quoted gzip CSVs
//   da_bench keboola-delta --rows N --percent P --out FILE the orders-delta rows as one such slice
#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/duck/sql_quote.hpp"

namespace {

using Options = std::map<std::string, std::string>;

Options parse_options(int argc, char** argv, int first) {
  Options options;
  for (int i = first; i + 1 < argc; i += 2)
    options[argv[i]] = argv[i + 1];
  return options;
}

std::string option(const Options& options, const std::string& name,
                   const std::string& fallback = "") {
  auto found = options.find(name);
  if (found != options.end()) return found->second;
  if (fallback.empty()) throw std::runtime_error("missing option " + name);
  return fallback;
}

// Orders over three years from 2023-01-01, one every ~9.5 s; deterministic.
constexpr const char* kOrderColumns =
    "i AS order_id, "
    "'C-' || lpad(CAST((i * 7919) % 500000 AS VARCHAR), 6, '0') AS customer_id, "
    "TIMESTAMP '2023-01-01' + to_seconds(CAST(i * 9.4608 AS BIGINT)) AS created_at, "
    "TIMESTAMP '2023-01-01' + to_seconds(CAST(i * 9.4608 AS BIGINT) + (i * 2654435761) % 432000) "
    "AS updated_at, "
    "['delivered', 'shipped', 'confirmed', 'pending', 'cancelled', 'returned'][1 + (i * 31) % 6] "
    "AS status, "
    "['web', 'mobile_app', 'phone', 'api'][1 + (i * 17) % 4] AS channel, "
    "CAST(((i * 104729) % 100000) / 100.0 AS DECIMAL(10,2)) AS items_total, "
    "CAST(((i * 7) % 500) / 100.0 AS DECIMAL(10,2)) AS discount_amount, "
    "CAST(((i * 13) % 1600) / 100.0 AS DECIMAL(10,2)) AS shipping_amount, "
    "CAST(((i * 104729) % 100000 + (i * 13) % 1600 - (i * 7) % 500) / 100.0 AS DECIMAL(10,2)) AS "
    "total_amount";

// Keboola's "rfc" export format: no header in slices, every value quoted, gzip.
constexpr const char* kKeboolaSlice = "(HEADER false, FORCE_QUOTE *, COMPRESSION gzip)";

void copy_to_csv(const std::string& select, const std::string& out,
                 const std::string& format = "(HEADER)") {
  da::duck::Database database;
  da::duck::Connection connection(database);
  connection.execute("COPY (" + select + ") TO " + da::duck::quote_literal(out) + " " + format);
}

int orders_csv(const Options& options) {
  int64_t rows = std::stoll(option(options, "--rows"));
  bool quote_all = option(options, "--quote-all", "no") == "yes";
  copy_to_csv(fmt::format("SELECT {} FROM range(1, {}) t(i)", kOrderColumns, rows + 1),
              option(options, "--out"), quote_all ? "(HEADER, FORCE_QUOTE *)" : "(HEADER)");
  return 0;
}

int keboola_slices(const Options& options) {
  int64_t rows = std::stoll(option(options, "--rows"));
  int64_t slices = std::stoll(option(options, "--slices", "8"));
  std::string dir = option(options, "--out-dir");
  int64_t per_slice = (rows + slices - 1) / slices;
  for (int64_t k = 0; k < slices; ++k) {
    int64_t first = 1 + k * per_slice;
    int64_t end = std::min(rows + 1, first + per_slice);
    copy_to_csv(fmt::format("SELECT {} FROM range({}, {}) t(i)", kOrderColumns, first, end),
                fmt::format("{}/part_{:04}.csv.gz", dir, k), kKeboolaSlice);
  }
  return 0;
}

// Half updates of the newest orders (status and updated_at change), half new orders.
std::string orders_delta_select(const Options& options) {
  int64_t rows = std::stoll(option(options, "--rows"));
  double percent = std::stod(option(options, "--percent", "1"));
  int64_t changed = static_cast<int64_t>(static_cast<double>(rows) * percent / 100.0);
  int64_t updates = changed / 2;
  std::string updated = fmt::format(
      "SELECT * REPLACE ('delivered' AS status, TIMESTAMP '2026-01-01' + to_seconds(order_id % "
      "86400) AS updated_at) "
      "FROM (SELECT {} FROM range({}, {}) t(i))",
      kOrderColumns, rows - updates + 1, rows + 1);
  std::string added = fmt::format("SELECT {} FROM range({}, {}) t(i)", kOrderColumns, rows + 1,
                                  rows + changed - updates + 1);
  return updated + " UNION ALL " + added;
}

int orders_delta(const Options& options) {
  copy_to_csv(orders_delta_select(options), option(options, "--out"));
  return 0;
}

int keboola_delta(const Options& options) {
  copy_to_csv(orders_delta_select(options), option(options, "--out"), kKeboolaSlice);
  return 0;
}

int raw_copy(const Options& options) {
  da::duck::DatabaseOptions database_options;
  database_options.memory_limit = option(options, "--memory-limit", "2GB");
  database_options.threads = std::stoi(option(options, "--threads", "0"));
  da::duck::Database database(database_options);
  da::duck::Connection connection(database);
  connection.execute("COPY (FROM read_csv(" + da::duck::quote_literal(option(options, "--csv")) +
                     ")) TO " + da::duck::quote_literal(option(options, "--out")) +
                     " (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)");
  return 0;
}

int summarize(const Options& options) {
  da::duck::DatabaseOptions database_options;
  database_options.memory_limit = option(options, "--memory-limit", "2GB");
  database_options.threads = std::stoi(option(options, "--threads", "0"));
  da::duck::Database database(database_options);
  da::duck::Connection connection(database);
  connection
      .query("SUMMARIZE SELECT * FROM read_parquet(" +
             da::duck::quote_literal(option(options, "--parquet")) + ")")
      .fetch_all();
  return 0;
}

int measure(char** command) {
  auto started = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::execvp(command[0], command);
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print("wall_seconds={:.3f} peak_rss_mb={:.1f} exit_code={}\n", seconds,
             usage.ru_maxrss / 1024.0, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: da_bench orders-csv|orders-delta|copy|measure ...\n");
    return 2;
  }
  std::string command = argv[1];
  try {
    if (command == "orders-csv") return orders_csv(parse_options(argc, argv, 2));
    if (command == "orders-delta") return orders_delta(parse_options(argc, argv, 2));
    if (command == "keboola-slices") return keboola_slices(parse_options(argc, argv, 2));
    if (command == "keboola-delta") return keboola_delta(parse_options(argc, argv, 2));
    if (command == "copy") return raw_copy(parse_options(argc, argv, 2));
    if (command == "summarize") return summarize(parse_options(argc, argv, 2));
    if (command == "measure" && argc > 3 && std::strcmp(argv[2], "--") == 0)
      return measure(argv + 3);
  } catch (const std::exception& e) {
    fmt::print(stderr, "da_bench {}: {}\n", command, e.what());
    return 1;
  }
  fmt::print(stderr, "da_bench: unknown command {}\n", command);
  return 2;
}
