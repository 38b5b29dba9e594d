#include "staging.hpp"

#include "parquet_sql.hpp"
#include "sync_state.hpp"
#include <fmt/core.h>

#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::sync::table_sync {

namespace fs = std::filesystem;
using catalog::SyncStrategy;

Extract extract(SyncRun& run, bool incremental) {
  const catalog::TableConfig& table = run.table();
  ExtractRequest request{table, std::nullopt, std::nullopt, {}, incremental};
  if (incremental && run.had_success()) {
    const TableSyncState& previous = *run.previous();
    request.known_files = parse_source_files(previous.source_files_json);
    if (run.source.tracks_changes() && previous.last_export_started_at) {
      if (auto started = parse_iso8601(*previous.last_export_started_at)) {
        request.changed_since = *started - std::chrono::days{table.incremental_window_days};
      }
    }
  }
  StagingArea staging(run.input.staging_dir);
  Extract extract = run.source.extract(request, staging);
  if (extract.started_at == Timestamp{}) extract.started_at = run.input.now;
  run.extract_started_at = extract.started_at;
  run.fingerprint = extract.fingerprint;
  return extract;
}

StagedBatch stage(SyncRun& run, const Extract& extract, const TableSchema* published,
                  const fs::path& output) {
  const catalog::TableConfig& table = run.table();
  bool deduplicated = table.strategy != SyncStrategy::kFullRefresh && !table.primary_key.empty();
  StageRequest request{table,        extract, published, std::nullopt,
                       std::nullopt, {},      output,    deduplicated};
  if (run.had_success() && published) request.watermark = run.previous()->watermark;
  if (!run.had_success() && table.max_history_days &&
      (table.incremental_column || table.partition_by)) {
    request.history_start = run.input.now - std::chrono::days{*table.max_history_days};
  }
  request.today = std::chrono::floor<std::chrono::days>(run.input.now);
  StagedBatch batch = BatchStager(run.connection, run.settings.parquet).stage(request);
  log::debug("{}: staged {} rows from {} file(s)", table.id, batch.rows, extract.files.size());
  run.result.rows_read = batch.rows;
  run.result.bad_values = batch.bad_values;
  run.result.warnings.insert(run.result.warnings.end(), batch.warnings.begin(),
                             batch.warnings.end());
  return batch;
}

namespace {

void require_key_columns(const SyncRun& run, const TableSchema& schema) {
  for (const std::string& column : run.table().primary_key) {
    if (!schema.find(column)) {
      run.fail("primary key column '" + column +
               "' is not in the source; its columns are: " + join(schema.names(), ", "));
    }
  }
}

// The number of distinct keys in the batch; fails the table when a row has no key.
int64_t count_distinct_keys(SyncRun& run, const StagedBatch& batch) {
  const std::vector<std::string>& key_columns = run.table().primary_key;
  std::vector<std::string> null_checks;
  for (const std::string& column : key_columns)
    null_checks.push_back(duck::quote_identifier(column) + " IS NULL");
  std::string relation = parquet_sql(batch.path);
  auto counts = run.connection
                    .query("SELECT count(*) FILTER (WHERE " + join(null_checks, " OR ") +
                           "), (SELECT count(*) FROM (SELECT DISTINCT " + identifiers(key_columns) +
                           " FROM " + relation + ")) FROM " + relation)
                    .fetch_all()
                    .at(0);
  if (int64_t missing = counts[0].as_int(); missing > 0) {
    run.fail(fmt::format("{} row(s) have no value in the primary key ({})", missing,
                         join(key_columns, ", ")));
  }
  return counts[1].as_int();
}

}  // namespace

StagedBatch deduplicate(SyncRun& run, const StagedBatch& batch, const fs::path& output) {
  require_key_columns(run, batch.schema);
  int64_t rows = count_distinct_keys(run, batch);
  if (rows == batch.rows) {
    fs::rename(batch.path, output);  // no key repeats: the batch is the delta as it is
  } else {
    std::string source =
        "read_parquet(" + duck::quote_path(batch.path) + ", file_row_number = true)";
    run.connection.execute(copy_to_parquet_sql(
        "SELECT * EXCLUDE (file_row_number) FROM " + source + " QUALIFY row_number() OVER " +
            "(PARTITION BY " + identifiers(run.table().primary_key) +
            " ORDER BY file_row_number DESC) = 1",
        output, run.settings.parquet.copy_options()));
  }
  run.result.duplicates = batch.rows - rows;
  log::debug("{}: {} distinct keys", run.table().id, rows);
  if (run.result.duplicates > 0) {
    run.result.warnings.push_back(
        fmt::format("{} row(s) repeated a primary key of a later row in the same batch; "
                    "the later row was kept",
                    run.result.duplicates));
  }
  StagedBatch deduplicated = batch;
  deduplicated.path = output;
  deduplicated.rows = rows;
  return deduplicated;
}

}  // namespace da::sync::table_sync
