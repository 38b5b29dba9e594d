// Files that analysts' tools and the original's readers expect, rewritten atomically after
// every sync run (formats in docs/formats.md):
//   <data_dir>/metadata/sync_state.json   {"version": 2, "last_updated", "tables": {id: {...}}}
//   <docs_dir>/schema.yml                 columns and DuckDB types of every synced table
//   <docs_dir>/datasets/<ds>/schema.yml   the same for the tables of an optional dataset
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "da/catalog/data_description.hpp"
#include "da/store/sync_state_repository.hpp"

namespace da::sync {

std::string render_sync_state_json(const std::vector<store::TableSyncState>& states);

// schema.yml for `tables` (those of one dataset, or those of none).
std::string render_schema_yml(const catalog::DataDescription& catalog,
                              const std::vector<const catalog::TableConfig*>& tables,
                              const std::vector<store::TableSyncState>& states,
                              const std::string& source_name, const std::string& dataset);

// Writes sync_state.json and every schema.yml (only for tables that have been published).
void write_compat_artifacts(const std::filesystem::path& data_dir,
                            const std::filesystem::path& docs_dir,
                            const catalog::DataDescription& catalog,
                            const std::vector<store::TableSyncState>& states,
                            const std::string& source_name);

}  // namespace da::sync
