// A metric as the portal's metric modal shows it (original-core-spec §8.1): metadata, overview,
// notes, SQL examples with titles and complexity, technical details, validation.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "da/metrics/metric.hpp"

namespace da::metrics {

// "Basic Query" for sql, "By Channel" for sql_by_channel, ...
std::string query_title(const std::string& key);
// "advanced" when the query uses WITH, windows, partitions, ... or has more than 20 lines.
std::string query_complexity(const std::string& query);

nlohmann::ordered_json metric_view(const Metric& metric);

}  // namespace da::metrics
