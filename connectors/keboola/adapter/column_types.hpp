// A Keboola column's DuckDB type and description, resolved from every source of metadata.
//
// Priority, highest first:
//   1. provider "user"                    what a person set in Keboola
//   2. the definition of a typed table    the native type the column is stored in
//   3. provider "ai-metadata-enrichment"
//   4. transformations                    providers containing "transformation"
//   5. extractors and other components    any other provider but "storage"
//   6. provider "storage"
// Within a provider KBC.datatype.basetype wins over KBC.datatype.type; KBC.datatype.length
// ("38,2") makes NUMERIC an exact DECIMAL(38,2). A column without any type, or typed only as
// STRING by "storage" on a table that is not typed (Keboola's default), gets no declared type:
// the engine's sniffer then types its values. Descriptions (KBC.description) follow the same
// provider order.
#pragma once

#include <string>
#include <vector>

#include "keboola/client/storage_client.hpp"

namespace da::connectors::keboola {

struct ResolvedColumn {
  std::string name;
  std::string duckdb_type;  // empty: let the sniffer decide
  std::string source_type;  // the Keboola type it came from, e.g. "NUMERIC(38,2)"
  std::string provider;     // who declared it ("definition" for a typed table)
  std::string description;
};

// The table's own KBC.description, by the same provider priority ("" if none).
std::string table_description(const TableDetail& table);

// One entry per column of `table`, in column order.
std::vector<ResolvedColumn> resolve_columns(const TableDetail& table);

// DuckDB type for a Keboola base type (STRING, INTEGER, NUMERIC, FLOAT, BOOLEAN, DATE,
// TIMESTAMP) or a native backend type (NUMBER, VARCHAR, TIMESTAMP_TZ, ...), with the length
// as Keboola writes it ("38,2", "255", ""). Empty for a type it does not know.
std::string duckdb_type_for(const std::string& keboola_type, const std::string& length);

}  // namespace da::connectors::keboola
