#include "da/catalog/data_description.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "da/catalog/date_placeholders.hpp"
#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/common/hash.hpp"
#include "da/common/strings.hpp"
#include "da/config/node_reader.hpp"
#include "da/config/yaml_node.hpp"

namespace da::catalog {

namespace fs = std::filesystem;
using config::Diagnostics;
using config::NodeReader;

namespace {

struct Fence {
  char marker = 0;
  size_t length = 0;
};

// "```yaml", "~~~ yml" (up to 3 leading spaces, any case, trailing blanks) -> the fence.
std::optional<Fence> yaml_fence_opening(std::string_view line) {
  size_t indent = 0;
  while (indent < line.size() && indent < 3 && line[indent] == ' ')
    ++indent;
  line.remove_prefix(indent);
  if (line.empty() || (line.front() != '`' && line.front() != '~')) return std::nullopt;
  Fence fence{line.front(), 0};
  while (fence.length < line.size() && line[fence.length] == fence.marker)
    ++fence.length;
  if (fence.length < 3) return std::nullopt;
  std::string info = to_lower(trim(line.substr(fence.length)));
  if (info != "yaml" && info != "yml") return std::nullopt;
  return fence;
}

bool is_fence_closing(std::string_view line, const Fence& fence) {
  std::string_view content = trim(line);
  if (content.size() < fence.length) return false;
  return std::all_of(content.begin(), content.end(), [&](char c) { return c == fence.marker; });
}

bool is_safe_name(std::string_view text) {
  static const std::regex pattern("^[A-Za-z0-9_][A-Za-z0-9_.-]*$");
  return std::regex_match(text.begin(), text.end(), pattern) &&
         text.find("..") == std::string_view::npos;
}

bool is_plausible_type(std::string_view text) {
  static const std::regex pattern("^[A-Za-z][A-Za-z0-9_ ]*(\\([0-9 ,]+\\))?(\\[\\])?$");
  return std::regex_match(text.begin(), text.end(), pattern);
}

std::optional<int> read_days(const NodeReader& table, std::string_view key, int64_t min) {
  auto value = table.child(key).as_optional_int(min, 36500);
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

template <typename Enum>
std::optional<Enum> read_enum(const NodeReader& node,
                              std::optional<Enum> (*parse)(std::string_view),
                              std::string_view allowed) {
  auto text = node.as_optional_string();
  if (!text) return std::nullopt;
  auto value = parse(trim(*text));
  if (!value) node.error("invalid value '" + *text + "' (allowed: " + std::string(allowed) + ")");
  return value;
}

void read_foreign_keys(const NodeReader& node, TableConfig& table) {
  for (const NodeReader& item : node.items()) {
    item.warn_unknown_keys({"column", "references", "description"});
    item.require("column");
    item.require("references");
    ForeignKey key{item.string("column"), item.string("references"), item.string("description")};
    if (!key.references.empty() && key.references.find('.') == std::string::npos) {
      item.child("references")
          .error("expected '<table name>.<column>', found '" + key.references + "'");
    }
    table.foreign_keys.push_back(std::move(key));
  }
}

void read_where_filters(const NodeReader& node, TableConfig& table) {
  for (const NodeReader& item : node.items()) {
    item.warn_unknown_keys({"column", "operator", "values"});
    item.require("column");
    WhereFilter filter;
    filter.column = item.string("column");
    if (auto op =
            read_enum(item.child("operator"), parse_filter_operator, "eq, ne, gt, ge, lt, le")) {
      filter.op = *op;
    } else if (!item.child("operator").present()) {
      item.child("operator").error("is required (eq, ne, gt, ge, lt, le)");
    }
    NodeReader values = item.child("values");
    if (values.present() && values.node()->is_scalar()) {
      filter.values.push_back(values.as_string());
    } else {
      for (const NodeReader& value : values.items())
        filter.values.push_back(value.as_string());
    }
    if (filter.values.empty()) values.error("needs at least one value");
    for (const std::string& value : filter.values) {
      for (const std::string& unknown : unknown_placeholders(value)) {
        values.warning("unknown placeholder " + unknown + " is used as it is");
      }
    }
    table.where_filters.push_back(std::move(filter));
  }
}

void read_columns(const NodeReader& node, TableConfig& table) {
  std::set<std::string> seen;
  for (const NodeReader& item : node.items()) {
    item.warn_unknown_keys({"name", "type", "description"});
    item.require("name");
    ColumnSpec column{item.string("name"), std::string(trim(item.string("type"))),
                      item.string("description")};
    if (!column.type.empty() && !is_plausible_type(column.type)) {
      item.child("type").error("'" + column.type +
                               "' is not a DuckDB type (e.g. BIGINT, DECIMAL(18,2), TIMESTAMP)");
    }
    if (!column.name.empty() && !seen.insert(to_lower(column.name)).second) {
      item.child("name").error("column '" + column.name + "' is listed twice");
    }
    table.columns.push_back(std::move(column));
  }
}

TableConfig read_table(const NodeReader& node) {
  TableConfig table;
  table.defined_in = node.file();
  table.line = node.line();
  node.warn_unknown_keys({"id",
                          "name",
                          "description",
                          "primary_key",
                          "sync_strategy",
                          "incremental_window_days",
                          "partition_by",
                          "partition_granularity",
                          "foreign_keys",
                          "where_filters",
                          "folder",
                          "max_history_days",
                          "dataset",
                          "initial_load_chunk_days",
                          "source",
                          "incremental_column",
                          "columns",
                          "null_strings",
                          "on_bad_value",
                          "allow_empty"});
  node.require("id");
  node.require("name");
  table.id = std::string(trim(node.string("id")));
  table.name = std::string(trim(node.string("name")));
  if (!table.name.empty() && !is_safe_name(table.name)) {
    node.child("name").error("'" + table.name +
                             "' cannot be a file name (use letters, digits, _ . -)");
  }
  table.description = node.string("description");
  if (!node.child("description").present()) {
    node.child("description").warning("is missing: analysts and their AI assistants rely on it");
  }
  table.primary_key = node.child("primary_key").as_string_list();

  if (auto strategy = read_enum(node.child("sync_strategy"), parse_sync_strategy,
                                "full_refresh, incremental, partitioned")) {
    table.strategy = *strategy;
  } else if (!node.child("sync_strategy").present()) {
    node.child("sync_strategy").error("is required (full_refresh, incremental or partitioned)");
  }
  if (auto days = read_days(node, "incremental_window_days", 0))
    table.incremental_window_days = *days;
  table.partition_by = node.optional_string("partition_by");
  if (auto granularity = read_enum(node.child("partition_granularity"), parse_partition_granularity,
                                   "day, month, year")) {
    table.partition_granularity = *granularity;
  }
  read_foreign_keys(node.child("foreign_keys"), table);
  read_where_filters(node.child("where_filters"), table);
  table.folder = node.optional_string("folder");
  if (table.folder && !is_safe_name(*table.folder)) {
    node.child("folder").error("'" + *table.folder + "' cannot be a folder name");
  }
  table.max_history_days = read_days(node, "max_history_days", 1);
  table.dataset = node.optional_string("dataset");
  if (table.dataset && !is_safe_name(*table.dataset)) {
    node.child("dataset").error("'" + *table.dataset + "' cannot be a dataset name");
  }
  if (auto days = read_days(node, "initial_load_chunk_days", 1))
    table.initial_load_chunk_days = *days;
  table.source = node.optional_string("source");
  table.incremental_column = node.optional_string("incremental_column");
  read_columns(node.child("columns"), table);
  if (NodeReader null_strings = node.child("null_strings"); null_strings.present()) {
    table.null_strings.emplace();  // kept as written: " " or "" can be meaningful here
    for (const NodeReader& item : null_strings.items())
      table.null_strings->push_back(item.as_string());
  }
  if (auto policy = read_enum(node.child("on_bad_value"), parse_bad_value_policy, "fail, null")) {
    table.on_bad_value = *policy;
  }

  table.allow_empty = node.boolean("allow_empty", false);

  if (table.strategy == SyncStrategy::kIncremental && table.primary_key.empty()) {
    node.child("primary_key").error("is required for incremental tables (rows are merged on it)");
  }
  if (table.strategy == SyncStrategy::kPartitioned && !table.partition_by) {
    node.child("partition_by").error("is required for partitioned tables");
  }
  if (!table.partition_by && node.child("partition_granularity").present()) {
    node.child("partition_granularity").warning("has no effect without partition_by");
  }
  return table;
}

void read_block(const NodeReader& root, DataDescription& description) {
  if (!root.present()) return;
  if (!root.node()->is_map()) {
    root.error("a catalog YAML block must be a mapping with 'tables' and/or 'folder_mapping'");
    return;
  }
  root.warn_unknown_keys({"tables", "folder_mapping"});
  for (const auto& [bucket, folder] : root.child("folder_mapping").entries()) {
    std::string name = folder.as_string();
    if (!is_safe_name(name)) folder.error("'" + name + "' cannot be a folder name");
    description.folder_mapping[bucket] = name;
  }
  for (const NodeReader& item : root.child("tables").items()) {
    if (!item.present() || !item.node()->is_map()) {
      item.error("each table must be a mapping with id, name, sync_strategy, ...");
      continue;
    }
    description.tables.push_back(read_table(item));
  }
}

void check_uniqueness(const DataDescription& description, Diagnostics& diagnostics) {
  std::map<std::string, const TableConfig*> by_id;
  std::map<std::string, const TableConfig*> by_location;
  for (const TableConfig& table : description.tables) {
    auto where = [](const TableConfig* t) { return t->defined_in + ":" + std::to_string(t->line); };
    if (!table.id.empty()) {
      auto [it, inserted] = by_id.emplace(table.id, &table);
      if (!inserted) {
        diagnostics.error(
            table.defined_in, table.line, "tables[" + table.id + "]",
            "table id '" + table.id + "' is declared twice (first at " + where(it->second) + ")");
      }
    }
    if (table.name.empty()) continue;
    std::string location = description.folder_of(table) + "/" + to_lower(table.name);
    auto [it, inserted] = by_location.emplace(location, &table);
    if (!inserted && it->second->id != table.id) {
      diagnostics.error(table.defined_in, table.line, "tables[" + table.id + "].name",
                        "name '" + table.name + "' is already used in folder '" +
                            description.folder_of(table) + "' by table '" + it->second->id + "' (" +
                            where(it->second) + "): their Parquet files would collide");
    }
  }
}

}  // namespace

std::vector<YamlBlock> extract_yaml_blocks(std::string_view markdown, const std::string& file,
                                           Diagnostics& diagnostics) {
  std::vector<YamlBlock> blocks;
  std::optional<Fence> open;
  YamlBlock current;
  int opened_at = 0;
  int line_number = 0;
  for (std::string line : split(markdown, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!open) {
      if ((open = yaml_fence_opening(line))) {
        current = YamlBlock{"", line_number + 1};
        opened_at = line_number;
      }
      continue;
    }
    if (is_fence_closing(line, *open)) {
      blocks.push_back(std::move(current));
      open.reset();
      continue;
    }
    current.text += line;
    current.text += '\n';
  }
  if (open) {
    diagnostics.error(file, opened_at, "", "the YAML block opened here is never closed");
  }
  return blocks;
}

std::string DataDescription::folder_of(const TableConfig& table) const {
  if (table.folder) return *table.folder;
  auto mapped = folder_mapping.find(table.bucket());
  return mapped != folder_mapping.end() ? mapped->second : table.bucket();
}

const TableConfig* DataDescription::find(std::string_view id) const {
  for (const TableConfig& table : tables) {
    if (table.id == id) return &table;
  }
  return nullptr;
}

TableConfig read_table_node(const config::YamlNode& node, const std::string& source,
                            config::Diagnostics& diagnostics) {
  NodeReader reader(&node, "", source, diagnostics, node.line);
  if (!node.is_map()) {
    reader.error("a table must be a mapping with id, name, sync_strategy, ...");
    return {};
  }
  return read_table(reader);
}

TableConfig parse_table_yaml(std::string_view yaml, const std::string& source,
                             config::Diagnostics& diagnostics) {
  config::YamlNode root;
  try {
    root = config::parse_yaml(yaml, source);
  } catch (const Error& e) {
    diagnostics.error("", 0, "", e.what());
    return {};
  }
  return read_table_node(root, source, diagnostics);
}

namespace {

// A file the registry generated carries "checksum: sha256:<16 hex>" of its YAML block.
void check_generated_checksum(const MarkdownDocument& document,
                              const std::vector<YamlBlock>& blocks, Diagnostics& diagnostics) {
  static const std::regex pattern("<!-- checksum: sha256:([0-9a-f]{16}) -->");
  std::smatch match;
  if (!std::regex_search(document.text, match, pattern) || blocks.size() != 1) return;
  if (sha256_hex(blocks.front().text).substr(0, 16) == match[1].str()) return;
  diagnostics.warning(
      document.file, 0, "",
      "was generated by the table registry and has been edited by hand since; the next registry "
      "change will overwrite those edits (run 'da tables import' to keep them)");
}

}  // namespace

DataDescriptionLoad parse_data_description(const std::vector<MarkdownDocument>& documents) {
  DataDescriptionLoad result;
  for (const MarkdownDocument& document : documents) {
    result.description.files.emplace_back(document.file);
    std::vector<YamlBlock> blocks =
        extract_yaml_blocks(document.text, document.file, result.diagnostics);
    check_generated_checksum(document, blocks, result.diagnostics);
    config::YamlAliasBudget budget;  // one for the whole file, however many blocks it has
    for (const YamlBlock& block : blocks) {
      config::YamlNode root;
      try {
        root = config::parse_yaml(block.text, document.file, block.first_line, &budget);
      } catch (const Error& e) {
        result.diagnostics.error("", 0, "", e.what());
        continue;
      }
      read_block(NodeReader(&root, "", document.file, result.diagnostics, block.first_line),
                 result.description);
    }
  }
  if (result.description.tables.empty() && !result.diagnostics.has_errors()) {
    std::string file = documents.empty() ? "data_description.md" : documents.front().file;
    result.diagnostics.error(file, 0, "",
                             "declares no tables (expected a ```yaml block with a 'tables:' list)");
  }
  check_uniqueness(result.description, result.diagnostics);
  return result;
}

DataDescriptionLoad load_data_description(const fs::path& docs_dir) {
  fs::path main_file = docs_dir / "data_description.md";
  if (!fs::exists(main_file)) {
    throw Error(ErrorKind::kNotFound,
                "table catalog not found: " + main_file.string() +
                    " (copy config/data_description.md.example there, or set paths.catalog_dir)");
  }
  std::vector<MarkdownDocument> documents{{main_file.string(), read_file(main_file)}};
  fs::path datasets = docs_dir / "datasets";
  if (fs::is_directory(datasets)) {
    std::vector<fs::path> extra;
    for (const auto& entry : fs::directory_iterator(datasets)) {
      if (entry.is_regular_file() && entry.path().extension() == ".md")
        extra.push_back(entry.path());
    }
    std::sort(extra.begin(), extra.end());
    for (const fs::path& file : extra)
      documents.push_back({file.string(), read_file(file)});
  }
  return parse_data_description(documents);
}

DataDescription load_data_description_or_throw(const fs::path& docs_dir) {
  DataDescriptionLoad load = load_data_description(docs_dir);
  load.diagnostics.throw_if_errors("invalid table catalog in " + docs_dir.string());
  return std::move(load.description);
}

}  // namespace da::catalog
