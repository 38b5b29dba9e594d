#include "da/metrics/metric.hpp"

#include <algorithm>

namespace da::metrics {

const MetricQuery* Metric::query(const std::string& key_or_variant) const {
  for (const MetricQuery& candidate : queries) {
    if (candidate.key == key_or_variant || candidate.key == "sql_" + key_or_variant)
      return &candidate;
  }
  return nullptr;
}

std::vector<std::string> Metric::all_tables() const {
  std::vector<std::string> result;
  if (!table.empty()) result.push_back(table);
  for (const std::string& name : tables) {
    if (std::find(result.begin(), result.end(), name) == result.end()) result.push_back(name);
  }
  return result;
}

}  // namespace da::metrics
