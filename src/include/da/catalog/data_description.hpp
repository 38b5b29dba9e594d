// data_description.md: the table catalog as YAML blocks inside Markdown.
//
// Blocks are fenced with ```yaml or ```yml (also ~~~, any case, trailing spaces, LF or
// CRLF). Every block of <docs_dir>/data_description.md and then of <docs_dir>/datasets/*.md
// (in name order) is read: `tables` lists are concatenated, `folder_mapping` maps merged
// (later keys win). Markdown outside the blocks is for people and AI assistants.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "da/catalog/table_config.hpp"
#include "da/config/diagnostics.hpp"

namespace da::catalog {

struct YamlBlock {
  std::string text;
  int first_line = 0;  // line of the block's first YAML line in the Markdown file
};

// The fenced YAML blocks of a Markdown text. An unclosed fence is reported in `diagnostics`.
std::vector<YamlBlock> extract_yaml_blocks(std::string_view markdown, const std::string& file,
                                           config::Diagnostics& diagnostics);

struct DataDescription {
  std::vector<TableConfig> tables;                    // file order
  std::map<std::string, std::string> folder_mapping;  // bucket id -> Parquet folder
  std::vector<std::filesystem::path> files;           // the files read, in order

  // The table's Parquet folder: its `folder`, else folder_mapping[bucket], else the bucket.
  std::string folder_of(const TableConfig& table) const;
  const TableConfig* find(std::string_view id) const;
};

struct DataDescriptionLoad {
  DataDescription description;
  config::Diagnostics diagnostics;
};

struct MarkdownDocument {
  std::string file;  // name used in messages
  std::string text;
};

// Parses documents in order and validates every table: required fields, types, enums,
// cross-field rules, ids unique, names unique per output folder; unknown keys are warnings.
DataDescriptionLoad parse_data_description(const std::vector<MarkdownDocument>& documents);

// Reads <docs_dir>/data_description.md and <docs_dir>/datasets/*.md. Throws Error(kNotFound)
// when data_description.md is missing.
DataDescriptionLoad load_data_description(const std::filesystem::path& docs_dir);

// load_data_description() that throws Error(kConfig) listing every error.
DataDescription load_data_description_or_throw(const std::filesystem::path& docs_dir);

}  // namespace da::catalog
