// The CSV connector: each table is a file or a glob of files (plain or .gz) in base_dir.
// Incremental runs deliver only the files that are new or changed (size or modification
// time) since the last successful sync; the engine then selects changed rows with the
// table's incremental_column.
#pragma once

#include "csv_settings.hpp"

#include "da/sync/data_source.hpp"

namespace da::connectors::csv {

class CsvSource : public sync::DataSource {
 public:
  explicit CsvSource(CsvSettings settings) : settings_(std::move(settings)) {}

  std::string name() const override;
  std::string check_connection() override;
  // One table per CSV file in base_dir, named after the file; a file that path_template does
  // not name for that table is the table's `source`.
  std::vector<sync::DiscoveredTable> discover_tables() override;
  sync::Extract extract(const sync::ExtractRequest& request, sync::StagingArea& staging) override;

  // The files a table maps to, sorted by name. Throws Error(kSource) if there are none.
  std::vector<sync::SourceFile> table_files(const catalog::TableConfig& table) const;

 private:
  // The table's `source` (or path_template) with its placeholders replaced, in base_dir.
  std::filesystem::path file_pattern(const catalog::TableConfig& table) const;

  CsvSettings settings_;
};

}  // namespace da::connectors::csv
