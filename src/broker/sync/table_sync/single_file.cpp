#include "single_file.hpp"

#include "parquet_sql.hpp"

#include "da/duck/sql_quote.hpp"
#include "da/sync/publisher.hpp"

namespace da::sync::table_sync {

namespace fs = std::filesystem;

std::optional<TableSchema> published_single_file_schema(SyncRun& run) {
  if (!fs::is_regular_file(run.layout.single_file)) return std::nullopt;
  return describe(run.connection, parquet_sql(run.layout.single_file));
}

void publish_single_file(SyncRun& run, const fs::path& staged) {
  const published::TableLocation& layout = run.layout;
  Publication publication;
  publication.moves.emplace_back(staged, layout.single_file);
  if (fs::exists(layout.partition_dir)) publication.removals.push_back(layout.partition_dir);
  publish(publication, layout.journal());
  describe_single_file(run);
}

void describe_single_file(SyncRun& run) {
  const fs::path& file = run.layout.single_file;
  auto row = run.connection
                 .query("SELECT (SELECT count(*) FROM " + parquet_sql(file) +
                        "), (SELECT sum(total_uncompressed_size) FROM parquet_metadata(" +
                        duck::quote_path(file) + "))")
                 .fetch_all()
                 .at(0);
  run.result.rows_total = row[0].as_int();
  run.result.uncompressed_bytes = row[1].is_null() ? 0 : row[1].as_int();
  run.result.bytes_total = static_cast<int64_t>(fs::file_size(file));
  run.result.schema = describe(run.connection, parquet_sql(file));
}

}  // namespace da::sync::table_sync
