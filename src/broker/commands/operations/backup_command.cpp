// da backup --to DIR [--with-data] [--include-secrets]
#include "byte_size_text.hpp"
#include "operations_commands.hpp"
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "da/cli/command_context.hpp"
#include "da/ops/backup.hpp"

namespace da::commands::operations {

namespace {

using Json = nlohmann::ordered_json;

size_t file_count(const ops::BackupManifest& manifest) {
  size_t files = 0;
  for (const ops::BackupItem& item : manifest.items)
    files += !item.folder;
  return files;
}

int run(cli::CommandContext& context, const cli::Arguments& arguments) {
  ops::BackupOptions options;
  options.target = arguments.value("to");
  options.with_data = arguments.flag("with-data");
  options.include_secrets = arguments.flag("include-secrets");
  options.show_progress = !context.json();
  options.da_version = DA_VERSION;
  ops::BackupSummary summary =
      ops::create_backup(ops::InstanceLocations::of(context.config()), options);
  const ops::BackupManifest& manifest = summary.manifest;
  if (context.json()) {
    context.print(Json{{"folder", summary.folder.string()},
                       {"files", file_count(manifest)},
                       {"bytes", manifest.total_bytes()},
                       {"seconds", summary.seconds},
                       {"schema_version", manifest.schema_version},
                       {"with_data", manifest.with_data},
                       {"includes_secrets", manifest.includes_secrets}}
                      .dump(2) +
                  "\n");
    return cli::ExitCode::kSuccess;
  }
  context.print(fmt::format(
      "backup written to {}: {} files, {} in {:.1f}s (state store schema version {}; Parquet "
      "{}; .env {})\n",
      summary.folder.string(), file_count(manifest), byte_size_text(manifest.total_bytes()),
      summary.seconds, manifest.schema_version,
      manifest.with_data ? "included" : "not included (--with-data)",
      manifest.includes_secrets ? "included" : "not included (--include-secrets)"));
  return cli::ExitCode::kSuccess;
}

}  // namespace

cli::CommandSpec backup_command() {
  cli::OptionSpec to = cli::value_option("--to", "A new (or empty) folder for the backup");
  to.required = true;
  return {"backup",
          "Back up the state store, metadata, catalog and instance.yaml into a new folder, "
          "consistently while the services run",
          {to,
           cli::flag("--with-data",
                     "Include the published Parquet (otherwise `da sync` "
                     "re-creates it after a restore)"),
           cli::flag("--include-secrets", "Include the .env file (mode 0600 in the backup)")},
          run};
}

}  // namespace da::commands::operations
