// The columns and DuckDB types of a published table, and how it may evolve: new columns are
// added, types widen safely (INTEGER -> BIGINT -> DOUBLE, DATE -> TIMESTAMP, DECIMAL to a wider
// DECIMAL); anything else is an incompatible change that fails the table.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace da::sync {

struct SchemaColumn {
  std::string name;
  std::string type;  // DuckDB type name as DESCRIBE prints it
  bool operator==(const SchemaColumn&) const = default;
};

struct TableSchema {
  std::vector<SchemaColumn> columns;

  const SchemaColumn* find(const std::string& name) const;
  std::vector<std::string> names() const;
  bool operator==(const TableSchema&) const = default;

  // [{"name": ..., "type": ...}, ...]
  std::string to_json() const;
  // Throws Error(kInternal) on malformed JSON.
  static TableSchema from_json(const std::string& json);
};

// The type both `a` and `b` values fit in without loss, or nullopt if there is none.
std::optional<std::string> common_supertype(const std::string& a, const std::string& b);

struct TypeConflict {
  std::string column;
  std::string published_type;
  std::string incoming_type;
};

struct SchemaChange {
  TableSchema merged;                   // published columns first, then new ones
  std::vector<std::string> added;       // columns only in the new data
  std::vector<std::string> widened;     // "amount: INTEGER -> DOUBLE"
  std::vector<TypeConflict> conflicts;  // no common type; `merged` keeps the published type
  bool changed() const { return !added.empty() || !widened.empty(); }
};

// How `incoming` fits into `published`. Columns missing from `incoming` stay (NULL for new rows).
SchemaChange merge_schemas(const TableSchema& published, const TableSchema& incoming);

}  // namespace da::sync
