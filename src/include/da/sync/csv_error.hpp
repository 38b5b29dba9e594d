// DuckDB's CSV reader errors, parsed so that a user sees "orders.csv:3: column 'amount':
// 'abc' is not DECIMAL(18,2)" instead of a page of reader settings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace da::sync {

struct CsvConversionFailure {
  std::string file;
  int64_t line = 0;
  std::string column;
  std::string value;
  std::string type;
  bool auto_detected = false;  // the type came from the sniffer, not from the user
};

// A value that did not convert to its column's type, or nullopt for other errors.
std::optional<CsvConversionFailure> parse_conversion_failure(const std::string& duckdb_message);

// Any other CSV reader error as "file:line: problem" (or the message's first line).
std::string summarize_csv_error(const std::string& duckdb_message);

}  // namespace da::sync
