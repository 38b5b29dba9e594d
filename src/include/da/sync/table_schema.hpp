// How the schema of a published table (da/published/table_schema.hpp) may evolve: new columns are
// added, types widen safely (INTEGER -> BIGINT -> DOUBLE, DATE -> TIMESTAMP, DECIMAL to a wider
// DECIMAL); anything else is an incompatible change that fails the table.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "da/published/table_schema.hpp"

namespace da::sync {

using published::SchemaColumn;
using published::TableSchema;

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
