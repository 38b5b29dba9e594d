// The columns and DuckDB types of a published table, as the sync state and _manifest.json
// record them. How a schema may evolve is the sync's business (da/sync/table_schema.hpp).
#pragma once

#include <string>
#include <vector>

namespace da::published {

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

}  // namespace da::published
