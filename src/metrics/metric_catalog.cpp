#include "da/metrics/metric_catalog.hpp"

#include <algorithm>
#include <map>
#include <regex>

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/config/node_reader.hpp"
#include "da/config/yaml_node.hpp"

namespace da::metrics {

namespace fs = std::filesystem;
using config::NodeReader;

namespace {

constexpr const char* kRequired[] = {"name",       "display_name", "category",    "type",
                                     "unit",       "grain",        "time_column", "table",
                                     "expression", "description"};

bool is_snake_case(std::string_view text) {
  static const std::regex pattern("^[a-z][a-z0-9_]*$");
  return std::regex_match(text.begin(), text.end(), pattern);
}

std::vector<std::string> string_list(const NodeReader& node) {
  std::vector<std::string> values;
  if (!node.present()) return values;
  if (node.node()->is_scalar()) {
    values.push_back(node.as_string());
    return values;
  }
  for (const NodeReader& item : node.items())
    values.push_back(item.as_string());
  return values;
}

Metric read_metric(const NodeReader& node, const std::string& relative_path,
                   const std::string& category) {
  Metric metric;
  metric.file = relative_path;
  metric.line = node.line();
  for (const char* key : kRequired)
    node.require(key);
  metric.name = node.string("name");
  metric.display_name = node.string("display_name");
  metric.category = node.string("category");
  metric.type = node.string("type");
  metric.unit = node.string("unit");
  metric.grain = node.string("grain");
  metric.time_column = node.string("time_column");
  metric.table = node.string("table");
  metric.tables = string_list(node.child("tables"));
  metric.expression = node.string("expression");
  metric.description = node.string("description");
  metric.dimensions = string_list(node.child("dimensions"));
  metric.notes = string_list(node.child("notes"));
  metric.synonyms = string_list(node.child("synonyms"));
  if (!metric.name.empty() && !is_snake_case(metric.name)) {
    node.child("name").error("'" + metric.name + "' must be snake_case (a-z, 0-9, _)");
  }
  if (!metric.category.empty() && metric.category != category) {
    node.child("category")
        .error("is '" + metric.category + "' but the file is in the folder '" + category + "'");
  }
  NodeReader validation = node.child("validation");
  if (validation.present()) {
    MetricValidation value;
    if (validation.node()->is_map()) {
      value.method = validation.string("method");
      value.result = validation.string("result");
      value.text = value.method.empty() ? value.result : value.method + ": " + value.result;
    } else {
      value.text = validation.as_string();
    }
    metric.validation = value;
  }
  if (auto guide = node.optional_string("cost_allocation_guide"))
    metric.cost_allocation_guide = guide;

  static const std::vector<std::string> kKnown = {
      "name",   "display_name", "category",    "type",
      "unit",   "grain",        "time_column", "table",
      "tables", "expression",   "description", "dimensions",
      "notes",  "synonyms",     "validation",  "cost_allocation_guide",
      "sql"};
  const config::YamlNode* map = node.node();
  for (size_t i = 0; i < map->entries.size(); ++i) {
    const std::string& key = map->entries[i].first;
    NodeReader value = node.child(key);
    if (key == "sql" || key.rfind("sql_", 0) == 0) {
      if (!value.present()) continue;
      std::string query(trim(value.as_string()));
      if (query.empty()) {
        value.error("is empty");
      } else {
        metric.queries.push_back({key, query});
      }
    } else if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) {
      node.diagnostics().warning(node.file(), map->key_lines[i],
                                 node.path().empty() ? key : node.path() + "." + key,
                                 "unknown key (ignored)");
    }
  }
  return metric;
}

}  // namespace

std::vector<Metric> parse_metric_file(std::string_view text, const std::string& relative_path,
                                      config::Diagnostics& diagnostics) {
  std::vector<Metric> metrics;
  std::string category = fs::path(relative_path).parent_path().filename().string();
  config::YamlNode root;
  try {
    root = config::parse_yaml(text, relative_path);
  } catch (const Error& e) {
    diagnostics.error("", 0, "", e.what());
    return metrics;
  }
  NodeReader reader(&root, "", relative_path, diagnostics, 1);
  if (root.is_map()) {  // a single mapping is accepted; the list form is the standard
    metrics.push_back(read_metric(reader, relative_path, category));
    return metrics;
  }
  if (!root.is_sequence() || root.items.empty()) {
    reader.error("a metric file must be a list holding a mapping (- name: ..., display_name: ...)");
    return metrics;
  }
  for (const NodeReader& item : reader.items()) {
    if (!item.present() || !item.node()->is_map()) {
      item.error("each metric must be a mapping");
      continue;
    }
    metrics.push_back(read_metric(item, relative_path, category));
  }
  return metrics;
}

std::string category_color(const std::string& category) {
  static const std::map<std::string, std::string> kColors = {
      {"finance", "#0d9668"},       {"product_usage", "#b45309"},
      {"sales_revenue", "#0073D1"}, {"weekly_leadership_kpis", "#0073D1"},
      {"revenue", "#0073D1"},       {"customers", "#7c3aed"},
      {"marketing", "#b45309"},     {"support", "#EA580C"}};
  auto found = kColors.find(category);
  return found != kColors.end() ? found->second : "#6B7280";
}

MetricLoad load_metrics(const fs::path& metrics_dir) {
  MetricLoad load;
  if (!fs::is_directory(metrics_dir)) return load;
  std::vector<fs::path> files;
  for (const auto& category : fs::directory_iterator(metrics_dir)) {
    if (!category.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(category.path())) {
      if (file.is_regular_file() &&
          (file.path().extension() == ".yml" || file.path().extension() == ".yaml")) {
        files.push_back(file.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  std::map<std::string, std::string> seen;  // name -> file
  for (const fs::path& file : files) {
    std::string relative = file.parent_path().filename().string() + "/" + file.filename().string();
    for (Metric& metric : parse_metric_file(read_file(file), relative, load.diagnostics)) {
      if (!metric.name.empty()) {
        auto [it, inserted] = seen.emplace(metric.name, relative);
        if (!inserted) {
          load.diagnostics.error(relative, metric.line, "name",
                                 "metric '" + metric.name + "' is also defined in " + it->second);
        }
      }
      load.metrics.push_back(std::move(metric));
    }
  }
  std::vector<Metric> ordered;
  for (const MetricCategory& category : group_by_category(load.metrics)) {
    for (const Metric* metric : category.metrics)
      ordered.push_back(*metric);
  }
  load.metrics = std::move(ordered);
  return load;
}

std::vector<MetricCategory> group_by_category(const std::vector<Metric>& metrics) {
  static const std::vector<std::pair<std::string, std::string>> kFixed = {
      {"revenue", "Revenue"},
      {"customers", "Customers"},
      {"marketing", "Marketing"},
      {"support", "Support"}};
  std::map<std::string, std::vector<const Metric*>> by_category;
  for (const Metric& metric : metrics)
    by_category[fs::path(metric.file).parent_path().string()].push_back(&metric);
  std::vector<MetricCategory> categories;
  auto add = [&](const std::string& key, const std::string& label) {
    auto found = by_category.find(key);
    if (found == by_category.end()) return;
    auto list = found->second;
    std::stable_sort(list.begin(), list.end(),
                     [](const Metric* a, const Metric* b) { return a->file < b->file; });
    categories.push_back({key, label, category_color(key), list});
    by_category.erase(found);
  };
  for (const auto& [key, label] : kFixed)
    add(key, label);
  std::vector<std::string> others;
  for (const auto& [key, list] : by_category)
    others.push_back(key);
  for (const std::string& key : others) {
    std::string label;
    bool start = true;
    for (char c : key) {
      if (c == '_') {
        label += ' ';
        start = true;
      } else {
        label += start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        start = false;
      }
    }
    add(key, label);
  }
  return categories;
}

}  // namespace da::metrics
