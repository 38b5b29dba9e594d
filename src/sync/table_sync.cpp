#include "da/sync/table_sync.hpp"

#include <algorithm>
#include <set>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/common/hash.hpp"
#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/duck/sql_quote.hpp"
#include "da/published/partition_keys.hpp"
#include "da/published/partition_manifest.hpp"
#include "da/published/published_files.hpp"
#include "da/published/table_location.hpp"
#include "da/sync/publisher.hpp"

namespace da::sync {

namespace fs = std::filesystem;
using catalog::SyncStrategy;
using duck::quote_identifier;
using duck::quote_literal;
using duck::quote_path;
using published::kNullPartition;
using published::partition_key_sql;
using published::PartitionEntry;
using published::PartitionManifest;

namespace {

std::string identifiers(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const std::string& name : names)
    quoted.push_back(quote_identifier(name));
  return join(quoted, ", ");
}

std::string parquet_sql(const std::vector<fs::path>& files) {
  std::vector<std::string> quoted;
  for (const fs::path& file : files)
    quoted.push_back(quote_path(file));
  return "read_parquet([" + join(quoted, ", ") + "], union_by_name = true)";
}

std::string parquet_sql(const fs::path& file) {
  return parquet_sql(std::vector<fs::path>{file});
}

// SELECT list turning rows of `source` into rows of `target` (NULL where `source` lacks a column).
std::string conform_select(const TableSchema& target, const TableSchema& source) {
  std::vector<std::string> items;
  if (source == target) return "*";
  for (const SchemaColumn& column : target.columns) {
    const SchemaColumn* found = source.find(column.name);
    std::string name = quote_identifier(column.name);
    if (found && found->type == column.type) {
      items.push_back(name);
    } else {
      items.push_back(
          fmt::format("CAST({} AS {}) AS {}", found ? name : "NULL", column.type, name));
    }
  }
  return join(items, ", ");
}

// True when a row of `d` (new) differs from its match in `o` (published).
std::string row_differs_sql(const TableSchema& target, const TableSchema& incoming,
                            const TableSchema& published, const std::vector<std::string>& key) {
  std::vector<std::string> checks;
  for (const SchemaColumn& column : target.columns) {
    if (std::find(key.begin(), key.end(), column.name) != key.end()) continue;
    std::string name = quote_identifier(column.name);
    bool in_new = incoming.find(column.name) != nullptr;
    bool in_old = published.find(column.name) != nullptr;
    if (in_new && in_old) {
      checks.push_back(
          fmt::format("CAST(d.{0} AS {1}) IS DISTINCT FROM CAST(o.{0} AS {1})", name, column.type));
    } else if (in_new) {
      checks.push_back("d." + name + " IS NOT NULL");
    } else if (in_old) {
      checks.push_back("o." + name + " IS NOT NULL");
    }
  }
  return checks.empty() ? "false" : "(" + join(checks, " OR ") + ")";
}

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

struct Counts {
  int64_t added = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
};

// The rows written for one partition key, staged.
struct StagedPartition {
  std::string key;
  fs::path file;
};

class TableSyncRun {
 public:
  TableSyncRun(DataSource& source, duck::Connection& connection, const TableSyncSettings& settings,
               const TableSyncInput& input)
      : source_(source),
        connection_(connection),
        settings_(settings),
        input_(input),
        table_(input.table),
        layout_(published::table_location(settings.data_dir, input.folder, input.table)),
        previous_(input.previous) {}

  TableSyncResult run() {
    fs::create_directories(input_.staging_dir);
    // Row order only matters where duplicates are resolved by it (see stage()); everything
    // else is written faster without keeping it.
    connection_.execute("SET preserve_insertion_order = false");
    switch (table_.strategy) {
      case SyncStrategy::kFullRefresh:
        full_refresh();
        break;
      case SyncStrategy::kIncremental:
        if (layout_.partitioned) {
          incremental_partitioned();
        } else {
          incremental_single_file();
        }
        break;
      case SyncStrategy::kPartitioned:
        replace_partitions();
        break;
    }
    return std::move(result_);
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw Error(ErrorKind::kData, table_.id + ": " + message);
  }

  bool had_success() const { return previous_ && previous_->last_sync.has_value(); }

  // --- extract and stage -------------------------------------------------------------------

  Extract extract(bool incremental) {
    ExtractRequest request{table_, std::nullopt, std::nullopt, {}, incremental};
    if (incremental && had_success()) {
      request.known_files = parse_source_files(previous_->source_files_json);
      if (source_.tracks_changes() && previous_->last_export_started_at) {
        if (auto started = parse_iso8601(*previous_->last_export_started_at)) {
          request.changed_since = *started - std::chrono::days{table_.incremental_window_days};
        }
      }
    }
    StagingArea staging(input_.staging_dir);
    Extract extract = source_.extract(request, staging);
    if (extract.started_at == Timestamp{}) extract.started_at = input_.now;
    extract_started_at_ = extract.started_at;
    fingerprint_ = extract.fingerprint;
    return extract;
  }

  // `published`: the schema of the data an incremental run continues from, if any.
  StagedBatch stage(const Extract& extract, const TableSchema* published, const fs::path& output) {
    bool deduplicated =
        table_.strategy != SyncStrategy::kFullRefresh && !table_.primary_key.empty();
    StageRequest request{table_,       extract, published, std::nullopt,
                         std::nullopt, {},      output,    deduplicated};
    if (had_success() && published) request.watermark = previous_->watermark;
    if (!had_success() && table_.max_history_days &&
        (table_.incremental_column || table_.partition_by)) {
      request.history_start = input_.now - std::chrono::days{*table_.max_history_days};
    }
    request.today = std::chrono::floor<std::chrono::days>(input_.now);
    StagedBatch batch = BatchStager(connection_, settings_.parquet).stage(request);
    log::debug("{}: staged {} rows from {} file(s)", table_.id, batch.rows, extract.files.size());
    result_.rows_read = batch.rows;
    result_.bad_values = batch.bad_values;
    result_.warnings.insert(result_.warnings.end(), batch.warnings.begin(), batch.warnings.end());
    return batch;
  }

  // The batch with one row per primary key: the last one in source order.
  StagedBatch deduplicate(const StagedBatch& batch, const fs::path& output) {
    for (const std::string& column : table_.primary_key) {
      if (!batch.schema.find(column)) {
        fail("primary key column '" + column +
             "' is not in the source; its columns are: " + join(batch.schema.names(), ", "));
      }
    }
    std::string key = identifiers(table_.primary_key);
    std::vector<std::string> null_checks;
    for (const std::string& column : table_.primary_key)
      null_checks.push_back(quote_identifier(column) + " IS NULL");
    std::string relation = parquet_sql(batch.path);
    auto counts = connection_
                      .query("SELECT count(*) FILTER (WHERE " + join(null_checks, " OR ") +
                             "), (SELECT count(*) FROM (SELECT DISTINCT " + key + " FROM " +
                             relation + ")) FROM " + relation)
                      .fetch_all()
                      .at(0);
    if (int64_t missing = counts[0].as_int(); missing > 0) {
      fail(fmt::format("{} row(s) have no value in the primary key ({})", missing,
                       join(table_.primary_key, ", ")));
    }
    int64_t rows = counts[1].as_int();
    if (rows == batch.rows) {
      fs::rename(batch.path, output);  // no key repeats: the batch is the delta as it is
    } else {
      std::string source = "read_parquet(" + quote_path(batch.path) + ", file_row_number = true)";
      connection_.execute("COPY (SELECT * EXCLUDE (file_row_number) FROM " + source +
                          " QUALIFY row_number() OVER (PARTITION BY " + key +
                          " ORDER BY file_row_number DESC) = 1) TO " + quote_path(output) +
                          " (FORMAT parquet" + settings_.parquet.copy_options() + ")");
    }
    result_.duplicates = batch.rows - rows;
    log::debug("{}: {} distinct keys", table_.id, rows);
    if (result_.duplicates > 0) {
      result_.warnings.push_back(
          fmt::format("{} row(s) repeated a primary key of a later row in the same batch; "
                      "the later row was kept",
                      result_.duplicates));
    }
    StagedBatch deduplicated = batch;
    deduplicated.path = output;
    deduplicated.rows = rows;
    return deduplicated;
  }

  TableSchema describe(const std::string& relation) {
    TableSchema schema;
    for (const auto& row : connection_.query("DESCRIBE SELECT * FROM " + relation).fetch_all()) {
      schema.columns.push_back({row[0].text(), row[1].text()});
    }
    return schema;
  }

  // How the batch fits the published schema. A column whose batch type has no common type with
  // the published one is still accepted when its values all fit the published type (e.g. a
  // column that is empty in this batch, which the sniffer reads as VARCHAR).
  SchemaChange evolve(const TableSchema& published, const StagedBatch& batch,
                      const std::string& batch_relation) {
    SchemaChange change = merge_schemas(published, batch.schema);
    std::vector<std::string> incompatible;
    for (const TypeConflict& conflict : change.conflicts) {
      std::string column = quote_identifier(conflict.column);
      std::string misfit = fmt::format("{0} IS NOT NULL AND TRY_CAST({0} AS {1}) IS NULL", column,
                                       conflict.published_type);
      auto row = connection_
                     .query("SELECT count(*) FILTER (WHERE " + misfit + "), CAST(min(" + column +
                            ") FILTER (WHERE " + misfit + ") AS VARCHAR) FROM " + batch_relation)
                     .fetch_all()
                     .at(0);
      if (row[0].as_int() == 0) continue;
      incompatible.push_back(fmt::format(
          "column '{}' is published as {} but now has {} values such as '{}'", conflict.column,
          conflict.published_type, conflict.incoming_type, row[1].to_string()));
    }
    if (!incompatible.empty()) {
      fail("incompatible schema change: " + join(incompatible, "; ") +
           ". The published data is kept; fix the source or declare the column's type under "
           "columns:");
    }
    if (!change.added.empty())
      result_.warnings.push_back("new column(s): " + join(change.added, ", "));
    if (!change.widened.empty())
      result_.warnings.push_back("widened column(s): " + join(change.widened, ", "));
    return change;
  }

  // The schema to publish: the batch's own for a new table, else the published one evolved;
  // and whether that changed the published schema (then every partition is rewritten).
  std::pair<TableSchema, bool> target_schema(const PartitionManifest& manifest,
                                             const StagedBatch& delta,
                                             const std::string& relation) {
    if (manifest.partitions.empty()) return {delta.schema, false};
    SchemaChange change = evolve(manifest.schema, delta, relation);
    return {change.merged, change.changed()};
  }

  Counts count_changes(const StagedBatch& delta, const std::string& delta_relation,
                       const std::string& published_relation, const TableSchema& published,
                       const TableSchema& target) {
    std::string differs = row_differs_sql(target, delta.schema, published, table_.primary_key);
    auto row = connection_
                   .query(
                       "SELECT count(*) FILTER (WHERE o.__da_present IS NULL), "
                       "count(*) FILTER (WHERE o.__da_present AND " +
                       differs +
                       "), "
                       "count(*) FILTER (WHERE o.__da_present AND NOT " +
                       differs + ") FROM " + delta_relation +
                       " d LEFT JOIN (SELECT *, true AS __da_present FROM " + published_relation +
                       ") o USING (" + identifiers(table_.primary_key) + ")")
                   .fetch_all()
                   .at(0);
    return {row[0].as_int(), row[1].as_int(), row[2].as_int()};
  }

  void add_counts(const Counts& counts) {
    result_.added += counts.added;
    result_.updated += counts.updated;
    result_.unchanged += counts.unchanged;
  }

  // --- single-file tables -----------------------------------------------------------------

  std::optional<TableSchema> published_single_file_schema() {
    if (!fs::is_regular_file(layout_.single_file)) return std::nullopt;
    return describe(parquet_sql(layout_.single_file));
  }

  void publish_single_file(const fs::path& staged) {
    Publication publication;
    publication.moves.emplace_back(staged, layout_.single_file);
    if (fs::exists(layout_.partition_dir)) publication.removals.push_back(layout_.partition_dir);
    publish(publication, layout_.journal());
    describe_single_file();
  }

  void describe_single_file() {
    auto row = connection_
                   .query("SELECT (SELECT count(*) FROM " + parquet_sql(layout_.single_file) +
                          "), (SELECT sum(total_uncompressed_size) FROM parquet_metadata(" +
                          quote_path(layout_.single_file) + "))")
                   .fetch_all()
                   .at(0);
    result_.rows_total = row[0].as_int();
    result_.uncompressed_bytes = row[1].is_null() ? 0 : row[1].as_int();
    result_.bytes_total = static_cast<int64_t>(fs::file_size(layout_.single_file));
    result_.schema = describe(parquet_sql(layout_.single_file));
  }

  void full_refresh() {
    Extract source = extract(false);
    StagedBatch batch = stage(source, nullptr, input_.staging_dir / "batch.parquet");
    int64_t previous_rows =
        fs::is_regular_file(layout_.single_file)
            ? connection_.query("SELECT count(*) FROM " + parquet_sql(layout_.single_file))
                  .scalar()
                  .as_int()
            : 0;
    if (batch.rows == 0 && previous_rows > 0 && !table_.allow_empty) {
      fail(fmt::format(
          "the source delivered 0 rows but the published table has {}; it is kept. If the table "
          "is really empty now, set allow_empty: true on it",
          previous_rows));
    }
    if (auto published = published_single_file_schema()) {
      SchemaChange change = merge_schemas(*published, batch.schema);
      std::vector<std::string> dropped;
      for (const SchemaColumn& column : published->columns) {
        if (!batch.schema.find(column.name)) dropped.push_back(column.name);
      }
      std::vector<std::string> changes = change.widened;
      for (const TypeConflict& conflict : change.conflicts) {
        changes.push_back(conflict.column + ": " + conflict.published_type + " -> " +
                          conflict.incoming_type);
      }
      if (!changes.empty())
        result_.warnings.push_back("column type(s) changed: " + join(changes, ", "));
      if (!change.added.empty())
        result_.warnings.push_back("new column(s): " + join(change.added, ", "));
      if (!dropped.empty())
        result_.warnings.push_back("column(s) no longer in the source: " + join(dropped, ", "));
    }
    publish_single_file(batch.path);
    finish_state(std::nullopt);
  }

  void incremental_single_file() {
    std::optional<TableSchema> published = published_single_file_schema();
    Extract source = extract(true);
    StagedBatch batch =
        stage(source, published ? &*published : nullptr, input_.staging_dir / "batch.parquet");
    if (batch.rows == 0) return nothing_changed();
    StagedBatch delta = deduplicate(batch, input_.staging_dir / "delta.parquet");
    std::string delta_relation = parquet_sql(delta.path);
    TableSchema target = delta.schema;
    fs::path output = input_.staging_dir / "table.parquet";
    if (published) {
      target = evolve(*published, delta, delta_relation).merged;
      std::string old_relation = parquet_sql(layout_.single_file);
      add_counts(count_changes(delta, delta_relation, old_relation, *published, target));
      connection_.execute(
          "COPY (SELECT " + conform_select(target, *published) + " FROM " + old_relation +
          " ANTI JOIN (SELECT " + identifiers(table_.primary_key) + " FROM " + delta_relation +
          ") USING (" + identifiers(table_.primary_key) + ") UNION ALL SELECT " +
          conform_select(target, delta.schema) + " FROM " + delta_relation + ") TO " +
          quote_path(output) + " (FORMAT parquet" + settings_.parquet.copy_options() + ")");
    } else {
      result_.added = delta.rows;
      output = delta.path;
    }
    std::optional<std::string> watermark = max_of_incremental_column(delta);
    publish_single_file(output);
    finish_state(watermark);
  }

  // --- partitioned tables -----------------------------------------------------------------

  // The published partitions: the manifest, or (when it is missing) the partition files.
  PartitionManifest published_partitions() {
    if (fs::is_directory(layout_.partition_dir)) {
      if (auto manifest = PartitionManifest::read(layout_.manifest())) return *manifest;
    }
    PartitionManifest manifest;
    manifest.table_id = table_.id;
    manifest.table_name = table_.name;
    std::vector<fs::path> files = published::partition_files(layout_);
    for (const fs::path& file : files)
      manifest.partitions.push_back(describe_partition(file.stem().string(), file));
    if (!files.empty()) manifest.schema = describe(parquet_sql(files));
    return manifest;
  }

  PartitionEntry describe_partition(const std::string& key, const fs::path& file) {
    PartitionEntry entry;
    entry.key = key;
    entry.file = published::partition_file_name(key);
    entry.rows = connection_.query("SELECT count(*) FROM " + parquet_sql(file)).scalar().as_int();
    entry.bytes = static_cast<int64_t>(fs::file_size(file));
    entry.sha256 = sha256_file_hex(file);
    return entry;
  }

  std::vector<fs::path> partition_files(const PartitionManifest& manifest,
                                        const std::set<std::string>& keys) {
    std::vector<fs::path> files;
    for (const PartitionEntry& entry : manifest.partitions) {
      if (keys.count(entry.key)) files.push_back(layout_.partition_dir / entry.file);
    }
    return files;
  }

  std::string partition_key_of(const TableSchema& schema) {
    const SchemaColumn* column = schema.find(*table_.partition_by);
    if (!column)
      fail("partition_by column '" + *table_.partition_by +
           "' is not in the source; its columns are: " + join(schema.names(), ", "));
    return partition_key_sql(quote_identifier(column->name), column->type,
                             table_.partition_granularity);
  }

  std::set<std::string> distinct_strings(const std::string& sql) {
    std::set<std::string> values;
    for (const auto& row : connection_.query(sql).fetch_all())
      values.insert(row[0].text());
    return values;
  }

  // Writes the partitions `touched` from the delta rows and (merge mode) the published rows
  // whose key is not in the delta; publishes them with the new manifest.
  void write_partitions(const StagedBatch& delta, const std::string& delta_relation,
                        PartitionManifest& manifest, const TableSchema& target, bool schema_changed,
                        bool merge) {
    std::string delta_key = partition_key_of(delta.schema);
    std::set<std::string> new_keys =
        distinct_strings("SELECT DISTINCT " + delta_key + " FROM " + delta_relation);
    result_.null_partition_rows += connection_
                                       .query("SELECT count(*) FROM " + delta_relation + " WHERE " +
                                              delta_key + " = " + quote_literal(kNullPartition))
                                       .scalar()
                                       .as_int();
    std::set<std::string> all_keys;
    for (const PartitionEntry& entry : manifest.partitions)
      all_keys.insert(entry.key);
    std::set<std::string> touched = new_keys;
    std::set<std::string> holding_delta_keys;  // published partitions that hold a key of the delta
    if (merge && !manifest.partitions.empty()) {
      std::vector<fs::path> every_file = partition_files(manifest, all_keys);
      std::string key = identifiers(table_.primary_key);
      for (const std::string& file : distinct_strings(
               "SELECT DISTINCT filename FROM (SELECT filename, " + key + " FROM read_parquet(" +
               files_list(every_file) + ", filename = true, union_by_name = true)" +
               key_range_filter(delta_relation) + ") SEMI JOIN (SELECT " + key + " FROM " +
               delta_relation + ") USING (" + key + ")")) {
        holding_delta_keys.insert(fs::path(file).stem().string());
      }
      touched.insert(holding_delta_keys.begin(), holding_delta_keys.end());
      if (!holding_delta_keys.empty()) {
        add_counts(count_changes(delta, delta_relation,
                                 parquet_sql(partition_files(manifest, holding_delta_keys)),
                                 manifest.schema, target));
      } else {
        result_.added += delta.rows;
      }
    } else if (merge) {
      result_.added += delta.rows;
    }
    if (schema_changed) touched.insert(all_keys.begin(), all_keys.end());
    log::debug("{}: {} partition(s) touched ({} hold updated keys)", table_.id, touched.size(),
               holding_delta_keys.size());

    // Published rows that stay: merge mode keeps the touched partitions' rows not in the delta;
    // replace mode keeps only rewritten (schema change) partitions the export did not deliver.
    std::set<std::string> kept_keys;
    for (const std::string& key : touched) {
      if (all_keys.count(key) && (merge || !new_keys.count(key))) kept_keys.insert(key);
    }
    std::string select =
        "SELECT " + conform_select(target, delta.schema) + " FROM " + delta_relation;
    std::vector<fs::path> kept_files = partition_files(manifest, kept_keys);
    if (!kept_files.empty()) {
      std::string kept =
          "SELECT " + conform_select(target, manifest.schema) + " FROM " + parquet_sql(kept_files);
      if (merge) {
        kept += " ANTI JOIN (SELECT " + identifiers(table_.primary_key) + " FROM " +
                delta_relation + ") USING (" + identifiers(table_.primary_key) + ")";
      }
      select = kept + " UNION ALL " + select;
    }
    fs::path parts = input_.staging_dir / "partitions";
    fs::remove_all(parts);
    connection_.execute("COPY (SELECT *, " + partition_key_of(target) +
                        " AS __da_partition FROM (" + select + ")) TO " + quote_path(parts) +
                        " (FORMAT parquet, PARTITION_BY (__da_partition)" +
                        settings_.parquet.copy_options() + ")");
    log::debug("{}: partitions written to staging", table_.id);
    publish_partitions(collect_partitions(parts), touched, manifest, target);
    log::debug("{}: partitions published", table_.id);
  }

  // For a one-column key, " WHERE key BETWEEN <min> AND <max>" of the delta: Parquet statistics
  // then skip the row groups (often whole partitions) that cannot hold a key of the delta.
  std::string key_range_filter(const std::string& delta_relation) {
    if (table_.primary_key.size() != 1) return "";
    std::string key = quote_identifier(table_.primary_key.front());
    auto row = connection_
                   .query("SELECT CAST(min(" + key + ") AS VARCHAR), CAST(max(" + key +
                          ") AS VARCHAR), " + "typeof(min(" + key + ")) FROM " + delta_relation)
                   .fetch_all()
                   .at(0);
    if (row[0].is_null()) return "";
    return fmt::format(" WHERE {0} BETWEEN CAST({1} AS {3}) AND CAST({2} AS {3})", key,
                       quote_literal(row[0].text()), quote_literal(row[1].text()), row[2].text());
  }

  static std::string files_list(const std::vector<fs::path>& files) {
    std::vector<std::string> quoted;
    for (const fs::path& file : files)
      quoted.push_back(quote_path(file));
    return "[" + join(quoted, ", ") + "]";
  }

  std::vector<StagedPartition> collect_partitions(const fs::path& parts) {
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
      fs::path file = files.size() == 1 ? files.front()
                                        : combine_files(files, folder.path() / "combined.parquet");
      staged.push_back({key, file});
    }
    return staged;
  }

  fs::path combine_files(const std::vector<fs::path>& files, const fs::path& output) {
    connection_.execute("COPY (SELECT * FROM " + parquet_sql(files) + ") TO " + quote_path(output) +
                        " (FORMAT parquet" + settings_.parquet.copy_options() + ")");
    return output;
  }

  void publish_partitions(const std::vector<StagedPartition>& staged,
                          const std::set<std::string>& touched, PartitionManifest& manifest,
                          const TableSchema& target) {
    Publication publication;
    std::set<std::string> written;
    std::vector<PartitionEntry> entries;
    for (const StagedPartition& partition : staged) {
      written.insert(partition.key);
      entries.push_back(describe_partition(partition.key, partition.file));
      publication.moves.emplace_back(partition.file, layout_.partition_file(partition.key));
    }
    for (const PartitionEntry& entry : manifest.partitions) {
      if (!touched.count(entry.key)) {
        entries.push_back(entry);
      } else if (!written.count(entry.key)) {
        publication.removals.push_back(layout_.partition_dir / entry.file);  // every row moved out
      }
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.key < b.key; });
    manifest.table_id = table_.id;
    manifest.table_name = table_.name;
    manifest.partition_by = *table_.partition_by;
    manifest.granularity = catalog::to_string(table_.partition_granularity);
    manifest.updated_at = format_iso8601(now_utc());
    manifest.schema = target;
    manifest.partitions = std::move(entries);
    fs::path staged_manifest = input_.staging_dir / published::kManifestFile;
    write_file_atomically(staged_manifest, manifest.to_json(), 0644);
    publication.moves.emplace_back(staged_manifest, layout_.manifest());
    if (fs::exists(layout_.single_file)) publication.removals.push_back(layout_.single_file);
    publish(publication, layout_.journal());
    result_.partitions_written += static_cast<int64_t>(staged.size());
    describe_partitioned(manifest);
  }

  void describe_partitioned(const PartitionManifest& manifest) {
    result_.rows_total = manifest.rows();
    result_.bytes_total = manifest.bytes();
    result_.schema = manifest.schema;
    std::vector<fs::path> files;
    for (const PartitionEntry& entry : manifest.partitions)
      files.push_back(layout_.partition_dir / entry.file);
    result_.uncompressed_bytes =
        files.empty()
            ? 0
            : connection_
                  .query("SELECT coalesce(sum(total_uncompressed_size), 0) FROM parquet_metadata(" +
                         files_list(files) + ")")
                  .scalar()
                  .as_int();
  }

  void incremental_partitioned() {
    PartitionManifest manifest = published_partitions();
    bool published = !manifest.partitions.empty();
    if (!had_success() || (previous_ && previous_->resume_json)) return initial_load(manifest);
    Extract source = extract(true);
    StagedBatch batch =
        stage(source, published ? &manifest.schema : nullptr, input_.staging_dir / "batch.parquet");
    if (batch.rows == 0) return nothing_changed();
    StagedBatch delta = deduplicate(batch, input_.staging_dir / "delta.parquet");
    auto [target, schema_changed] = target_schema(manifest, delta, parquet_sql(delta.path));
    write_partitions(delta, parquet_sql(delta.path), manifest, target, schema_changed, true);
    finish_state(max_of_incremental_column(delta));
  }

  // The first load of an incremental partitioned table: the source is staged once, then
  // published in chunks of consecutive partitions spanning about initial_load_chunk_days,
  // recording progress after each, so that an interrupted load resumes where it stopped.
  void initial_load(PartitionManifest& manifest) {
    fs::create_directories(input_.resume_dir);
    fs::path delta_file = input_.resume_dir / "delta.parquet";
    nlohmann::json resume = nlohmann::json::object();
    if (previous_ && previous_->resume_json) {
      try {
        resume = nlohmann::json::parse(*previous_->resume_json);
      } catch (const nlohmann::json::exception&) {
        resume = nlohmann::json::object();
      }
    }
    if (!resume.contains("done") || !fs::exists(delta_file)) {
      resume = nlohmann::json::object();
      Extract source = extract(false);
      StagedBatch batch = stage(source, nullptr, input_.staging_dir / "batch.parquet");
      if (batch.rows == 0) return nothing_changed();
      deduplicate(batch, delta_file);
      resume = {{"done", nlohmann::json::array()},
                {"rows_read", result_.rows_read},
                {"duplicates", result_.duplicates},
                {"started_at", format_iso8601(extract_started_at_)},
                {"source_files", source_files_json(fingerprint_)}};
    } else {
      result_.rows_read = resume.value("rows_read", int64_t{0});
      result_.duplicates = resume.value("duplicates", int64_t{0});
      extract_started_at_ = parse_iso8601(resume.value("started_at", "")).value_or(input_.now);
      fingerprint_ = parse_source_files(resume.value("source_files", std::string("[]")));
      result_.warnings.push_back("resumed an interrupted initial load");
    }
    StagedBatch delta;
    delta.path = delta_file;
    delta.schema = describe(parquet_sql(delta_file));
    std::string key_sql = partition_key_of(delta.schema);
    std::set<std::string> done;
    for (const auto& key : resume["done"])
      done.insert(key.get<std::string>());
    std::vector<std::string> keys;
    for (const std::string& key :
         distinct_strings("SELECT DISTINCT " + key_sql + " FROM " + parquet_sql(delta_file))) {
      if (!done.count(key)) keys.push_back(key);
    }
    for (const std::vector<std::string>& chunk : chunk_keys(keys)) {
      std::vector<std::string> literals;
      for (const std::string& key : chunk)
        literals.push_back(quote_literal(key));
      std::string relation = "(SELECT * FROM " + parquet_sql(delta_file) + " WHERE " + key_sql +
                             " IN (" + join(literals, ", ") + "))";
      StagedBatch part = delta;
      part.rows = connection_.query("SELECT count(*) FROM " + relation).scalar().as_int();
      auto [target, schema_changed] = target_schema(manifest, delta, relation);
      write_partitions(part, relation, manifest, target, schema_changed, true);
      for (const std::string& key : chunk)
        resume["done"].push_back(key);
      save_progress(resume.dump());
    }
    finish_state(max_of_incremental_column(delta));
    fs::remove_all(input_.resume_dir);
  }

  // Consecutive partition keys grouped so that a group spans about initial_load_chunk_days;
  // the __null__ partition goes last, alone.
  std::vector<std::vector<std::string>> chunk_keys(std::vector<std::string> keys) const {
    std::sort(keys.begin(), keys.end());
    int days_per_key = table_.partition_granularity == catalog::PartitionGranularity::kDay ? 1
                       : table_.partition_granularity == catalog::PartitionGranularity::kMonth
                           ? 30
                           : 365;
    size_t per_chunk =
        static_cast<size_t>(std::max(1, table_.initial_load_chunk_days / days_per_key));
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

  void save_progress(const std::string& resume_json) {
    if (!input_.save_progress) return;
    store::TableSyncState state = base_state();
    state.status = "failed";
    state.error = "initial load in progress";
    state.resume_json = resume_json;
    input_.save_progress(state);
  }

  void replace_partitions() {
    PartitionManifest manifest = published_partitions();
    bool published = !manifest.partitions.empty();
    Extract source = extract(false);
    StagedBatch batch =
        stage(source, published ? &manifest.schema : nullptr, input_.staging_dir / "batch.parquet");
    if (batch.rows == 0) {
      result_.warnings.push_back("the export held no rows; every published partition is kept");
      return nothing_changed();
    }
    StagedBatch delta = table_.primary_key.empty()
                            ? batch
                            : deduplicate(batch, input_.staging_dir / "delta.parquet");
    auto [target, schema_changed] = target_schema(manifest, delta, parquet_sql(delta.path));
    write_partitions(delta, parquet_sql(delta.path), manifest, target, schema_changed, false);
    finish_state(std::nullopt);
  }

  // --- state --------------------------------------------------------------------------------

  std::optional<std::string> max_of_incremental_column(const StagedBatch& delta) {
    if (!table_.incremental_column || !delta.schema.find(*table_.incremental_column)) {
      return previous_ ? previous_->watermark : std::nullopt;
    }
    const SchemaColumn* column = delta.schema.find(*table_.incremental_column);
    std::string name = quote_identifier(column->name);
    std::string sql = "SELECT CAST(max(" + name + ") AS VARCHAR) FROM " + parquet_sql(delta.path);
    if (previous_ && previous_->watermark) {
      sql = "SELECT CAST(greatest(max(" + name + "), CAST(" + quote_literal(*previous_->watermark) +
            " AS " + column->type + ")) AS VARCHAR) FROM " + parquet_sql(delta.path);
    }
    duck::Value value = connection_.query(sql).scalar();
    if (value.is_null()) return previous_ ? previous_->watermark : std::nullopt;
    return value.text();
  }

  store::TableSyncState base_state() const {
    store::TableSyncState state = previous_.value_or(store::TableSyncState{});
    state.table_id = table_.id;
    state.table_name = table_.name;
    state.strategy = catalog::to_string(table_.strategy);
    return state;
  }

  void finish_state(std::optional<std::string> watermark) {
    store::TableSyncState state = base_state();
    state.status = "succeeded";
    state.error.reset();
    state.last_sync = format_iso8601(now_utc());
    state.last_export_started_at = format_iso8601(extract_started_at_);
    state.watermark = std::move(watermark);
    state.rows = result_.rows_total;
    state.columns = static_cast<int64_t>(result_.schema.columns.size());
    state.file_size_bytes = result_.bytes_total;
    state.uncompressed_bytes = result_.uncompressed_bytes;
    state.schema_json = result_.schema.to_json();
    state.source_files_json = source_files_json(fingerprint_);
    state.resume_json.reset();
    result_.columns = state.columns;
    result_.state = std::move(state);
  }

  // A run that found nothing new: a success that keeps the watermark and the published data.
  void nothing_changed() {
    if (layout_.partitioned) {
      PartitionManifest manifest = published_partitions();
      if (!manifest.partitions.empty()) describe_partitioned(manifest);
    } else if (fs::is_regular_file(layout_.single_file)) {
      describe_single_file();
    }
    finish_state(previous_ ? previous_->watermark : std::nullopt);
  }

  DataSource& source_;
  duck::Connection& connection_;
  const TableSyncSettings& settings_;
  const TableSyncInput& input_;
  const catalog::TableConfig& table_;
  published::TableLocation layout_;
  std::optional<store::TableSyncState> previous_;
  TableSyncResult result_;
  Timestamp extract_started_at_{};
  std::vector<SourceFile> fingerprint_;
};

}  // namespace

TableSyncResult TableSync::run(const TableSyncInput& input) {
  return TableSyncRun(source_, connection_, settings_, input).run();
}

}  // namespace da::sync
