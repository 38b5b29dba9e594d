// Files that analysts' tools and the original's readers expect, rewritten atomically after
// every sync run (formats in docs/formats.md):
//   <data_dir>/metadata/sync_state.json   {"version": 2, "last_updated", "tables": {id: {...}}}
//   <docs_dir>/schema.yml                 columns and DuckDB types of every synced table
//   <docs_dir>/datasets/<ds>/schema.yml   the same for the tables of an optional dataset
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "da/catalog/data_description.hpp"
#include "da/sync/data_source.hpp"
#include "da/sync/sync_state_repository.hpp"

namespace da::sync {

// The source's own types and descriptions of a table's columns (DataSource::column_metadata).
// A lookup that throws only loses that table's source details.
using SourceColumnLookup = std::function<std::vector<SourceColumn>(const catalog::TableConfig&)>;

std::string render_sync_state_json(const std::vector<TableSyncState>& states);

// schema.yml for `tables` (those of one dataset, or those of none). A column's description is
// the catalog's, else the source's; `source_type` is the type the source declares.
std::string render_schema_yml(const catalog::DataDescription& catalog,
                              const std::vector<const catalog::TableConfig*>& tables,
                              const std::vector<TableSyncState>& states,
                              const std::string& source_name, const std::string& dataset,
                              const SourceColumnLookup& source_columns = {});

// Writes sync_state.json and every schema.yml (only for tables that have been published).
void write_compat_artifacts(const std::filesystem::path& data_dir,
                            const std::filesystem::path& docs_dir,
                            const catalog::DataDescription& catalog,
                            const std::vector<TableSyncState>& states,
                            const std::string& source_name,
                            const SourceColumnLookup& source_columns = {});

}  // namespace da::sync
