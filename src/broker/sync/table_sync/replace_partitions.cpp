#include "parquet_sql.hpp"
#include "partition_writer.hpp"
#include "partitions.hpp"
#include "schema_evolution.hpp"
#include "staging.hpp"
#include "strategies.hpp"
#include "sync_state.hpp"

namespace da::sync::table_sync {

void sync_replace_partitions(SyncRun& run) {
  PartitionManifest manifest = published_partitions(run);
  bool published = !manifest.partitions.empty();
  Extract source = extract(run, false);
  StagedBatch batch = stage(run, source, published ? &manifest.schema : nullptr,
                            run.input.staging_dir / "batch.parquet");
  if (batch.rows == 0) {
    run.result.warnings.push_back("the export held no rows; every published partition is kept");
    return finish_unchanged(run);
  }
  StagedBatch delta = run.table().primary_key.empty()
                          ? batch
                          : deduplicate(run, batch, run.input.staging_dir / "delta.parquet");
  std::string relation = parquet_sql(delta.path);
  auto [target, schema_changed] = target_schema(run, manifest, delta.schema, relation);
  write_partitions(run, {delta, relation, target, schema_changed, false}, manifest);
  finish_state(run, std::nullopt);
}

}  // namespace da::sync::table_sync
