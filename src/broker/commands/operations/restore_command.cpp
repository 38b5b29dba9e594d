// da restore --from DIR [--force]
#include "byte_size_text.hpp"
#include "operations_commands.hpp"
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/cli/command_context.hpp"
#include "da/common/strings.hpp"
#include "da/ops/restore.hpp"

namespace da::commands::operations {

namespace {

using Json = nlohmann::ordered_json;

std::string text_report(const ops::RestoreSummary& summary) {
  const ops::BackupManifest& manifest = summary.manifest;
  std::string text = fmt::format("restored the backup of {} (da {}, {}) into {}: {} in {:.1f}s\n",
                                 manifest.created_at, manifest.da_version,
                                 manifest.host.empty() ? "unknown host" : manifest.host,
                                 summary.instance.config_dir.string(),
                                 byte_size_text(manifest.total_bytes()), summary.seconds);
  for (const std::string& replaced : summary.replaced)
    text += "  replaced: " + replaced + "\n";
  for (const std::string& migration : summary.migrations_applied)
    text += "  migrated: " + migration + "\n";
  if (!manifest.with_data)
    text += "The backup holds no Parquet data: run `da sync` to publish the tables again.\n";
  if (!manifest.includes_secrets)
    text += "The backup holds no .env: make sure " + summary.instance.env_file().string() +
            " has the instance's secrets.\n";
  return text;
}

int run(cli::CommandContext& context, const cli::Arguments& arguments) {
  ops::RestoreOptions options;
  options.source = arguments.value("from");
  options.config_dir = context.config_dir();
  options.force = arguments.flag("force");
  options.show_progress = !context.json();
  ops::RestoreSummary summary = ops::restore_backup(options, context.env());
  if (!context.json()) {
    context.print(text_report(summary));
    return cli::ExitCode::kSuccess;
  }
  const ops::BackupManifest& manifest = summary.manifest;
  context.print(Json{{"from", options.source.string()},
                     {"created_at", manifest.created_at},
                     {"da_version", manifest.da_version},
                     {"schema_version", manifest.schema_version},
                     {"config_dir", summary.instance.config_dir.string()},
                     {"data_dir", summary.instance.data_dir.string()},
                     {"docs_dir", summary.instance.docs_dir.string()},
                     {"state_db", summary.instance.state_db.string()},
                     {"with_data", manifest.with_data},
                     {"includes_secrets", manifest.includes_secrets},
                     {"replaced", summary.replaced},
                     {"migrations_applied", summary.migrations_applied},
                     {"bytes", manifest.total_bytes()},
                     {"seconds", summary.seconds}}
                    .dump(2) +
                "\n");
  return cli::ExitCode::kSuccess;
}

}  // namespace

cli::CommandSpec restore_command() {
  cli::OptionSpec from = cli::value_option("--from", "The backup folder (made by da backup)");
  from.required = true;
  return {"restore",
          "Restore a backup into this instance (after verifying every checksum); migrates a "
          "state store older than this da",
          {from, cli::flag("--force",
                           "Replace an instance that holds other data (stop its "
                           "services first)")},
          run};
}

}  // namespace da::commands::operations
