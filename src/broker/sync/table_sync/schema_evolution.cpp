#include "schema_evolution.hpp"

#include <fmt/core.h>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::sync::table_sync {

using duck::quote_identifier;

namespace {

// "column 'x' is published as T but now has U values such as 'v'", or "" when every value of
// the conflicting column fits its published type.
std::string misfit(duck::Connection& connection, const TypeConflict& conflict,
                   const std::string& relation) {
  std::string column = quote_identifier(conflict.column);
  std::string misfits = fmt::format("{0} IS NOT NULL AND TRY_CAST({0} AS {1}) IS NULL", column,
                                    conflict.published_type);
  auto row = connection
                 .query("SELECT count(*) FILTER (WHERE " + misfits + "), CAST(min(" + column +
                        ") FILTER (WHERE " + misfits + ") AS VARCHAR) FROM " + relation)
                 .fetch_all()
                 .at(0);
  if (row[0].as_int() == 0) return "";
  return fmt::format("column '{}' is published as {} but now has {} values such as '{}'",
                     conflict.column, conflict.published_type, conflict.incoming_type,
                     row[1].to_string());
}

}  // namespace

SchemaChange evolve_schema(duck::Connection& connection, const std::string& table_id,
                           const TableSchema& published, const TableSchema& incoming,
                           const std::string& relation) {
  SchemaChange change = merge_schemas(published, incoming);
  std::vector<std::string> incompatible;
  for (const TypeConflict& conflict : change.conflicts) {
    if (std::string problem = misfit(connection, conflict, relation); !problem.empty())
      incompatible.push_back(problem);
  }
  if (!incompatible.empty()) {
    throw Error(ErrorKind::kData,
                table_id + ": incompatible schema change: " + join(incompatible, "; ") +
                    ". The published data is kept; fix the source or declare the column's type "
                    "under columns:");
  }
  return change;
}

std::vector<std::string> evolution_warnings(const SchemaChange& change) {
  std::vector<std::string> warnings;
  if (!change.added.empty()) warnings.push_back("new column(s): " + join(change.added, ", "));
  if (!change.widened.empty())
    warnings.push_back("widened column(s): " + join(change.widened, ", "));
  return warnings;
}

std::vector<std::string> replacement_warnings(const TableSchema& published,
                                              const TableSchema& incoming) {
  SchemaChange change = merge_schemas(published, incoming);
  std::vector<std::string> dropped;
  for (const SchemaColumn& column : published.columns) {
    if (!incoming.find(column.name)) dropped.push_back(column.name);
  }
  std::vector<std::string> changes = change.widened;
  for (const TypeConflict& conflict : change.conflicts) {
    changes.push_back(conflict.column + ": " + conflict.published_type + " -> " +
                      conflict.incoming_type);
  }
  std::vector<std::string> warnings;
  if (!changes.empty()) warnings.push_back("column type(s) changed: " + join(changes, ", "));
  if (!change.added.empty()) warnings.push_back("new column(s): " + join(change.added, ", "));
  if (!dropped.empty())
    warnings.push_back("column(s) no longer in the source: " + join(dropped, ", "));
  return warnings;
}

SchemaChange evolve(SyncRun& run, const TableSchema& published, const TableSchema& incoming,
                    const std::string& relation) {
  SchemaChange change =
      evolve_schema(run.connection, run.table().id, published, incoming, relation);
  for (std::string& warning : evolution_warnings(change))
    run.result.warnings.push_back(std::move(warning));
  return change;
}

std::pair<TableSchema, bool> target_schema(SyncRun& run, const PartitionManifest& manifest,
                                           const TableSchema& incoming,
                                           const std::string& relation) {
  if (manifest.partitions.empty()) return {incoming, false};
  SchemaChange change = evolve(run, manifest.schema, incoming, relation);
  return {change.merged, change.changed()};
}

std::string conform_select(const TableSchema& target, const TableSchema& source) {
  if (source == target) return "*";
  std::vector<std::string> items;
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

}  // namespace da::sync::table_sync
