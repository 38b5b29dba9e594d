// What the catalog pages and API show: tables by category with rows and last sync, business
// metrics, profiles and summary statistics. Built from data_description.md, the sync state,
// profiles.json and the metric files, and rebuilt only when one of them changed (checked at
// most once a second), so requests never parse files.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "da/config/instance_config.hpp"
#include "da/metrics/metric.hpp"
#include "da/store/sqlite_database.hpp"

namespace da::web {

struct CatalogSnapshot {
  // {"last_sync", "stats":{tables,columns,rows,rows_display,size_display,last_updated},
  //  "categories":[{key,label,icon,count,tables:[{id,name,description,rows,rows_display,
  //  rows_large,last_sync,status,has_profile,dataset}]}], "metrics":{count, categories:[...]}}
  nlohmann::json catalog;
  std::string catalog_json;       // catalog, serialised once for GET /api/catalog
  std::string catalog_json_gzip;  // the same, gzipped once
  nlohmann::json profiles;        // profiles.json "tables" (object keyed by table name)
  std::vector<metrics::Metric> metrics;
  std::set<std::string> table_names;
  std::vector<std::string> problems;  // files that could not be read, for /health
  std::string version;                // changes whenever anything above changes
};

class CatalogModel {
 public:
  explicit CatalogModel(const config::InstanceConfig& config) : config_(config) {}

  // The current snapshot; rebuilds it first when a source file changed.
  std::shared_ptr<const CatalogSnapshot> current(store::SqliteDatabase& database);

 private:
  std::string fingerprint(store::SqliteDatabase& database) const;
  std::shared_ptr<const CatalogSnapshot> build(store::SqliteDatabase& database,
                                               const std::string& fingerprint) const;

  const config::InstanceConfig& config_;
  std::mutex mutex_;
  std::shared_ptr<const CatalogSnapshot> snapshot_;
  std::string fingerprint_;
  std::chrono::steady_clock::time_point checked_at_{};
};

// "1.2M", "12K", "950" (original-web-spec §3.11, with one decimal below 10).
std::string rows_display(int64_t rows);
// "1.2 GB", "340 MB", "0.4 MB".
std::string size_display(int64_t bytes);

}  // namespace da::web
