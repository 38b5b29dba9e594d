#include "initial_load.hpp"

#include <algorithm>
#include <set>

#include "parquet_sql.hpp"
#include "partition_writer.hpp"
#include "partitions.hpp"
#include "schema_evolution.hpp"
#include "staging.hpp"
#include "sync_state.hpp"
#include <nlohmann/json.hpp>

#include "da/common/strings.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::sync::table_sync {

namespace fs = std::filesystem;

std::string InitialLoadProgress::to_json() const {
  return nlohmann::json{{"done", done},
                        {"rows_read", rows_read},
                        {"duplicates", duplicates},
                        {"started_at", started_at},
                        {"source_files", source_files}}
      .dump();
}

std::optional<InitialLoadProgress> InitialLoadProgress::parse(
    const std::optional<std::string>& json) {
  if (!json) return std::nullopt;
  nlohmann::json resume;
  try {
    resume = nlohmann::json::parse(*json);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  if (!resume.is_object() || !resume.contains("done")) return std::nullopt;
  InitialLoadProgress progress;
  for (const auto& key : resume["done"])
    progress.done.push_back(key.get<std::string>());
  progress.rows_read = resume.value("rows_read", int64_t{0});
  progress.duplicates = resume.value("duplicates", int64_t{0});
  progress.started_at = resume.value("started_at", "");
  progress.source_files = resume.value("source_files", std::string("[]"));
  return progress;
}

std::vector<std::vector<std::string>> chunk_keys(std::vector<std::string> keys,
                                                 catalog::PartitionGranularity granularity,
                                                 int chunk_days) {
  std::sort(keys.begin(), keys.end());
  int days_per_key = granularity == catalog::PartitionGranularity::kDay     ? 1
                     : granularity == catalog::PartitionGranularity::kMonth ? 30
                                                                            : 365;
  size_t per_chunk = static_cast<size_t>(std::max(1, chunk_days / days_per_key));
  std::vector<std::vector<std::string>> chunks;
  std::vector<std::string> null_chunk;
  for (const std::string& key : keys) {
    if (key == kNullPartition) {
      null_chunk.push_back(key);
      continue;
    }
    if (chunks.empty() || chunks.back().size() >= per_chunk) chunks.emplace_back();
    chunks.back().push_back(key);
  }
  if (!null_chunk.empty()) chunks.push_back(null_chunk);
  return chunks;
}

namespace {

// Stages the whole source as the deduplicated `delta_file`; nullopt when it delivered no rows.
std::optional<InitialLoadProgress> stage_source(SyncRun& run, const fs::path& delta_file) {
  Extract source = extract(run, false);
  StagedBatch batch = stage(run, source, nullptr, run.input.staging_dir / "batch.parquet");
  if (batch.rows == 0) return std::nullopt;
  deduplicate(run, batch, delta_file);
  InitialLoadProgress progress;
  progress.rows_read = run.result.rows_read;
  progress.duplicates = run.result.duplicates;
  progress.started_at = format_iso8601(run.extract_started_at);
  progress.source_files = source_files_json(run.fingerprint);
  return progress;
}

void resume_from(SyncRun& run, const InitialLoadProgress& progress) {
  run.result.rows_read = progress.rows_read;
  run.result.duplicates = progress.duplicates;
  run.extract_started_at = parse_iso8601(progress.started_at).value_or(run.input.now);
  run.fingerprint = parse_source_files(progress.source_files);
  run.result.warnings.push_back("resumed an interrupted initial load");
}

// Records the progress in the state store, so that a later run resumes from it.
void save_progress(const SyncRun& run, const InitialLoadProgress& progress) {
  if (!run.input.save_progress) return;
  TableSyncState state = base_state(run);
  state.status = "failed";
  state.error = "initial load in progress";
  state.resume_json = progress.to_json();
  run.input.save_progress(state);
}

void publish_chunk(SyncRun& run, const StagedBatch& delta, const std::string& key_sql,
                   const std::vector<std::string>& chunk, PartitionManifest& manifest) {
  std::vector<std::string> literals;
  for (const std::string& key : chunk)
    literals.push_back(duck::quote_literal(key));
  std::string relation = "(SELECT * FROM " + parquet_sql(delta.path) + " WHERE " + key_sql +
                         " IN (" + join(literals, ", ") + "))";
  StagedBatch part = delta;
  part.rows = run.connection.query("SELECT count(*) FROM " + relation).scalar().as_int();
  auto [target, schema_changed] = target_schema(run, manifest, delta.schema, relation);
  write_partitions(run, {part, relation, target, schema_changed, true}, manifest);
}

// Publishes the partitions of `delta_file` not yet done, chunk by chunk; returns the delta.
StagedBatch publish_in_chunks(SyncRun& run, const fs::path& delta_file,
                              InitialLoadProgress& progress, PartitionManifest& manifest) {
  StagedBatch delta;
  delta.path = delta_file;
  delta.schema = describe(run.connection, parquet_sql(delta_file));
  std::string key_sql = partition_key_of(run, delta.schema);
  std::set<std::string> done(progress.done.begin(), progress.done.end());
  std::vector<std::string> keys;
  for (const std::string& key : distinct_strings(
           run.connection, "SELECT DISTINCT " + key_sql + " FROM " + parquet_sql(delta_file))) {
    if (!done.count(key)) keys.push_back(key);
  }
  const catalog::TableConfig& table = run.table();
  for (const std::vector<std::string>& chunk :
       chunk_keys(keys, table.partition_granularity, table.initial_load_chunk_days)) {
    publish_chunk(run, delta, key_sql, chunk, manifest);
    progress.done.insert(progress.done.end(), chunk.begin(), chunk.end());
    save_progress(run, progress);
  }
  return delta;
}

}  // namespace

void initial_load(SyncRun& run, PartitionManifest& manifest) {
  fs::create_directories(run.input.resume_dir);
  fs::path delta_file = run.input.resume_dir / "delta.parquet";
  std::optional<InitialLoadProgress> progress =
      run.previous() ? InitialLoadProgress::parse(run.previous()->resume_json) : std::nullopt;
  if (progress && fs::exists(delta_file)) {
    resume_from(run, *progress);
  } else {
    progress = stage_source(run, delta_file);
    if (!progress) return finish_unchanged(run);
  }
  StagedBatch delta = publish_in_chunks(run, delta_file, *progress, manifest);
  finish_state(run, max_of_incremental_column(run, delta));
  fs::remove_all(run.input.resume_dir);
}

}  // namespace da::sync::table_sync
