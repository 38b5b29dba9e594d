#include "parquet_sql.hpp"
#include "schema_evolution.hpp"
#include "single_file.hpp"
#include "staging.hpp"
#include "strategies.hpp"
#include "sync_state.hpp"
#include <fmt/core.h>

namespace da::sync::table_sync {

namespace fs = std::filesystem;

namespace {

int64_t published_rows(SyncRun& run) {
  if (!fs::is_regular_file(run.layout.single_file)) return 0;
  return run.connection.query("SELECT count(*) FROM " + parquet_sql(run.layout.single_file))
      .scalar()
      .as_int();
}

}  // namespace

void sync_full_refresh(SyncRun& run) {
  Extract source = extract(run, false);
  StagedBatch batch = stage(run, source, nullptr, run.input.staging_dir / "batch.parquet");
  int64_t previous_rows = published_rows(run);
  if (batch.rows == 0 && previous_rows > 0 && !run.table().allow_empty) {
    run.fail(fmt::format(
        "the source delivered 0 rows but the published table has {}; it is kept. If the table "
        "is really empty now, set allow_empty: true on it",
        previous_rows));
  }
  if (auto published = published_single_file_schema(run)) {
    for (std::string& warning : replacement_warnings(*published, batch.schema))
      run.result.warnings.push_back(std::move(warning));
  }
  publish_single_file(run, batch.path);
  finish_state(run, std::nullopt);
}

}  // namespace da::sync::table_sync
