#include "da/metrics/metric_view.hpp"

#include <regex>

#include "da/common/strings.hpp"
#include "da/metrics/metric_catalog.hpp"

namespace da::metrics {

namespace {

std::string collapse_whitespace(std::string_view text) {
  std::string result;
  bool space = false;
  for (char c : trim(text)) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !result.empty()) result += ' ';
    space = false;
    result += c;
  }
  return result;
}

nlohmann::ordered_json validation_view(const MetricValidation& validation) {
  static const std::regex accuracy("\\d+(\\.\\d+)?%");
  static const std::regex exact("exactly|perfectly|match", std::regex::icase);
  static const std::regex date("\\d{4}-\\d{2}-\\d{2}");
  std::smatch match;
  std::string accuracy_text;
  if (std::regex_search(validation.text, match, accuracy)) {
    accuracy_text = match.str();
  } else if (std::regex_search(validation.text, exact)) {
    accuracy_text = "100%";
  }
  std::string last_updated = std::regex_search(validation.text, match, date) ? match.str() : "";
  return {{"status", "validated"},   {"method", validation.method}, {"result", validation.result},
          {"text", validation.text}, {"accuracy", accuracy_text},   {"last_updated", last_updated}};
}

}  // namespace

std::string query_title(const std::string& key) {
  static const std::vector<std::pair<std::string, std::string>> kTitles = {
      {"sql", "Basic Query"},
      {"sql_by_company", "By Company"},
      {"sql_by_technology", "By Technology"},
      {"sql_by_action", "By Action"},
      {"sql_customer_vs_internal", "Customer vs Internal"},
      {"sql_singletenant_allocation", "Singletenant Allocation"},
      {"sql_multitenant_allocation", "Multitenant Allocation"}};
  for (const auto& [candidate, title] : kTitles) {
    if (candidate == key) return title;
  }
  std::string words = key.rfind("sql_", 0) == 0 ? key.substr(4) : key;
  std::string title;
  bool start = true;
  for (char c : words) {
    if (c == '_') {
      title += ' ';
      start = true;
    } else {
      title += start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      start = false;
    }
  }
  return title;
}

std::string query_complexity(const std::string& query) {
  std::string upper = query;
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* word : {"WITH", "CTE", "RECURSIVE", "WINDOW", "PARTITION", "ALLOCATION",
                           "SINGLETENANT", "MULTITENANT"}) {
    if (upper.find(word) != std::string::npos) return "advanced";
  }
  return std::count(query.begin(), query.end(), '\n') + 1 > 20 ? "advanced" : "simple";
}

nlohmann::ordered_json metric_view(const Metric& metric) {
  std::vector<std::string> key_insights(
      metric.notes.begin(), metric.notes.begin() + std::min<size_t>(5, metric.notes.size()));
  nlohmann::ordered_json examples = nlohmann::ordered_json::object();
  // The original's fixed titles come first, in their order; then the others in file order.
  std::vector<const MetricQuery*> ordered;
  for (const char* fixed :
       {"sql", "sql_by_company", "sql_by_technology", "sql_by_action", "sql_customer_vs_internal",
        "sql_singletenant_allocation", "sql_multitenant_allocation"}) {
    if (const MetricQuery* query = metric.query(fixed); query && query->key == fixed)
      ordered.push_back(query);
  }
  for (const MetricQuery& query : metric.queries) {
    if (std::find(ordered.begin(), ordered.end(), &query) == ordered.end())
      ordered.push_back(&query);
  }
  for (const MetricQuery* query : ordered) {
    examples[query->key] = {{"title", query_title(query->key)},
                            {"query", query->query},
                            {"complexity", query_complexity(query->query)}};
  }
  nlohmann::ordered_json sources = nlohmann::ordered_json::array();
  if (!metric.table.empty()) sources.push_back({{"table", metric.table}, {"type", "primary"}});
  static const std::regex join("joins? to (\\w+)( via (\\w+))?", std::regex::icase);
  for (const std::string& note : metric.notes) {
    for (auto it = std::sregex_iterator(note.begin(), note.end(), join);
         it != std::sregex_iterator(); ++it) {
      sources.push_back({{"table", (*it)[1].str()}, {"type", "join"}, {"via", (*it)[3].str()}});
    }
  }
  nlohmann::ordered_json special = nlohmann::ordered_json::object();
  if (metric.cost_allocation_guide)
    special["cost_allocation_guide"] = *metric.cost_allocation_guide;
  return {
      {"name", metric.name},
      {"display_name", metric.display_name},
      {"category", metric.category},
      {"category_color", category_color(metric.category)},
      {"metadata",
       {{"type", metric.type},
        {"unit", metric.unit},
        {"grain", metric.grain},
        {"time_column", metric.time_column}}},
      {"overview",
       {{"description", collapse_whitespace(metric.description)}, {"key_insights", key_insights}}},
      {"validation",
       metric.validation ? validation_view(*metric.validation) : nlohmann::ordered_json(nullptr)},
      {"dimensions", metric.dimensions},
      {"notes", {{"all", metric.notes}, {"key_insights", key_insights}}},
      {"sql_examples", examples},
      {"technical",
       {{"table", metric.table},
        {"tables", metric.all_tables()},
        {"expression", metric.expression},
        {"synonyms", metric.synonyms},
        {"data_sources", sources}}},
      {"special_sections", special},
      {"file", metric.file}};
}

}  // namespace da::metrics
