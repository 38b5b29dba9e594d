#include "partitions.hpp"

#include "parquet_sql.hpp"

#include "da/common/hash.hpp"
#include "da/published/published_files.hpp"
#include "da/common/strings.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::sync::table_sync {

namespace fs = std::filesystem;

PartitionManifest published_partitions(SyncRun& run) {
  const published::TableLocation& layout = run.layout;
  if (fs::is_directory(layout.partition_dir)) {
    if (auto manifest = PartitionManifest::read(layout.manifest())) return *manifest;
  }
  PartitionManifest manifest;
  manifest.table_id = run.table().id;
  manifest.table_name = run.table().name;
  if (!fs::is_directory(layout.partition_dir)) return manifest;
  std::vector<fs::path> files = published::partition_files(layout);
  for (const fs::path& file : files)
    manifest.partitions.push_back(describe_partition(run.connection, file.stem().string(), file));
  if (!files.empty()) manifest.schema = describe(run.connection, parquet_sql(files));
  return manifest;
}

PartitionEntry describe_partition(duck::Connection& connection, const std::string& key,
                                  const fs::path& file) {
  PartitionEntry entry;
  entry.key = key;
  entry.file = published::partition_file_name(key);
  entry.rows = connection.query("SELECT count(*) FROM " + parquet_sql(file)).scalar().as_int();
  entry.bytes = static_cast<int64_t>(fs::file_size(file));
  entry.sha256 = sha256_file_hex(file);
  return entry;
}

std::vector<fs::path> partition_files(const published::TableLocation& layout, const PartitionManifest& manifest,
                                      const std::set<std::string>& keys) {
  std::vector<fs::path> files;
  for (const PartitionEntry& entry : manifest.partitions) {
    if (keys.count(entry.key)) files.push_back(layout.partition_dir / entry.file);
  }
  return files;
}

std::string partition_key_of(const SyncRun& run, const TableSchema& schema) {
  const catalog::TableConfig& table = run.table();
  const SchemaColumn* column = schema.find(*table.partition_by);
  if (!column)
    run.fail("partition_by column '" + *table.partition_by +
             "' is not in the source; its columns are: " + join(schema.names(), ", "));
  return partition_key_sql(duck::quote_identifier(column->name), column->type,
                           table.partition_granularity);
}

void describe_partitioned(SyncRun& run, const PartitionManifest& manifest) {
  run.result.rows_total = manifest.rows();
  run.result.bytes_total = manifest.bytes();
  run.result.schema = manifest.schema;
  std::vector<fs::path> files;
  for (const PartitionEntry& entry : manifest.partitions)
    files.push_back(run.layout.partition_dir / entry.file);
  run.result.uncompressed_bytes =
      files.empty()
          ? 0
          : run.connection
                .query("SELECT coalesce(sum(total_uncompressed_size), 0) FROM parquet_metadata(" +
                       files_list(files) + ")")
                .scalar()
                .as_int();
}

}  // namespace da::sync::table_sync
