#include "init/table_selection.hpp"

#include <algorithm>

#include <fnmatch.h>
#include <nlohmann/json.hpp>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::commands::init {

std::string bucket_of(const std::string& table_id) {
  size_t dot = table_id.rfind('.');
  return dot == std::string::npos ? "" : table_id.substr(0, dot);
}

bool pattern_matches(const std::string& pattern, const std::string& table_id) {
  return pattern == bucket_of(table_id) || ::fnmatch(pattern.c_str(), table_id.c_str(), 0) == 0;
}

std::vector<sync::DiscoveredTable> select_tables(const std::vector<sync::DiscoveredTable>& tables,
                                                 const std::vector<std::string>& patterns,
                                                 bool all) {
  for (const std::string& pattern : patterns) {
    bool used = std::any_of(tables.begin(), tables.end(), [&](const sync::DiscoveredTable& t) {
      return pattern_matches(pattern, t.id);
    });
    if (used) continue;
    std::vector<std::string> names;
    for (const auto& [bucket, count] : buckets(tables))
      names.push_back(bucket);
    throw Error(ErrorKind::kConfig,
                "--tables '" + pattern + "' matches none of the source's " +
                    std::to_string(tables.size()) + " table(s)" +
                    (names.empty() ? "" : " (buckets: " + join(names, ", ") + ")") +
                    "; `da tables discover` lists them");
  }
  std::vector<sync::DiscoveredTable> chosen;
  for (const sync::DiscoveredTable& table : tables) {
    bool wanted = all || std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) {
                    return pattern_matches(p, table.id);
                  });
    if (wanted) chosen.push_back(table);
  }
  return chosen;
}

std::vector<std::pair<std::string, size_t>> buckets(
    const std::vector<sync::DiscoveredTable>& tables) {
  std::vector<std::pair<std::string, size_t>> result;
  for (const sync::DiscoveredTable& table : tables) {
    std::string bucket = bucket_of(table.id);
    auto found = std::find_if(result.begin(), result.end(),
                              [&](const auto& entry) { return entry.first == bucket; });
    if (found == result.end())
      result.emplace_back(bucket, 1);
    else
      ++found->second;
  }
  return result;
}

std::string table_definition(const sync::DiscoveredTable& table) {
  nlohmann::ordered_json definition = {
      {"id", table.id}, {"name", table.name}, {"sync_strategy", "full_refresh"}};
  if (!trim(table.description).empty()) definition["description"] = table.description;
  if (!table.primary_key.empty()) definition["primary_key"] = table.primary_key;
  if (!table.source.empty()) definition["source"] = table.source;
  nlohmann::ordered_json columns = nlohmann::ordered_json::array();
  for (const sync::SourceColumn& column : table.columns) {
    if (!trim(column.description).empty())
      columns.push_back({{"name", column.name}, {"description", column.description}});
  }
  if (!columns.empty()) definition["columns"] = columns;
  return definition.dump();
}

}  // namespace da::commands::init
