#include "da/sync/compat_artifacts.hpp"

#include <cmath>
#include <map>

#include <nlohmann/json.hpp>
#include <yaml-cpp/emitter.h>
#include <yaml-cpp/emittermanip.h>

#include "da/common/atomic_file.hpp"
#include "da/common/log.hpp"
#include "da/common/time.hpp"
#include "da/sync/table_schema.hpp"

namespace da::sync {

namespace fs = std::filesystem;

namespace {

double megabytes(int64_t bytes) {
  return std::round(static_cast<double>(bytes) / 1048576.0 * 100) / 100;
}

template <typename T>
nlohmann::ordered_json optional_json(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

const TableSyncState* state_of(const std::vector<TableSyncState>& states, const std::string& id) {
  for (const auto& state : states) {
    if (state.table_id == id) return &state;
  }
  return nullptr;
}

}  // namespace

std::string render_sync_state_json(const std::vector<TableSyncState>& states) {
  nlohmann::ordered_json tables = nlohmann::ordered_json::object();
  for (const TableSyncState& state : states) {
    tables[state.table_id] = {
        {"table_name", state.table_name},
        {"last_sync", optional_json(state.last_sync)},
        {"strategy", state.strategy},
        {"rows", state.rows},
        {"columns", state.columns},
        {"file_size_mb", megabytes(state.file_size_bytes)},
        {"uncompressed_mb", megabytes(state.uncompressed_bytes)},
        {"status", state.status},
        {"error", optional_json(state.error)},
        {"last_export_started_at", optional_json(state.last_export_started_at)},
        {"watermark", optional_json(state.watermark)}};
  }
  nlohmann::ordered_json document = {
      {"version", 2}, {"last_updated", format_iso8601(now_utc())}, {"tables", tables}};
  return document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string render_schema_yml(const catalog::DataDescription& catalog,
                              const std::vector<const catalog::TableConfig*>& tables,
                              const std::vector<TableSyncState>& states,
                              const std::string& source_name, const std::string& dataset,
                              const SourceColumnLookup& source_columns) {
  std::string generated_at = format_iso8601(now_utc());
  YAML::Emitter out;
  out.SetOutputCharset(YAML::EmitNonAscii);
  out << YAML::BeginMap << YAML::Key << "_metadata" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "_schema_version" << YAML::Value << 2;
  out << YAML::Key << "generated_at" << YAML::Value << generated_at;
  out << YAML::Key << "note" << YAML::Value
      << "Columns and DuckDB types of the synced Parquet tables. Read this before writing SQL.";
  out << YAML::Key << "source" << YAML::Value << source_name;
  out << YAML::Key << "generator" << YAML::Value << "da sync";
  out << YAML::EndMap << YAML::Key << "tables" << YAML::Value << YAML::BeginMap;
  std::map<std::string, int> name_uses;
  for (const catalog::TableConfig* table : tables)
    ++name_uses[table->name];
  for (const catalog::TableConfig* table : tables) {
    const TableSyncState* state = state_of(states, table->id);
    TableSchema schema = TableSchema::from_json(*state->schema_json);
    std::map<std::string, SourceColumn> declared;
    if (source_columns) {
      try {
        for (SourceColumn& column : source_columns(*table))
          declared[column.name] = std::move(column);
      } catch (const std::exception& e) {
        log::warn("{}: the source's column descriptions are not available: {}", table->id,
                  e.what());
      }
    }
    std::string key =
        name_uses[table->name] > 1 ? catalog.folder_of(*table) + "/" + table->name : table->name;
    out << YAML::Key << key << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "table_id" << YAML::Value << table->id;
    out << YAML::Key << "description" << YAML::Value << table->description;
    out << YAML::Key << "primary_key" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const std::string& column : table->primary_key)
      out << column;
    out << YAML::EndSeq;
    out << YAML::Key << "sync_strategy" << YAML::Value << catalog::to_string(table->strategy);
    out << YAML::Key << "folder" << YAML::Value << catalog.folder_of(*table);
    out << YAML::Key << "columns" << YAML::Value << YAML::BeginSeq;
    for (const SchemaColumn& column : schema.columns) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << column.name;
      out << YAML::Key << "type" << YAML::Value << column.type;
      std::string description;
      auto source = declared.find(column.name);
      if (source != declared.end()) description = source->second.description;
      for (const catalog::ColumnSpec& spec : table->columns) {
        if (spec.name == column.name && !spec.description.empty()) description = spec.description;
      }
      if (!description.empty()) out << YAML::Key << "description" << YAML::Value << description;
      if (source != declared.end() && !source->second.type.empty())
        out << YAML::Key << "source_type" << YAML::Value << source->second.type;
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    if (table->is_partitioned())
      out << YAML::Key << "partitioned_by" << YAML::Value << *table->partition_by;
    out << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
  std::string header = "# AUTO-GENERATED - DO NOT EDIT\n# Generated: " + generated_at + "\n";
  if (!dataset.empty()) header += "# Dataset: " + dataset + "\n";
  header += "# Every synced table with its columns and DuckDB types.\n";
  return header + out.c_str() + "\n";
}

void write_compat_artifacts(const fs::path& data_dir, const fs::path& docs_dir,
                            const catalog::DataDescription& catalog,
                            const std::vector<TableSyncState>& states,
                            const std::string& source_name,
                            const SourceColumnLookup& source_columns) {
  fs::create_directories(data_dir / "metadata");
  write_file_atomically(data_dir / "metadata" / "sync_state.json", render_sync_state_json(states),
                        0644);

  std::map<std::string, std::vector<const catalog::TableConfig*>> by_dataset;
  for (const catalog::TableConfig& table : catalog.tables) {
    const TableSyncState* state = state_of(states, table.id);
    if (state == nullptr || !state->schema_json || !state->last_sync) continue;
    by_dataset[table.dataset.value_or("")].push_back(&table);
  }
  for (const auto& [dataset, tables] : by_dataset) {
    fs::path file =
        dataset.empty() ? docs_dir / "schema.yml" : docs_dir / "datasets" / dataset / "schema.yml";
    fs::create_directories(file.parent_path());
    write_file_atomically(
        file, render_schema_yml(catalog, tables, states, source_name, dataset, source_columns),
        0644);
  }
}

}  // namespace da::sync
