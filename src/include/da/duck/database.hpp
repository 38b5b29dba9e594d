// A DuckDB database (in memory or a file), opened offline: extensions are never downloaded
// or auto-loaded (parquet, json and icu are built in).
#pragma once

#include <memory>
#include <string>

namespace da::duck {

struct DatabaseOptions {
  std::string path;            // empty: in memory
  std::string memory_limit;    // e.g. "2GB"; empty: DuckDB's default (80% of RAM)
  int threads = 0;             // 0: DuckDB's default (every core)
  std::string temp_directory;  // where operators spill; empty: DuckDB's default
  bool read_only = false;
};

class Database {
 public:
  // Throws DuckError with DuckDB's message (e.g. a file locked by another process).
  explicit Database(const DatabaseOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // "v1.5.6" etc.: the version of the loaded libduckdb.
  static std::string library_version();

 private:
  friend class Connection;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace da::duck
