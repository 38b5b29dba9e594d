#include "keboola/adapter/keboola_source.hpp"

#include <algorithm>

#include "keboola/adapter/column_types.hpp"
#include "keboola/client/export_download.hpp"

#include "da/catalog/date_placeholders.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/parallel.hpp"
#include "da/common/strings.hpp"

namespace da::connectors::keboola {

namespace {

constexpr int kMaxChunks = 120;

int64_t epoch_seconds(Timestamp time) {
  return to_epoch_micros(time) / 1'000'000;
}

std::vector<WhereFilterParam> where_params(const catalog::TableConfig& table,
                                           std::chrono::sys_days today) {
  std::vector<WhereFilterParam> params;
  for (const catalog::WhereFilter& filter : table.where_filters) {
    WhereFilterParam param{filter.column, catalog::to_string(filter.op), {}};
    for (const std::string& value : filter.values)
      param.values.push_back(catalog::resolve_date_placeholders(value, today));
    params.push_back(std::move(param));
  }
  return params;
}

std::string host_of(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  return url.substr(start, url.find('/', start) - start);
}

sync::DiscoveredTable discovered(const TableDetail& detail, const std::string& stack_url) {
  sync::DiscoveredTable table;
  table.id = detail.id;
  table.name = detail.name;
  table.description = table_description(detail);
  table.primary_key = detail.primary_key;
  table.row_count = detail.rows_count;
  table.size_bytes = detail.data_size_bytes;
  table.location = host_of(stack_url) + " bucket " + detail.bucket_id;
  for (const ResolvedColumn& column : resolve_columns(detail))
    table.columns.push_back({column.name, column.duckdb_type, column.description});
  return table;
}

}  // namespace

std::vector<ExportWindow> export_windows(const sync::ExtractRequest& request,
                                         const TableDetail& detail, Timestamp now,
                                         int64_t chunked_load_min_bytes) {
  const catalog::TableConfig& table = request.table;
  if (request.changed_since) {
    ExportWindow window{epoch_seconds(*request.changed_since), std::nullopt};
    if (request.changed_until) window.until = epoch_seconds(*request.changed_until);
    return {window};
  }
  if (table.strategy != catalog::SyncStrategy::kIncremental) return {ExportWindow{}};
  // The first load of an incremental table.
  std::optional<int64_t> history_start;
  if (table.max_history_days)
    history_start = epoch_seconds(now - std::chrono::days{*table.max_history_days});
  std::optional<int64_t> start = history_start;
  if (auto created = parse_iso8601(detail.created))
    start = std::max(start.value_or(INT64_MIN), epoch_seconds(*created));
  int64_t end = epoch_seconds(now);
  bool chunked = detail.data_size_bytes >= chunked_load_min_bytes && start && *start < end &&
                 table.initial_load_chunk_days > 0;
  if (!chunked) return {ExportWindow{history_start, std::nullopt}};
  int64_t chunk = int64_t{table.initial_load_chunk_days} * 86'400;
  int64_t span = end - *start;
  if ((span + chunk - 1) / chunk > kMaxChunks) chunk = (span + kMaxChunks - 1) / kMaxChunks;
  std::vector<ExportWindow> windows;
  for (int64_t since = *start; since < end; since += chunk) {
    ExportWindow window{since, since + chunk};
    if (windows.empty()) window.since = history_start;  // nothing older can exist
    if (since + chunk >= end) window.until.reset();     // rows changing during the export count
    windows.push_back(window);
  }
  return windows;
}

KeboolaSource::KeboolaSource(KeboolaSettings settings, const std::filesystem::path& state_db)
    : settings_(std::move(settings)),
      client_(settings_.client),
      cache_(state_db, "keboola " + settings_.client.stack_url + " " + settings_.project_id,
             settings_.metadata_ttl) {}

std::string KeboolaSource::name() const {
  std::string name = "Keboola Storage API at " + host_of(settings_.client.stack_url);
  if (!settings_.project_id.empty()) name += " (project " + settings_.project_id + ")";
  return name;
}

std::string KeboolaSource::check_connection() {
  TokenInfo token = client_.verify_token();
  if (!settings_.project_id.empty() && token.project_id != settings_.project_id) {
    throw Error(ErrorKind::kConfig, "data_source.keboola.project_id is " + settings_.project_id +
                                        ", but the storage token belongs to project " +
                                        token.project_id + " (" + token.project_name + ")");
  }
  return "Keboola project " + token.project_id + " (" + token.project_name + ") at " +
         settings_.client.stack_url + ", token '" + token.description + "'";
}

void KeboolaSource::check_project_once() {
  std::call_once(project_checked_, [this] {
    if (settings_.project_id.empty()) return;
    try {
      check_connection();
    } catch (const Error& e) {
      // Only the verdict on the project is kept for the run; a failure to ask (the network)
      // leaves the check to the next table.
      if (e.kind() != ErrorKind::kConfig) throw;
      project_error_ = e;
    }
  });
  if (project_error_) throw *project_error_;
}

std::vector<sync::DiscoveredTable> KeboolaSource::discover_tables() {
  std::vector<sync::DiscoveredTable> tables;
  for (const TableDetail& detail : refresh_cache())
    tables.push_back(discovered(detail, settings_.client.stack_url));
  std::sort(tables.begin(), tables.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return tables;
}

std::vector<TableDetail> KeboolaSource::refresh_cache() {
  std::vector<std::string> raw;
  std::vector<TableDetail> details = client_.list_tables(&raw);
  for (size_t i = 0; i < details.size(); ++i)
    cache_.put(details[i].id, raw[i]);
  return details;
}

TableDetail KeboolaSource::cached_detail(const std::string& table_id) {
  auto from_cache = [&]() -> std::optional<TableDetail> {
    if (auto cached = cache_.get(table_id)) {
      try {
        return parse_table_json(*cached);
      } catch (const Error&) {
        // A damaged entry is fetched again.
      }
    }
    return std::nullopt;
  };
  if (auto detail = from_cache()) return *detail;
  if (settings_.metadata_ttl.count() > 0) {
    std::lock_guard lock(refresh_mutex_);
    auto now = std::chrono::steady_clock::now();
    if (!last_refresh_ || now - *last_refresh_ >= settings_.metadata_ttl) {
      last_refresh_ = now;
      refresh_cache();
      if (auto detail = from_cache()) return *detail;
    }
  }
  return fresh_detail(table_id);
}

TableDetail KeboolaSource::fresh_detail(const std::string& table_id) {
  std::string raw;
  TableDetail detail = client_.table(table_id, &raw);
  cache_.put(table_id, raw);
  return detail;
}

std::vector<sync::SourceColumn> KeboolaSource::column_metadata(const catalog::TableConfig& table) {
  std::vector<sync::SourceColumn> columns;
  for (const ResolvedColumn& column : resolve_columns(cached_detail(table.id))) {
    std::string type = column.duckdb_type;
    columns.push_back({column.name, type, column.description});
  }
  return columns;
}

sync::Extract KeboolaSource::extract(const sync::ExtractRequest& request,
                                     sync::StagingArea& staging) {
  const catalog::TableConfig& table = request.table;
  check_project_once();
  TableDetail detail = fresh_detail(table.id);
  if (detail.columns.empty())
    throw Error(ErrorKind::kSource, table.id + ": Keboola lists no columns for the table");

  sync::Extract extract;
  extract.started_at = now_utc();
  std::vector<ExportWindow> windows =
      export_windows(request, detail, extract.started_at, settings_.chunked_load_min_bytes);
  ExportOptions options;
  options.where_filters =
      where_params(table, std::chrono::floor<std::chrono::days>(extract.started_at));
  std::vector<DownloadedExport> downloads(windows.size());
  run_parallel(windows.size(), settings_.parallel_exports, [&](size_t index) {
    ExportOptions window = options;
    window.changed_since = windows[index].since;
    window.changed_until = windows[index].until;
    int64_t job = client_.start_export(table.id, window);
    FileInfo file = client_.file_info(client_.wait_for_export(job, table.id));
    downloads[index] = download_export(client_, file, staging.dir(),
                                       "export" + std::to_string(index), settings_.download);
  });

  int64_t transferred = 0, stored = 0;
  for (const DownloadedExport& download : downloads) {
    for (const auto& path : download.files)
      extract.files.push_back({path, static_cast<int64_t>(std::filesystem::file_size(path)), 0});
    transferred += download.transferred_bytes;
    stored += download.stored_bytes;
  }
  log::debug("{}: {} export(s), {} file(s), {} bytes received, {} bytes stored", table.id,
             windows.size(), extract.files.size(), transferred, stored);
  extract.format = sync::FileFormat::kCsv;
  extract.csv.delimiter = ",";
  extract.csv.quote = "\"";
  extract.csv.escape = "\"";
  extract.csv.header = false;
  extract.csv.names = detail.columns;
  for (const ResolvedColumn& column : resolve_columns(detail)) {
    if (!column.duckdb_type.empty()) extract.column_types[column.name] = column.duckdb_type;
  }
  extract.changes_only = request.changed_since.has_value();
  return extract;
}

}  // namespace da::connectors::keboola
