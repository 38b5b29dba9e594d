// Which tables an analyst receives, and the rsync filter that delivers exactly those.
//
// A table reaches an analyst when all of these hold:
//   - it is not in the `private` folder, or the analyst is privileged (data-private);
//   - it belongs to no dataset, or to one the analyst enabled;
//   - the analyst takes all tables (table_mode "all"), or subscribed to it (by name or id).
// The same rules serve the rsync filter (original-core-spec §9.4) and the HTTPS manifest.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "da/catalog/data_description.hpp"

namespace da::distribution {

// An analyst's choices as the portal stores them (user_selections: selection_store.hpp).
struct Selection {
  std::map<std::string, bool> datasets;
  bool explicit_tables = false;        // table_mode "explicit"
  std::map<std::string, bool> tables;  // table name (or id) -> subscribed

  // From the stored JSON texts; malformed or non-boolean entries count as false.
  static Selection from_stored(const std::string& datasets_json, const std::string& table_mode,
                                   const std::string& tables_json);
};

struct VisibleTable {
  std::string id;
  std::string name;
  std::string folder;
  bool partitioned = false;
  std::string dataset;  // "" when the table belongs to none
};

// The tables of `catalog` the analyst receives, in catalog order.
std::vector<VisibleTable> visible_tables(const catalog::DataDescription& catalog,
                                         const Selection& selection, bool privileged);

// rsync filter rules for a transfer rooted at parquet/: each visible table's file or partition
// folder, anchored to its own folder (a name never matches in another folder, `private/`
// included), and everything else excluded.
std::string rsync_filter(const std::vector<VisibleTable>& tables);

// The rules for a transfer rooted at an analyst's server/ folder (~/.sync_rsync_filter, read
// by `da pull --via ssh`): the docs, without the pages of datasets the analyst does not
// receive, and the parquet/ rules of rsync_filter() below parquet/.
std::string server_rsync_filter(const std::vector<VisibleTable>& tables);

// True if `relative_path` (below parquet/, '/'-separated) is data of a visible table.
bool is_visible_path(const std::vector<VisibleTable>& tables, std::string_view relative_path);

}  // namespace da::distribution
