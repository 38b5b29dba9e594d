// A business metric: the canonical definition of a number, with the SQL that computes it.
// One YAML file per metric under <docs_dir>/metrics/<category>/<metric>.yml (a list holding
// one mapping, as in the original). Schema and examples: docs/metrics.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace da::metrics {

struct MetricQuery {
  std::string key;    // "sql", "sql_by_channel", ... in file order
  std::string query;  // trimmed
};

struct MetricValidation {
  std::string text;    // the `validation` value as written (a string, or "method: result")
  std::string method;  // when given as {method, result}
  std::string result;
};

struct Metric {
  std::string name;  // snake_case id
  std::string display_name;
  std::string category;  // = the folder
  std::string type;      // sum, average, ratio, count_distinct, ...
  std::string unit;      // USD, %, hours, ...
  std::string grain;     // monthly, ...
  std::string time_column;
  std::string table;                // the primary table's name
  std::vector<std::string> tables;  // every table involved (may repeat `table`)
  std::string expression;
  std::string description;
  std::vector<std::string> dimensions;
  std::vector<std::string> notes;
  std::vector<std::string> synonyms;
  std::vector<MetricQuery> queries;
  std::optional<MetricValidation> validation;
  std::optional<std::string> cost_allocation_guide;

  std::string file;  // "<category>/<file>.yml"
  int line = 0;

  // The query with this key ("sql", "sql_by_channel") or suffix ("by_channel"); nullptr if none.
  const MetricQuery* query(const std::string& key_or_variant) const;
  // `table` and `tables`, each once, in that order.
  std::vector<std::string> all_tables() const;
};

}  // namespace da::metrics
