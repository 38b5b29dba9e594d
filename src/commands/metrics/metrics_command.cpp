// da metrics list|show|validate|run: the business metric definitions and their SQL.
#include <fmt/core.h>

#include "da/catalog/data_description.hpp"
#include "da/cli/command_context.hpp"
#include "da/cli/result_table.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/duck/connection.hpp"
#include "da/duck/database.hpp"
#include "da/metrics/metric_catalog.hpp"
#include "da/metrics/metric_view.hpp"
#include "da/module/module_registry.hpp"
#include "da/published/published_views.hpp"

namespace da::commands::metrics {

namespace {

using da::metrics::Metric;
using da::metrics::MetricLoad;

std::filesystem::path metrics_dir(cli::CommandContext& context) {
  return context.config().paths.docs_dir / "metrics";
}

MetricLoad load(cli::CommandContext& context) {
  MetricLoad load = da::metrics::load_metrics(metrics_dir(context));
  load.diagnostics.throw_if_errors("invalid metric definitions in " +
                                   metrics_dir(context).string() + " (see 'da metrics validate')");
  return load;
}

const Metric& find(const MetricLoad& load, const std::string& name) {
  for (const Metric& metric : load.metrics) {
    if (metric.name == name) return metric;
  }
  std::vector<std::string> names;
  for (const Metric& metric : load.metrics)
    names.push_back(metric.name);
  throw Error(ErrorKind::kNotFound,
              "no metric named '" + name + "' (known: " + join(names, ", ") + ")");
}

int list(cli::CommandContext& context, const cli::Arguments&) {
  MetricLoad metrics = load(context);
  if (context.json()) {
    nlohmann::ordered_json categories = nlohmann::ordered_json::array();
    for (const auto& category : da::metrics::group_by_category(metrics.metrics)) {
      nlohmann::ordered_json items = nlohmann::ordered_json::array();
      for (const Metric* metric : category.metrics) {
        items.push_back({{"name", metric->name},
                         {"display_name", metric->display_name},
                         {"description", metric->description},
                         {"grain", metric->grain},
                         {"path", metric->file}});
      }
      categories.push_back(
          {{"category", category.key}, {"label", category.label}, {"metrics", items}});
    }
    context.print(categories.dump(2) + "\n");
    return cli::ExitCode::kSuccess;
  }
  std::string text;
  for (const auto& category : da::metrics::group_by_category(metrics.metrics)) {
    text += category.label + "\n";
    for (const Metric* metric : category.metrics) {
      std::vector<std::string> variants;
      for (const auto& query : metric->queries)
        variants.push_back(query.key);
      text += fmt::format("  {:<26} {:<32} {} ({})\n", metric->name, metric->display_name,
                          metric->unit, join(variants, ", "));
    }
  }
  context.print(text);
  return cli::ExitCode::kSuccess;
}

int show(cli::CommandContext& context, const cli::Arguments& arguments) {
  MetricLoad metrics = load(context);
  const Metric& metric = find(metrics, arguments.value("name"));
  if (context.json()) {
    context.print(da::metrics::metric_view(metric).dump(
                      2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
                  "\n");
    return cli::ExitCode::kSuccess;
  }
  std::string text =
      fmt::format("{} ({})\n{}\n\n", metric.display_name, metric.name, metric.description);
  text += fmt::format("category: {}   type: {}   unit: {}   grain: {}   time column: {}\n",
                      metric.category, metric.type, metric.unit, metric.grain, metric.time_column);
  text += fmt::format("tables: {}\nexpression: {}\n", join(metric.all_tables(), ", "),
                      metric.expression);
  for (const std::string& note : metric.notes)
    text += "note: " + note + "\n";
  for (const auto& query : metric.queries) {
    text += fmt::format("\n-- {} ({}, {})\n{}\n", query.key, da::metrics::query_title(query.key),
                        da::metrics::query_complexity(query.query), query.query);
  }
  context.print(text);
  return cli::ExitCode::kSuccess;
}

int validate(cli::CommandContext& context, const cli::Arguments&) {
  MetricLoad metrics = da::metrics::load_metrics(metrics_dir(context));
  config::Diagnostics& diagnostics = metrics.diagnostics;
  catalog::DataDescriptionLoad catalog =
      catalog::load_data_description(context.config().paths.docs_dir);
  for (const Metric& metric : metrics.metrics) {
    for (const std::string& table : metric.all_tables()) {
      bool known = std::any_of(catalog.description.tables.begin(), catalog.description.tables.end(),
                               [&](const catalog::TableConfig& t) { return t.name == table; });
      if (!known)
        diagnostics.warning(metric.file, metric.line, "table",
                            "table '" + table + "' is not in the catalog");
    }
  }
  std::string text;
  for (const auto& item : diagnostics.all()) {
    text += (item.severity == config::Diagnostic::Severity::kError ? "error: " : "warning: ") +
            item.format() + "\n";
  }
  text += fmt::format("{} metric(s), {} error(s), {} warning(s)\n", metrics.metrics.size(),
                      diagnostics.errors().size(), diagnostics.warnings().size());
  context.print(text);
  return diagnostics.has_errors() ? cli::ExitCode::kUsage : cli::ExitCode::kSuccess;
}

int run(cli::CommandContext& context, const cli::Arguments& arguments) {
  MetricLoad metrics = load(context);
  const Metric& metric = find(metrics, arguments.value("name"));
  std::string variant = arguments.has("variant") ? arguments.value("variant") : "sql";
  const da::metrics::MetricQuery* query = metric.query(variant);
  if (query == nullptr) {
    std::vector<std::string> keys;
    for (const auto& candidate : metric.queries)
      keys.push_back(candidate.key);
    throw Error(ErrorKind::kNotFound, "metric '" + metric.name + "' has no query '" + variant +
                                          "' (it has: " + join(keys, ", ") + ")");
  }
  const config::InstanceConfig& config = context.config();
  catalog::DataDescription catalog = catalog::load_data_description_or_throw(config.paths.docs_dir);
  published::PublishedTables published(config, catalog);
  duck::Result result = published.connection().query(query->query);
  size_t limit = static_cast<size_t>(arguments.integer("limit"));
  context.print(context.json() ? cli::format_json(result, limit)
                               : cli::format_text_table(result, limit));
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.commands.describe_group(
      "metrics", "Business metric definitions (docs/metrics/<category>/<metric>.yml)");
  registry.commands.add({"metrics list", "List the metrics by category", {}, list});
  registry.commands.add({"metrics show",
                         "Show a metric's definition and its queries (--json: the portal's view)",
                         {cli::positional("NAME", "The metric's name", true)},
                         show});
  registry.commands.add(
      {"metrics validate", "Check every metric file (exit 2 on errors)", {}, validate});
  registry.commands.add(
      {"metrics run",
       "Run a metric's SQL over the published tables",
       {cli::positional("NAME", "The metric's name", true),
        cli::value_option("--variant", "A sql_* variant, e.g. by_channel (default: sql)"),
        cli::value_option("--limit", "Rows to print at most", "1000")},
       run});
}

}  // namespace da::commands::metrics
