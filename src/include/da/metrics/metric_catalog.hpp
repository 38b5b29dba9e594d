// Loading and validating the metric files of a folder.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "da/config/diagnostics.hpp"
#include "da/metrics/metric.hpp"

namespace da::metrics {

struct MetricLoad {
  std::vector<Metric> metrics;  // ordered like categories() then by file name
  config::Diagnostics diagnostics;
};

// Parses one metric file; `relative_path` is "<category>/<file>.yml". Problems (naming the file,
// line and field) go to `diagnostics`; the metrics that could be read are returned.
std::vector<Metric> parse_metric_file(std::string_view text, const std::string& relative_path,
                                      config::Diagnostics& diagnostics);

// Reads every <metrics_dir>/<category>/*.yml. A missing folder has no metrics.
MetricLoad load_metrics(const std::filesystem::path& metrics_dir);

struct MetricCategory {
  std::string key;                     // folder name
  std::string label;                   // "Revenue", "Product Usage"
  std::string color;                   // for the portal
  std::vector<const Metric*> metrics;  // by file name
};

// revenue, customers, marketing, support first, then the others alphabetically.
std::vector<MetricCategory> group_by_category(const std::vector<Metric>& metrics);

std::string category_color(const std::string& category);

}  // namespace da::metrics
