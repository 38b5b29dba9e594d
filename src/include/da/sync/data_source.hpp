// The contract between the sync engine and a connector (connectors/<name>/).
//
// A connector only delivers data: files DuckDB can read (CSV or CSV.gz, Parquet, JSON), either
// files that already exist (the CSV connector) or files it downloads into the staging folder
// it is given (API sources). The engine owns everything after that: typing, filtering,
// de-duplication, merging, partitioning and publishing.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "da/catalog/table_config.hpp"
#include "da/common/time.hpp"

namespace da::sync {

enum class FileFormat { kCsv, kParquet, kJson };

// How to read CSV files; unset fields are detected by DuckDB's sniffer.
struct CsvDialect {
  std::optional<std::string> delimiter;
  std::optional<std::string> quote;  // unset: '"' (an unterminated quote is an error); "": none
  std::optional<std::string> escape;
  std::optional<bool> header;
  std::string encoding = "utf-8";  // utf-8, utf-16 or latin-1
  std::vector<std::string> names;  // column names of header-less files, in file order
};

// A source file and what it looked like when read: a file whose size and modification time
// are unchanged since the last successful sync is not read again by incremental runs.
struct SourceFile {
  std::filesystem::path path;
  int64_t size = 0;
  int64_t modified_ns = 0;
  bool operator==(const SourceFile&) const = default;
};

struct ExtractRequest {
  const catalog::TableConfig& table;
  // Incremental runs of sources that track changes: only rows changed in this window.
  std::optional<Timestamp> changed_since;
  std::optional<Timestamp> changed_until;
  // Files read by the last successful sync of this table; file-based sources deliver only
  // new or changed files when `incremental` is true.
  std::vector<SourceFile> known_files;
  bool incremental = false;
};

// What a connector delivers for one table.
struct Extract {
  FileFormat format = FileFormat::kCsv;
  CsvDialect csv;
  std::vector<SourceFile> files;        // to read now (may be empty: nothing changed)
  std::vector<SourceFile> fingerprint;  // every current source file, remembered after success
  bool changes_only = false;            // rows were already limited to request.changed_since
  std::map<std::string, std::string> column_types;  // types the source declares (DuckDB syntax)
  Timestamp started_at{};                           // when the export began
};

struct SourceColumn {
  std::string name;
  std::string type;  // DuckDB syntax
  std::string description;
};

struct DiscoveredTable {
  std::string id;
  std::string name;
  std::vector<SourceColumn> columns;
  int64_t row_count = 0;
  int64_t size_bytes = 0;
  std::string location;  // file, bucket or URL, for people
  std::string description;
  std::vector<std::string> primary_key;
  // The `source:` of the table's registry definition when the connector needs one to find the
  // table (a CSV file its path_template does not name); "" for none.
  std::string source;
};

// A private folder for one table in one run, on the same filesystem as the published data.
class StagingArea {
 public:
  explicit StagingArea(std::filesystem::path dir) : dir_(std::move(dir)) {}
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path file(const std::string& name) const { return dir_ / name; }

 private:
  std::filesystem::path dir_;
};

class DataSource {
 public:
  virtual ~DataSource() = default;

  // Shown in schema.yml and reports ("CSV files in /srv/incoming").
  virtual std::string name() const = 0;
  // True if extract() honours changed_since/changed_until itself; otherwise the engine selects
  // changed rows with the table's incremental_column.
  virtual bool tracks_changes() const { return false; }
  // Checks that the source is reachable with the configured credentials and returns one line
  // for people ("Keboola project 123 (Acme) at https://connection.keboola.com"). Throws
  // Error(kSource) or Error(kConfig) saying what is wrong; never includes a secret.
  virtual std::string check_connection() = 0;
  // The tables the source offers.
  virtual std::vector<DiscoveredTable> discover_tables() = 0;
  // Column types and descriptions the source declares for a table (may be empty).
  virtual std::vector<SourceColumn> column_metadata(const catalog::TableConfig&) { return {}; }
  // Delivers the table's data. Throws da::Error(kSource) naming the table on failure.
  virtual Extract extract(const ExtractRequest& request, StagingArea& staging) = 0;
};

}  // namespace da::sync
