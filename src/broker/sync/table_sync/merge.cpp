#include "merge.hpp"

#include <algorithm>

#include "parquet_sql.hpp"
#include "schema_evolution.hpp"
#include <fmt/core.h>

#include "da/common/strings.hpp"
#include "da/duck/sql_quote.hpp"

namespace da::sync::table_sync {

using duck::quote_identifier;
using duck::quote_literal;

namespace {

// True when a row of `d` (new) differs from its match in `o` (published).
std::string row_differs_sql(const MergeInput& merge) {
  const std::vector<std::string>& key = merge.primary_key;
  std::vector<std::string> checks;
  for (const SchemaColumn& column : merge.target.columns) {
    if (std::find(key.begin(), key.end(), column.name) != key.end()) continue;
    std::string name = quote_identifier(column.name);
    bool in_new = merge.schema.find(column.name) != nullptr;
    bool in_old = merge.published_schema.find(column.name) != nullptr;
    if (in_new && in_old) {
      checks.push_back(
          fmt::format("CAST(d.{0} AS {1}) IS DISTINCT FROM CAST(o.{0} AS {1})", name, column.type));
    } else if (in_new) {
      checks.push_back("d." + name + " IS NOT NULL");
    } else if (in_old) {
      checks.push_back("o." + name + " IS NOT NULL");
    }
  }
  return checks.empty() ? "false" : "(" + join(checks, " OR ") + ")";
}

}  // namespace

ChangeCounts count_changes(duck::Connection& connection, const MergeInput& merge) {
  std::string differs = row_differs_sql(merge);
  auto row =
      connection
          .query(
              "SELECT count(*) FILTER (WHERE o.__da_present IS NULL), "
              "count(*) FILTER (WHERE o.__da_present AND " +
              differs +
              "), "
              "count(*) FILTER (WHERE o.__da_present AND NOT " +
              differs + ") FROM " + merge.relation +
              " d LEFT JOIN (SELECT *, true AS __da_present FROM " + merge.published_relation +
              ") o USING (" + identifiers(merge.primary_key) + ")")
          .fetch_all()
          .at(0);
  return {row[0].as_int(), row[1].as_int(), row[2].as_int()};
}

void add_counts(TableSyncResult& result, const ChangeCounts& counts) {
  result.added += counts.added;
  result.updated += counts.updated;
  result.unchanged += counts.unchanged;
}

std::string merged_rows_sql(const MergeInput& merge) {
  std::string key = identifiers(merge.primary_key);
  return "SELECT " + conform_select(merge.target, merge.published_schema) + " FROM " +
         merge.published_relation + " ANTI JOIN (SELECT " + key + " FROM " + merge.relation +
         ") USING (" + key + ") UNION ALL SELECT " + conform_select(merge.target, merge.schema) +
         " FROM " + merge.relation;
}

std::string key_range_filter(duck::Connection& connection,
                             const std::vector<std::string>& primary_key,
                             const std::string& delta_relation) {
  if (primary_key.size() != 1) return "";
  std::string key = quote_identifier(primary_key.front());
  auto row = connection
                 .query("SELECT CAST(min(" + key + ") AS VARCHAR), CAST(max(" + key +
                        ") AS VARCHAR), " + "typeof(min(" + key + ")) FROM " + delta_relation)
                 .fetch_all()
                 .at(0);
  if (row[0].is_null()) return "";
  return fmt::format(" WHERE {0} BETWEEN CAST({1} AS {3}) AND CAST({2} AS {3})", key,
                     quote_literal(row[0].text()), quote_literal(row[1].text()), row[2].text());
}

}  // namespace da::sync::table_sync
