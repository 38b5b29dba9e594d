#include "initial_load.hpp"
#include "merge.hpp"
#include "parquet_sql.hpp"
#include "partition_writer.hpp"
#include "partitions.hpp"
#include "schema_evolution.hpp"
#include "single_file.hpp"
#include "staging.hpp"
#include "strategies.hpp"
#include "sync_state.hpp"

namespace da::sync::table_sync {

namespace fs = std::filesystem;

namespace {

// Merges the delta into the published file at `output`; returns the file to publish.
fs::path merge_into_single_file(SyncRun& run, const StagedBatch& delta,
                                const TableSchema& published, const fs::path& output) {
  std::string relation = parquet_sql(delta.path);
  TableSchema target = evolve(run, published, delta.schema, relation).merged;
  std::string published_relation = parquet_sql(run.layout.single_file);
  MergeInput merge{run.table().primary_key, relation,  delta.schema,
                   published_relation,      published, target};
  add_counts(run.result, count_changes(run.connection, merge));
  run.connection.execute(
      copy_to_parquet_sql(merged_rows_sql(merge), output, run.settings.parquet.copy_options()));
  return output;
}

void incremental_single_file(SyncRun& run) {
  std::optional<TableSchema> published = published_single_file_schema(run);
  Extract source = extract(run, true);
  StagedBatch batch = stage(run, source, published ? &*published : nullptr,
                            run.input.staging_dir / "batch.parquet");
  if (batch.rows == 0) return finish_unchanged(run);
  StagedBatch delta = deduplicate(run, batch, run.input.staging_dir / "delta.parquet");
  fs::path output = delta.path;
  if (published) {
    output =
        merge_into_single_file(run, delta, *published, run.input.staging_dir / "table.parquet");
  } else {
    run.result.added = delta.rows;
  }
  std::optional<std::string> watermark = max_of_incremental_column(run, delta);
  publish_single_file(run, output);
  finish_state(run, watermark);
}

void incremental_partitioned(SyncRun& run) {
  PartitionManifest manifest = published_partitions(run);
  bool published = !manifest.partitions.empty();
  if (!run.had_success() || (run.previous() && run.previous()->resume_json))
    return initial_load(run, manifest);
  Extract source = extract(run, true);
  StagedBatch batch = stage(run, source, published ? &manifest.schema : nullptr,
                            run.input.staging_dir / "batch.parquet");
  if (batch.rows == 0) return finish_unchanged(run);
  StagedBatch delta = deduplicate(run, batch, run.input.staging_dir / "delta.parquet");
  std::string relation = parquet_sql(delta.path);
  auto [target, schema_changed] = target_schema(run, manifest, delta.schema, relation);
  write_partitions(run, {delta, relation, target, schema_changed, true}, manifest);
  finish_state(run, max_of_incremental_column(run, delta));
}

}  // namespace

void sync_incremental(SyncRun& run) {
  if (run.layout.partitioned) {
    incremental_partitioned(run);
  } else {
    incremental_single_file(run);
  }
}

}  // namespace da::sync::table_sync
