#include "da/catalog_bundle/catalog_bundle.hpp"

#include "claude_md_template.hpp"
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/common/atomic_file.hpp"
#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/common/time.hpp"
#include "da/metrics/metric_catalog.hpp"

namespace da::catalog_bundle {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// Text safe inside a Markdown table cell.
std::string cell(std::string_view text) {
  std::string result = replace_all(trim(text), "|", "\\|");
  for (char& c : result) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return result;
}

Json read_profiles(const config::InstanceConfig& config) {
  fs::path file = config.paths.data_dir / "metadata" / "profiles.json";
  if (!fs::exists(file)) return Json::object();
  try {
    Json document = Json::parse(read_file(file));
    return document.value("tables", Json::object());
  } catch (const Json::exception& e) {
    log::warn("{} is unreadable: {}", file.string(), e.what());
    return Json::object();
  }
}

std::string tables_section(const catalog::DataDescription& catalog, const Json& profiles) {
  std::string text = "| table | view | rows | description |\n|---|---|---|---|\n";
  for (const catalog::TableConfig& table : catalog.tables) {
    std::string rows = profiles.contains(table.name)
                           ? fmt::format("{}", profiles[table.name].value("row_count", 0))
                           : "";
    text += fmt::format("| {} | `{}` | {} | {} |\n", cell(table.id), cell(table.name), rows,
                        cell(table.description));
  }
  return text;
}

std::string metrics_section(const std::vector<metrics::Metric>& metrics) {
  if (metrics.empty()) return "(none yet)\n";
  std::string text;
  for (const auto& category : metrics::group_by_category(metrics)) {
    for (const metrics::Metric* metric : category.metrics) {
      text += fmt::format("- `{}` ({}, {}): {} — `server/docs/metrics/{}`\n", metric->name,
                          category.label, metric->unit, cell(metric->display_name), metric->file);
    }
  }
  return text;
}

std::string metric_index(const std::vector<metrics::Metric>& metrics) {
  std::string text =
      "# Business metrics\n\nThe canonical definitions. Use a metric's `sql` (or a `sql_*` "
      "variant) as it is; do not "
      "write your own SQL for a metric defined here.\n";
  for (const auto& category : metrics::group_by_category(metrics)) {
    text += "\n## " + category.label +
            "\n\n| metric | what | unit | grain | queries | file |\n|---|---|---|---|---|---|\n";
    for (const metrics::Metric* metric : category.metrics) {
      std::vector<std::string> keys;
      for (const auto& query : metric->queries)
        keys.push_back("`" + query.key + "`");
      text += fmt::format("| `{}` | {} | {} | {} | {} | `{}` |\n", metric->name,
                          cell(metric->display_name), cell(metric->unit), cell(metric->grain),
                          join(keys, ", "), metric->file);
    }
  }
  return text;
}

std::string profile_summary(const catalog::DataDescription& catalog, const Json& profiles) {
  std::string text =
      "# Data profile\n\nA summary of `metadata/profiles.json`: size, time span and data quality "
      "alerts per table. "
      "Read the alerts of a table before you use it.\n";
  for (const catalog::TableConfig& table : catalog.tables) {
    text += "\n## " + table.name + "\n\n";
    if (!profiles.contains(table.name)) {
      text += "Not profiled yet.\n";
      continue;
    }
    const Json& profile = profiles[table.name];
    text += fmt::format("- {} rows, {} columns{}\n", profile.value("row_count", 0),
                        profile.value("column_count", 0),
                        profile.value("sampled", false) ? " (statistics from a sample)" : "");
    if (profile.contains("date_range") && profile["date_range"].is_object()) {
      const Json& range = profile["date_range"];
      text += fmt::format("- dates from {} to {}\n", range.value("earliest", ""),
                          range.value("latest", ""));
    }
    if (profile.value("duplicate_rows", 0) > 0) {
      text += fmt::format("- {} rows repeat a primary key\n", profile.value("duplicate_rows", 0));
    }
    if (profile.contains("_stale"))
      text += "- the last profiling failed; these figures are older\n";
    for (const Json& alert : profile.value("alerts", Json::array())) {
      text += "- alert: " + cell(alert.value("message", "")) + "\n";
    }
    std::vector<std::string> metrics;
    for (const Json& metric : profile.value("used_by_metrics", Json::array()))
      metrics.push_back("`" + metric.value("name", "") + "`");
    if (!metrics.empty()) text += "- used by the metrics " + join(metrics, ", ") + "\n";
  }
  return text;
}

}  // namespace

std::string claude_md_template(const config::InstanceConfig& config) {
  fs::path custom = config.paths.docs_dir / "setup" / "claude_md_template.md";
  return fs::exists(custom) ? read_file(custom) : std::string(kDefaultClaudeMdTemplate);
}

BundleReport build_catalog_bundle(const config::InstanceConfig& config,
                               const catalog::DataDescription& catalog) {
  BundleReport report;
  const fs::path& docs = config.paths.docs_dir;
  fs::create_directories(docs / "metrics");
  metrics::MetricLoad metrics = metrics::load_metrics(docs / "metrics");
  for (const auto& problem : metrics.diagnostics.errors())
    log::warn("metrics: {}", problem.format());
  Json profiles = read_profiles(config);
  std::string hostname = config.server.hostname.empty()
                             ? std::string("the data broker")
                             : "the data broker " + config.server.hostname;

  std::string claude = claude_md_template(config);
  claude = replace_all(claude, "{{instance_name}}", config.instance.name);
  claude = replace_all(claude, "{{server_hostname}}", hostname);
  claude = replace_all(claude, "{{webapp_url}}",
                       config.server.hostname.empty() ? std::string("the web portal")
                                                      : "https://" + config.server.hostname);
  claude = replace_all(claude, "{{tables}}", tables_section(catalog, profiles));
  claude = replace_all(claude, "{{metrics}}", metrics_section(metrics.metrics));
  claude = replace_all(claude, "{{generated_at}}", format_iso8601(now_utc()));
  auto write = [&](const fs::path& file, const std::string& content) {
    write_file_atomically(file, content, 0644);
    report.written.push_back(file);
  };
  write(docs / "CLAUDE.md", claude);
  write(docs / "data_profile.md", profile_summary(catalog, profiles));
  write(docs / "metrics" / "index.md", metric_index(metrics.metrics));
  return report;
}

}  // namespace da::catalog_bundle
