// Writes data_description.md from tables (the table registry regenerates it on every change).
// The output parses back to the same tables with parse_data_description().
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "da/catalog/table_config.hpp"

namespace da::catalog {

struct GeneratedHeader {
  std::string source = "table registry";  // named in the header comment
  int64_t version = 0;
  std::string generated_at;  // ISO-8601 UTC
};

// One table as a YAML mapping, fields in a fixed order and only when they differ from their
// defaults; parse_table_yaml() reads it back.
std::string render_table_yaml(const TableConfig& table);

// The YAML of a catalog: folder_mapping (when not empty), then tables, fields in a fixed order
// and only when they differ from their defaults.
std::string render_catalog_yaml(const std::vector<TableConfig>& tables,
                                const std::map<std::string, std::string>& folder_mapping);

// The whole Markdown file: generated-file comments with a checksum
// ("sha256:" + the first 16 hex digits of SHA-256 of the YAML), a heading, one YAML block.
std::string render_data_description(const std::vector<TableConfig>& tables,
                                    const std::map<std::string, std::string>& folder_mapping,
                                    const GeneratedHeader& header);

}  // namespace da::catalog
