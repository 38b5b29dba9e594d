// da workspace init|refresh: the analyst's local workspace (see da/workspace/workspace.hpp).
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/cli/command_context.hpp"
#include "da/module/module_registry.hpp"
#include "da/workspace/workspace.hpp"

namespace da::commands::workspace {

namespace {

using Json = nlohmann::ordered_json;

da::workspace::Layout layout_from(const cli::Arguments& arguments) {
  return da::workspace::layout_of(arguments.has("dir") ? arguments.value("dir") : ".");
}

int init(cli::CommandContext& context, const cli::Arguments& arguments) {
  da::workspace::Layout layout = layout_from(arguments);
  da::workspace::InitReport report = da::workspace::init_workspace(layout);
  if (context.json()) {
    Json created = Json::array();
    for (const auto& path : report.created)
      created.push_back(path.string());
    context.print(Json{{"workspace", layout.root.string()}, {"created", created}}.dump(2) + "\n");
    return cli::ExitCode::kSuccess;
  }
  std::string text = fmt::format("workspace {}\n", layout.root.string());
  for (const auto& path : report.created)
    text += fmt::format("  created {}\n", path.lexically_relative(layout.root).string());
  if (report.created.empty()) text += "  nothing to create: the workspace is complete\n";
  context.print(text);
  return cli::ExitCode::kSuccess;
}

int refresh(cli::CommandContext& context, const cli::Arguments& arguments) {
  da::workspace::Layout layout = layout_from(arguments);
  da::workspace::RefreshReport report = da::workspace::refresh_workspace(layout);
  if (context.json()) {
    Json views = Json::array();
    for (const auto& view : report.views)
      views.push_back({{"schema", view.schema},
                       {"name", view.name},
                       {"table_id", view.table_id},
                       {"rows", view.rows}});
    context.print(Json{{"database", layout.database().string()},
                       {"views", views},
                       {"dropped", report.dropped},
                       {"missing", report.missing}}
                      .dump(2) +
                  "\n");
    return cli::ExitCode::kSuccess;
  }
  std::string text;
  for (const auto& view : report.views)
    text += fmt::format("  {:<40} {:>14} rows\n", view.schema + "." + view.name, view.rows);
  for (const auto& view : report.dropped)
    text += fmt::format("  dropped {} (no longer on the broker)\n", view);
  for (const auto& id : report.missing)
    text += fmt::format("  no local data for {}\n", id);
  text += fmt::format("{} table(s) in {}\n", report.views.size(), layout.database().string());
  context.print(text);
  return cli::ExitCode::kSuccess;
}

}  // namespace

void register_module(ModuleRegistry& registry) {
  auto& commands = registry.commands;
  commands.describe_group("workspace", "The analyst's local workspace (server/, user/, DuckDB)");
  commands.add({"workspace init",
                "Lay out a workspace: server/, user/, CLAUDE.md, .claude/settings.json",
                {cli::positional("DIR", "The workspace folder (default: the current one)")},
                init});
  commands.add({"workspace refresh",
                "Bring user/duckdb/analytics.duckdb's views in line with server/",
                {cli::positional("DIR", "The workspace folder (default: the current one)")},
                refresh});
}

}  // namespace da::commands::workspace
