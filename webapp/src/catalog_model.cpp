#include "da/web/catalog_model.hpp"

#include <map>

#include <fmt/core.h>

#include "da/catalog/data_description.hpp"
#include "da/common/atomic_file.hpp"
#include "da/common/hash.hpp"
#include "da/common/log.hpp"
#include "da/metrics/metric_catalog.hpp"
#include "da/sync/sync_state_repository.hpp"
#include "da/web/gzip.hpp"

namespace da::web {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

std::string mtime_of(const fs::path& path) {
  std::error_code ec;
  auto time = fs::last_write_time(path, ec);
  if (ec) return "-";
  return std::to_string(time.time_since_epoch().count()) + ":" +
         std::to_string(fs::is_regular_file(path, ec) ? fs::file_size(path, ec) : 0);
}

std::string title_case(const std::string& key) {
  std::string label;
  bool start = true;
  for (char c : key) {
    if (c == '_' || c == '-') {
      label.push_back(' ');
      start = true;
    } else {
      label.push_back(start && c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
      start = false;
    }
  }
  return label;
}

Json load_profiles(const fs::path& file, std::vector<std::string>& problems) {
  if (!fs::exists(file)) return Json::object();
  Json document = Json::parse(read_file(file), nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    problems.push_back(file.string() + ": not valid JSON");
    return Json::object();
  }
  if (document.contains("tables") && document["tables"].is_object()) return document["tables"];
  return Json::object();
}

// "2026-11-29T04:54:18.123Z" -> "2026-11-29 04:54 UTC".
std::string display_time(const std::string& iso) {
  return iso.size() < 16 ? iso : iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

}  // namespace

std::string rows_display(int64_t rows) {
  if (rows >= 1'000'000) {
    double millions = static_cast<double>(rows) / 1e6;
    return millions < 10 ? fmt::format("{:.1f}M", millions) : fmt::format("{:.0f}M", millions);
  }
  if (rows >= 1'000) {
    double thousands = static_cast<double>(rows) / 1e3;
    return thousands < 10 ? fmt::format("{:.1f}K", thousands) : fmt::format("{:.0f}K", thousands);
  }
  return std::to_string(rows);
}

std::string size_display(int64_t bytes) {
  double megabytes = static_cast<double>(bytes) / 1e6;
  if (megabytes >= 1000) return fmt::format("{:.1f} GB", megabytes / 1000);
  if (megabytes >= 10) return fmt::format("{:.0f} MB", megabytes);
  return fmt::format("{:.1f} MB", megabytes);
}

std::string CatalogModel::fingerprint(store::SqliteDatabase& database) const {
  const fs::path& docs = config_.paths.docs_dir;
  std::string print = mtime_of(docs / "data_description.md") + "|" + mtime_of(docs / "datasets") +
                      "|" + mtime_of(config_.paths.data_dir / "metadata" / "profiles.json") + "|";
  std::error_code ec;
  fs::path metrics_dir = docs / "metrics";
  if (fs::is_directory(metrics_dir, ec)) {
    for (fs::recursive_directory_iterator it(metrics_dir, ec), end; !ec && it != end;
         it.increment(ec))
      print += it->path().filename().string() + "@" + mtime_of(it->path()) + ";";
  }
  return print + sync::SyncStateRepository(database).change_stamp();
}

std::shared_ptr<const CatalogSnapshot> CatalogModel::current(store::SqliteDatabase& database) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (snapshot_ && now - checked_at_ < std::chrono::seconds(1)) return snapshot_;
  checked_at_ = now;
  std::string print = fingerprint(database);
  if (!snapshot_ || print != fingerprint_) {
    snapshot_ = build(database, print);
    fingerprint_ = print;
  }
  return snapshot_;
}

std::shared_ptr<const CatalogSnapshot> CatalogModel::build(store::SqliteDatabase& database,
                                                           const std::string& print) const {
  auto snapshot = std::make_shared<CatalogSnapshot>();
  catalog::DataDescription description;
  if (fs::exists(config_.paths.docs_dir / "data_description.md")) {
    auto load = catalog::load_data_description(config_.paths.docs_dir);
    description = std::move(load.description);
    if (load.diagnostics.has_errors())
      snapshot->problems.push_back("data_description.md has errors (run `da config check`)");
  }
  std::map<std::string, sync::TableSyncState> states;
  for (auto& state : sync::SyncStateRepository(database).all())
    states[state.table_id] = state;
  snapshot->profiles =
      load_profiles(config_.paths.data_dir / "metadata" / "profiles.json", snapshot->problems);
  auto metric_load = metrics::load_metrics(config_.paths.docs_dir / "metrics");
  snapshot->metrics = std::move(metric_load.metrics);
  if (metric_load.diagnostics.has_errors())
    snapshot->problems.push_back("some metric files are invalid (run `da metrics validate`)");

  // Folders in catalog.order (or categories' order) first, then the others by name: the
  // original hid unlisted folders, which made newly registered tables invisible.
  std::vector<std::string> folder_order = config_.catalog.order;
  if (folder_order.empty())
    for (const auto& [key, category] : config_.catalog.categories)
      folder_order.push_back(key);
  std::map<std::string, std::vector<const catalog::TableConfig*>> by_folder;
  for (const auto& table : description.tables)
    by_folder[description.folder_of(table)].push_back(&table);
  for (const auto& [folder, tables] : by_folder)
    if (std::find(folder_order.begin(), folder_order.end(), folder) == folder_order.end())
      folder_order.push_back(folder);

  int64_t total_rows = 0, total_columns = 0, total_bytes = 0;
  std::string last_sync;
  Json categories = Json::array();
  for (const std::string& folder : folder_order) {
    auto tables_of = by_folder.find(folder);
    if (tables_of == by_folder.end()) continue;
    std::string label = title_case(folder), icon = "folder";
    for (const auto& [key, category] : config_.catalog.categories) {
      if (key != folder) continue;
      if (!category.label.empty()) label = category.label;
      if (!category.icon.empty()) icon = category.icon;
    }
    Json tables = Json::array();
    for (const catalog::TableConfig* table : tables_of->second) {
      Json entry = {{"id", table->id},
                    {"name", table->name},
                    {"description", table->description},
                    {"strategy", catalog::to_string(table->strategy)},
                    {"dataset", table->dataset ? Json(*table->dataset) : Json(nullptr)},
                    {"has_profile", snapshot->profiles.contains(table->name)}};
      auto state = states.find(table->id);
      if (state != states.end() && state->second.last_sync) {
        const auto& s = state->second;
        entry["rows"] = s.rows;
        entry["rows_display"] = rows_display(s.rows);
        entry["rows_large"] = s.rows >= 1'000'000;
        entry["columns"] = s.columns;
        entry["size_display"] = size_display(s.file_size_bytes);
        entry["last_sync"] = *s.last_sync;
        entry["last_sync_display"] = display_time(*s.last_sync);
        entry["status"] = s.status;
        total_rows += s.rows;
        total_columns += s.columns;
        total_bytes += s.file_size_bytes;
        if (*s.last_sync > last_sync) last_sync = *s.last_sync;
      } else {
        entry["rows"] = nullptr;
        entry["rows_display"] = "-";
        entry["rows_large"] = false;
        entry["last_sync"] = nullptr;
        entry["status"] = "never synced";
      }
      snapshot->table_names.insert(table->name);
      tables.push_back(std::move(entry));
    }
    std::string category_sync;
    for (const auto& table : tables)
      if (table["last_sync"].is_string() && table["last_sync"].get<std::string>() > category_sync)
        category_sync = table["last_sync"].get<std::string>();
    categories.push_back({{"key", folder},
                          {"last_sync_display",
                           category_sync.empty() ? "never synced" : display_time(category_sync)},
                          {"label", label},
                          {"icon", icon},
                          {"count", tables.size()},
                          {"tables", std::move(tables)}});
  }

  Json metric_categories = Json::array();
  for (const auto& group : metrics::group_by_category(snapshot->metrics)) {
    Json items = Json::array();
    for (const metrics::Metric* metric : group.metrics)
      items.push_back({{"name", metric->name},
                       {"display_name", metric->display_name},
                       {"description", metric->description},
                       {"grain", metric->grain},
                       {"unit", metric->unit},
                       {"path", metric->file}});
    metric_categories.push_back({{"key", group.key},
                                 {"label", group.label},
                                 {"color", group.color},
                                 {"count", items.size()},
                                 {"metrics", std::move(items)}});
  }

  std::string last_display = last_sync.empty() ? "never" : display_time(last_sync);
  snapshot->catalog = {
      {"last_sync", last_sync.empty() ? Json(nullptr) : Json(last_sync)},
      {"stats",
       {{"tables", snapshot->table_names.size()},
        {"columns", total_columns},
        {"rows", total_rows},
        {"rows_display", rows_display(total_rows)},
        {"size_display", size_display(total_bytes)},
        {"last_updated", last_display}}},
      {"categories", std::move(categories)},
      {"metrics",
       {{"count", snapshot->metrics.size()}, {"categories", std::move(metric_categories)}}}};
  snapshot->catalog_json = snapshot->catalog.dump(-1, ' ', false, Json::error_handler_t::replace);
  snapshot->catalog_json_gzip = gzip(snapshot->catalog_json);
  snapshot->version = sha256_hex(print).substr(0, 16);
  return snapshot;
}

}  // namespace da::web
