// The Keboola connector: tables of a Keboola Storage project, exported as RFC CSV.
//
// Every strategy exports through export-async with the table's where_filters (placeholders
// resolved); the engine applies them again after typing, so they hold exactly. `incremental`
// uses Keboola's change tracking: changedSince = the previous export's start minus
// incremental_window_days (the engine computes it), and the export's start becomes the next
// watermark. The first load of an incremental table is limited to max_history_days of
// changes, and a table bigger than chunked_load_min_mb is exported in windows of
// initial_load_chunk_days, several at once, oldest first (so that the newest row of a key wins).
// Files are downloaded into the engine's staging folder and read there directly, named by the
// table's current column list. Thread-safe: the engine syncs several tables at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "keboola/adapter/keboola_settings.hpp"
#include "keboola/adapter/metadata_cache.hpp"
#include "keboola/client/storage_client.hpp"

#include "da/common/error.hpp"
#include "da/sync/data_source.hpp"

namespace da::connectors::keboola {

// One export: rows changed in [since, until), either end open.
struct ExportWindow {
  std::optional<int64_t> since;  // Unix seconds
  std::optional<int64_t> until;
  bool operator==(const ExportWindow&) const = default;
};

// The exports that deliver `request` for a table described by `detail`, oldest first.
std::vector<ExportWindow> export_windows(const sync::ExtractRequest& request,
                                         const TableDetail& detail, Timestamp now,
                                         int64_t chunked_load_min_bytes);

class KeboolaSource : public sync::DataSource {
 public:
  KeboolaSource(KeboolaSettings settings, const std::filesystem::path& state_db);

  std::string name() const override;
  bool tracks_changes() const override { return true; }
  std::string check_connection() override;
  std::vector<sync::DiscoveredTable> discover_tables() override;
  std::vector<sync::SourceColumn> column_metadata(const catalog::TableConfig& table) override;
  sync::Extract extract(const sync::ExtractRequest& request, sync::StagingArea& staging) override;

 private:
  // From the cache; a miss refreshes every table with one list call (at most once per TTL),
  // so that schema.yml for hundreds of tables costs one request, not hundreds.
  TableDetail cached_detail(const std::string& table_id);
  // From the API, and stored in the cache.
  TableDetail fresh_detail(const std::string& table_id);
  std::vector<TableDetail> refresh_cache();

  KeboolaSettings settings_;
  StorageClient client_;
  MetadataCache cache_;
  // The token is checked against project_id once, before the first export of a run; every
  // export of that run then fails with the same error instead of reading another project.
  void check_project_once();
  std::once_flag project_checked_;
  std::optional<Error> project_error_;
  std::mutex refresh_mutex_;
  std::optional<std::chrono::steady_clock::time_point> last_refresh_;
};

}  // namespace da::connectors::keboola
