#include "partition_writer.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include "merge.hpp"
#include "parquet_sql.hpp"
#include "partitions.hpp"
#include "schema_evolution.hpp"

#include "da/common/atomic_file.hpp"
#include "da/common/log.hpp"
#include "da/duck/sql_quote.hpp"
#include "da/sync/publisher.hpp"

namespace da::sync::table_sync {

namespace fs = std::filesystem;
using duck::quote_literal;
using duck::quote_path;

namespace {

// The rows written for one partition key, staged.
struct StagedPartition {
  std::string key;
  fs::path file;
};

// The partition keys of the delta's rows; counts the rows of the null partition.
std::set<std::string> delta_partition_keys(SyncRun& run, const PartitionDelta& delta) {
  std::string key = partition_key_of(run, delta.delta.schema);
  run.result.null_partition_rows +=
      run.connection
          .query("SELECT count(*) FROM " + delta.relation + " WHERE " + key + " = " +
                 quote_literal(kNullPartition))
          .scalar()
          .as_int();
  return distinct_strings(run.connection, "SELECT DISTINCT " + key + " FROM " + delta.relation);
}

// The published partitions that hold a key of the delta (its rows move out of them).
std::set<std::string> partitions_holding_delta_keys(SyncRun& run, const PartitionDelta& delta,
                                                    const PartitionManifest& manifest,
                                                    const std::set<std::string>& all_keys) {
  std::vector<fs::path> every_file = partition_files(run.layout, manifest, all_keys);
  const std::vector<std::string>& primary_key = run.table().primary_key;
  std::string key = identifiers(primary_key);
  std::set<std::string> holding;
  for (const std::string& file : distinct_strings(
           run.connection, "SELECT DISTINCT filename FROM (SELECT filename, " + key +
                               " FROM read_parquet(" + files_list(every_file) +
                               ", filename = true, union_by_name = true)" +
                               key_range_filter(run.connection, primary_key, delta.relation) +
                               ") SEMI JOIN (SELECT " + key + " FROM " + delta.relation +
                               ") USING (" + key + ")")) {
    holding.insert(fs::path(file).stem().string());
  }
  return holding;
}

void count_merged_rows(SyncRun& run, const PartitionDelta& delta, const PartitionManifest& manifest,
                       const std::set<std::string>& holding) {
  if (holding.empty()) {
    run.result.added += delta.delta.rows;
    return;
  }
  std::string published = parquet_sql(partition_files(run.layout, manifest, holding));
  MergeInput merge{run.table().primary_key, delta.relation, delta.delta.schema, published,
                   manifest.schema,         delta.target};
  add_counts(run.result, count_changes(run.connection, merge));
}

// The rows to write: the delta's, after the published rows of `kept_keys` (in merge mode only
// those whose key is not in the delta).
std::string rows_to_write_sql(const SyncRun& run, const PartitionDelta& delta,
                              const PartitionManifest& manifest,
                              const std::set<std::string>& kept_keys) {
  std::string select =
      "SELECT " + conform_select(delta.target, delta.delta.schema) + " FROM " + delta.relation;
  std::vector<fs::path> kept_files = partition_files(run.layout, manifest, kept_keys);
  if (kept_files.empty()) return select;
  std::string kept = "SELECT " + conform_select(delta.target, manifest.schema) + " FROM " +
                     parquet_sql(kept_files);
  if (delta.merge) {
    std::string key = identifiers(run.table().primary_key);
    kept += " ANTI JOIN (SELECT " + key + " FROM " + delta.relation + ") USING (" + key + ")";
  }
  return kept + " UNION ALL " + select;
}

fs::path combine_files(SyncRun& run, const std::vector<fs::path>& files, const fs::path& output) {
  run.connection.execute(copy_to_parquet_sql("SELECT * FROM " + parquet_sql(files), output,
                                             run.settings.parquet.copy_options()));
  return output;
}

// The partitions DuckDB wrote under `parts` (one folder per key), one file each.
std::vector<StagedPartition> collect_partitions(SyncRun& run, const fs::path& parts) {
  std::vector<StagedPartition> staged;
  if (!fs::is_directory(parts)) return staged;
  const std::string prefix = "__da_partition=";
  for (const auto& folder : fs::directory_iterator(parts)) {
    std::string name = folder.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    std::vector<fs::path> files;
    for (const auto& file : fs::directory_iterator(folder.path()))
      files.push_back(file.path());
    std::string key = name.substr(prefix.size());
    fs::path file = files.size() == 1
                        ? files.front()
                        : combine_files(run, files, folder.path() / "combined.parquet");
    staged.push_back({key, file});
  }
  return staged;
}

std::vector<StagedPartition> stage_partitions(SyncRun& run, const std::string& select,
                                              const TableSchema& target) {
  fs::path parts = run.input.staging_dir / "partitions";
  fs::remove_all(parts);
  run.connection.execute("COPY (SELECT *, " + partition_key_of(run, target) +
                         " AS __da_partition FROM (" + select + ")) TO " + quote_path(parts) +
                         " (FORMAT parquet, PARTITION_BY (__da_partition)" +
                         run.settings.parquet.copy_options() + ")");
  log::debug("{}: partitions written to staging", run.table().id);
  return collect_partitions(run, parts);
}

void update_manifest(const catalog::TableConfig& table, PartitionManifest& manifest,
                     const TableSchema& target, std::vector<PartitionEntry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
  manifest.table_id = table.id;
  manifest.table_name = table.name;
  manifest.partition_by = *table.partition_by;
  manifest.granularity = catalog::to_string(table.partition_granularity);
  manifest.updated_at = format_iso8601(now_utc());
  manifest.schema = target;
  manifest.partitions = std::move(entries);
}

// Publishes the staged partitions, removes touched ones that lost every row, and the manifest.
void publish_partitions(SyncRun& run, const std::vector<StagedPartition>& staged,
                        const std::set<std::string>& touched, PartitionManifest& manifest,
                        const TableSchema& target) {
  const published::TableLocation& layout = run.layout;
  Publication publication;
  std::set<std::string> written;
  std::vector<PartitionEntry> entries;
  for (const StagedPartition& partition : staged) {
    written.insert(partition.key);
    entries.push_back(describe_partition(run.connection, partition.key, partition.file));
    publication.moves.emplace_back(partition.file, layout.partition_file(partition.key));
  }
  for (const PartitionEntry& entry : manifest.partitions) {
    if (!touched.count(entry.key)) {
      entries.push_back(entry);
    } else if (!written.count(entry.key)) {
      publication.removals.push_back(layout.partition_dir / entry.file);  // every row moved out
    }
  }
  update_manifest(run.table(), manifest, target, std::move(entries));
  fs::path staged_manifest = run.input.staging_dir / published::kManifestFile;
  write_file_atomically(staged_manifest, manifest.to_json(), 0644);
  publication.moves.emplace_back(staged_manifest, layout.manifest());
  if (fs::exists(layout.single_file)) publication.removals.push_back(layout.single_file);
  publish(publication, layout.journal());
  run.result.partitions_written += static_cast<int64_t>(staged.size());
  describe_partitioned(run, manifest);
}

}  // namespace

void write_partitions(SyncRun& run, const PartitionDelta& delta, PartitionManifest& manifest) {
  std::set<std::string> new_keys = delta_partition_keys(run, delta);
  std::set<std::string> all_keys;
  for (const PartitionEntry& entry : manifest.partitions)
    all_keys.insert(entry.key);
  std::set<std::string> touched = new_keys;
  std::set<std::string> holding;  // published partitions that hold a key of the delta
  if (delta.merge && !manifest.partitions.empty()) {
    holding = partitions_holding_delta_keys(run, delta, manifest, all_keys);
    touched.insert(holding.begin(), holding.end());
    count_merged_rows(run, delta, manifest, holding);
  } else if (delta.merge) {
    run.result.added += delta.delta.rows;
  }
  if (delta.schema_changed) touched.insert(all_keys.begin(), all_keys.end());
  log::debug("{}: {} partition(s) touched ({} hold updated keys)", run.table().id, touched.size(),
             holding.size());
  // Published rows that stay: merge mode keeps the touched partitions' rows not in the delta;
  // replace mode keeps only rewritten (schema change) partitions the export did not deliver.
  std::set<std::string> kept_keys;
  for (const std::string& key : touched) {
    if (all_keys.count(key) && (delta.merge || !new_keys.count(key))) kept_keys.insert(key);
  }
  std::string rows = rows_to_write_sql(run, delta, manifest, kept_keys);
  publish_partitions(run, stage_partitions(run, rows, delta.target), touched, manifest,
                     delta.target);
  log::debug("{}: partitions published", run.table().id);
}

}  // namespace da::sync::table_sync
