#include "da/catalog/data_description_writer.hpp"

#include <yaml-cpp/emitter.h>
#include <yaml-cpp/emittermanip.h>
#include <yaml-cpp/stlemitter.h>

#include "da/common/hash.hpp"
#include "da/common/strings.hpp"

namespace da::catalog {

namespace {

void emit_optional(YAML::Emitter& out, const char* key, const std::optional<std::string>& value) {
  if (value) out << YAML::Key << key << YAML::Value << *value;
}

void emit_table(YAML::Emitter& out, const TableConfig& table) {
  out << YAML::BeginMap;
  out << YAML::Key << "id" << YAML::Value << table.id;
  out << YAML::Key << "name" << YAML::Value << table.name;
  out << YAML::Key << "description" << YAML::Value << table.description;
  out << YAML::Key << "primary_key" << YAML::Value << join(table.primary_key, ", ");
  out << YAML::Key << "sync_strategy" << YAML::Value << to_string(table.strategy);
  if (table.strategy == SyncStrategy::kIncremental || table.incremental_window_days != 7) {
    out << YAML::Key << "incremental_window_days" << YAML::Value << table.incremental_window_days;
  }
  emit_optional(out, "partition_by", table.partition_by);
  if (table.partition_by) {
    out << YAML::Key << "partition_granularity" << YAML::Value
        << to_string(table.partition_granularity);
  }
  if (table.max_history_days) {
    out << YAML::Key << "max_history_days" << YAML::Value << *table.max_history_days;
  }
  if (table.initial_load_chunk_days != 30) {
    out << YAML::Key << "initial_load_chunk_days" << YAML::Value << table.initial_load_chunk_days;
  }
  if (!table.foreign_keys.empty()) {
    out << YAML::Key << "foreign_keys" << YAML::Value << YAML::BeginSeq;
    for (const ForeignKey& key : table.foreign_keys) {
      out << YAML::BeginMap << YAML::Key << "column" << YAML::Value << key.column;
      out << YAML::Key << "references" << YAML::Value << key.references;
      if (!key.description.empty())
        out << YAML::Key << "description" << YAML::Value << key.description;
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (!table.where_filters.empty()) {
    out << YAML::Key << "where_filters" << YAML::Value << YAML::BeginSeq;
    for (const WhereFilter& filter : table.where_filters) {
      out << YAML::BeginMap << YAML::Key << "column" << YAML::Value << filter.column;
      out << YAML::Key << "operator" << YAML::Value << to_string(filter.op);
      out << YAML::Key << "values" << YAML::Value << YAML::Flow << filter.values;
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  emit_optional(out, "folder", table.folder);
  emit_optional(out, "dataset", table.dataset);
  emit_optional(out, "source", table.source);
  emit_optional(out, "incremental_column", table.incremental_column);
  if (!table.columns.empty()) {
    out << YAML::Key << "columns" << YAML::Value << YAML::BeginSeq;
    for (const ColumnSpec& column : table.columns) {
      out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << column.name;
      if (!column.type.empty()) out << YAML::Key << "type" << YAML::Value << column.type;
      if (!column.description.empty()) {
        out << YAML::Key << "description" << YAML::Value << column.description;
      }
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  if (table.null_strings) {
    out << YAML::Key << "null_strings" << YAML::Value << YAML::Flow << *table.null_strings;
  }
  if (table.on_bad_value != BadValuePolicy::kFail) {
    out << YAML::Key << "on_bad_value" << YAML::Value << to_string(table.on_bad_value);
  }
  if (table.allow_empty) out << YAML::Key << "allow_empty" << YAML::Value << true;
  out << YAML::EndMap;
}

}  // namespace

std::string render_table_yaml(const TableConfig& table) {
  YAML::Emitter out;
  out.SetOutputCharset(YAML::EmitNonAscii);
  emit_table(out, table);
  return std::string(out.c_str()) + "\n";
}

std::string render_catalog_yaml(const std::vector<TableConfig>& tables,
                                const std::map<std::string, std::string>& folder_mapping) {
  YAML::Emitter out;
  out.SetOutputCharset(YAML::EmitNonAscii);
  out << YAML::BeginMap;
  if (!folder_mapping.empty()) {
    out << YAML::Key << "folder_mapping" << YAML::Value << YAML::BeginMap;
    for (const auto& [bucket, folder] : folder_mapping)
      out << YAML::Key << bucket << YAML::Value << folder;
    out << YAML::EndMap;
  }
  out << YAML::Key << "tables" << YAML::Value << YAML::BeginSeq;
  for (const TableConfig& table : tables)
    emit_table(out, table);
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string render_data_description(const std::vector<TableConfig>& tables,
                                    const std::map<std::string, std::string>& folder_mapping,
                                    const GeneratedHeader& header) {
  std::string yaml = render_catalog_yaml(tables, folder_mapping);
  std::string text;
  text += "<!-- AUTO-GENERATED from the " + header.source + " -- do not edit manually -->\n";
  text +=
      "<!-- Use `da tables` or the admin UI at /admin/tables to manage table registrations -->\n";
  text += "<!-- checksum: sha256:" + sha256_hex(yaml).substr(0, 16) + " -->\n\n";
  text += "# Data Description\n\n";
  text += "Generated at " + header.generated_at + " from the " + header.source + " (version " +
          std::to_string(header.version) + ", " + std::to_string(tables.size()) + " tables).\n\n";
  text += "```yaml\n" + yaml + "```\n";
  return text;
}

}  // namespace da::catalog
