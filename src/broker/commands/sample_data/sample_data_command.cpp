// da sample-data: the sample e-commerce dataset, as CSV and/or Parquet, with its catalog.
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/common/progress_bar.hpp"
#include "da/common/strings.hpp"
#include "da/module/module_registry.hpp"
#include "da/sample_data/sample_generator.hpp"

namespace da::commands::sample_data {

namespace {

namespace fs = std::filesystem;
using da::sample_data::SampleResult;

std::string list_sizes() {
  std::string text = fmt::format("{:<5} {:>10} {:>9} {:>10} {:>13} {:>10} {:>8} {:>16} {:>7}\n",
                                 "size", "customers", "products", "campaigns", "web_sessions",
                                 "web_leads", "orders", "support_tickets", "months");
  for (const auto& s : da::sample_data::sample_sizes()) {
    text += fmt::format("{:<5} {:>10} {:>9} {:>10} {:>13} {:>10} {:>8} {:>16} {:>7}\n", s.name,
                        s.customers, s.products, s.campaigns, s.web_sessions, s.web_leads, s.orders,
                        s.support_tickets, s.months);
  }
  return text;
}

std::string summary_text(const SampleResult& result, const fs::path& out) {
  std::string text;
  int64_t bytes = 0;
  for (const auto& table : result.tables) {
    text += fmt::format("{:<16} {:>10} rows {:>12} bytes\n", table.name, table.rows, table.bytes);
    bytes += table.bytes;
  }
  text += fmt::format("{} rows, {:.1f} MB of CSV in {} ({} to {}) in {:.1f}s\n",
                      result.total_rows(), static_cast<double>(bytes) / 1e6, out.string(),
                      result.start_date, result.end_date, result.seconds);
  return text;
}

std::string summary_json(const SampleResult& result, const fs::path& out) {
  nlohmann::ordered_json tables = nlohmann::ordered_json::array();
  for (const auto& table : result.tables)
    tables.push_back({{"name", table.name}, {"rows", table.rows}, {"bytes", table.bytes}});
  return nlohmann::ordered_json{{"out", out.string()},         {"start_date", result.start_date},
                                {"end_date", result.end_date}, {"total_rows", result.total_rows()},
                                {"seconds", result.seconds},   {"tables", tables}}
             .dump(2) +
         "\n";
}

int run(cli::CommandContext& context, const cli::Arguments& arguments) {
  if (arguments.flag("list-sizes")) {
    context.print(list_sizes());
    return cli::ExitCode::kSuccess;
  }
  da::sample_data::SampleOptions options;
  options.size = arguments.value("size");
  da::sample_data::sample_size(options.size);  // validates before anything is written
  int64_t seed = arguments.integer("seed");
  if (seed < 0) throw Error(ErrorKind::kConfig, "--seed must not be negative");
  options.seed = static_cast<uint64_t>(seed);
  options.out = arguments.value("out");
  options.format = arguments.value("format");
  ProgressBar progress("sample-data", 9, "tables");
  options.on_table = [&](const std::string&, int64_t) { progress.advance(); };
  SampleResult result = da::sample_data::generate_sample_data(options);
  progress.finish();
  context.print(context.json() ? summary_json(result, options.out)
                               : summary_text(result, options.out));
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  registry.commands.add({
      "sample-data",
      "Write the sample e-commerce dataset (9 related tables) and a catalog that syncs it",
      {cli::value_option("--size", "Dataset size", "s", {"xs", "s", "m", "l"}),
       cli::value_option("--seed", "Random seed: the same seed gives the same bytes", "42"),
       cli::value_option("--out", "Output folder", "data/sample"),
       cli::value_option("--format", "csv, parquet or both", "csv", {"csv", "parquet", "both"}),
       cli::flag("--list-sizes", "Print the row counts of each size and exit")},
      run,
  });
}

}  // namespace da::commands::sample_data
