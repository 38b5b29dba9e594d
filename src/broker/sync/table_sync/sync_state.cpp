#include "sync_state.hpp"

#include "parquet_sql.hpp"
#include "partitions.hpp"
#include "single_file.hpp"
#include <nlohmann/json.hpp>

#include "da/duck/sql_quote.hpp"

namespace da::sync::table_sync {

namespace fs = std::filesystem;

std::string source_files_json(const std::vector<SourceFile>& files) {
  nlohmann::json list = nlohmann::json::array();
  for (const SourceFile& file : files) {
    list.push_back(
        {{"path", file.path.string()}, {"size", file.size}, {"modified_ns", file.modified_ns}});
  }
  return list.dump();
}

std::vector<SourceFile> parse_source_files(const std::optional<std::string>& json) {
  std::vector<SourceFile> files;
  if (!json) return files;
  try {
    for (const auto& item : nlohmann::json::parse(*json)) {
      files.push_back(
          {item.at("path").get<std::string>(), item.at("size"), item.at("modified_ns")});
    }
  } catch (const nlohmann::json::exception&) {
    files.clear();  // unreadable: every file counts as changed, which is safe
  }
  return files;
}

std::optional<std::string> max_of_incremental_column(SyncRun& run, const StagedBatch& delta) {
  const catalog::TableConfig& table = run.table();
  std::optional<std::string> previous_watermark =
      run.previous() ? run.previous()->watermark : std::nullopt;
  if (!table.incremental_column || !delta.schema.find(*table.incremental_column)) {
    return previous_watermark;
  }
  const SchemaColumn* column = delta.schema.find(*table.incremental_column);
  std::string name = duck::quote_identifier(column->name);
  std::string sql = "SELECT CAST(max(" + name + ") AS VARCHAR) FROM " + parquet_sql(delta.path);
  if (previous_watermark) {
    sql = "SELECT CAST(greatest(max(" + name + "), CAST(" +
          duck::quote_literal(*previous_watermark) + " AS " + column->type +
          ")) AS VARCHAR) FROM " + parquet_sql(delta.path);
  }
  duck::Value value = run.connection.query(sql).scalar();
  if (value.is_null()) return previous_watermark;
  return value.text();
}

TableSyncState base_state(const SyncRun& run) {
  TableSyncState state = run.previous().value_or(TableSyncState{});
  state.table_id = run.table().id;
  state.table_name = run.table().name;
  state.strategy = catalog::to_string(run.table().strategy);
  return state;
}

void finish_state(SyncRun& run, std::optional<std::string> watermark) {
  TableSyncResult& result = run.result;
  TableSyncState state = base_state(run);
  state.status = "succeeded";
  state.error.reset();
  state.last_sync = format_iso8601(now_utc());
  state.last_export_started_at = format_iso8601(run.extract_started_at);
  state.watermark = std::move(watermark);
  state.rows = result.rows_total;
  state.columns = static_cast<int64_t>(result.schema.columns.size());
  state.file_size_bytes = result.bytes_total;
  state.uncompressed_bytes = result.uncompressed_bytes;
  state.schema_json = result.schema.to_json();
  state.source_files_json = source_files_json(run.fingerprint);
  state.resume_json.reset();
  result.columns = state.columns;
  result.state = std::move(state);
}

void finish_unchanged(SyncRun& run) {
  if (run.layout.partitioned) {
    PartitionManifest manifest = published_partitions(run);
    if (!manifest.partitions.empty()) describe_partitioned(run, manifest);
  } else if (fs::is_regular_file(run.layout.single_file)) {
    describe_single_file(run);
  }
  finish_state(run, run.previous() ? run.previous()->watermark : std::nullopt);
}

}  // namespace da::sync::table_sync
