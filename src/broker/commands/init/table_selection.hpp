// Which of the source's tables `da init` registers: glob patterns on table ids
// ("in.c-crm.*", "*.orders") or bucket ids ("in.c-crm": all of its tables).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "da/sync/data_source.hpp"

namespace da::commands::init {

// "in.c-crm" for "in.c-crm.orders"; "" for an id without a dot.
std::string bucket_of(const std::string& table_id);

// True if `pattern` is a glob matching the id, or the id's bucket.
bool pattern_matches(const std::string& pattern, const std::string& table_id);

// The tables matched by any pattern (every table with `all`), in the source's order. Throws
// Error(kConfig) naming a pattern that matches no table, so that a typo is not silently a
// smaller catalog.
std::vector<sync::DiscoveredTable> select_tables(const std::vector<sync::DiscoveredTable>& tables,
                                                 const std::vector<std::string>& patterns,
                                                 bool all);

// Each bucket with its number of tables, in order of first appearance.
std::vector<std::pair<std::string, size_t>> buckets(
    const std::vector<sync::DiscoveredTable>& tables);

// The registry definition (YAML) of a discovered table: a full refresh, the columns the source
// describes, and the `source` the connector gave it.
std::string table_definition(const sync::DiscoveredTable& table);

}  // namespace da::commands::init
