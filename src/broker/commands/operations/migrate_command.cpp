// da migrate [--check]: apply the state store's pending migrations, or list them.
#include <filesystem>

#include "operations_commands.hpp"
#include <nlohmann/json.hpp>

#include "da/cli/command_context.hpp"
#include "da/store/migrations.hpp"
#include "da/store/state_store.hpp"

namespace da::commands::operations {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

Json to_json(const std::vector<store::Migration>& migrations) {
  Json list = Json::array();
  for (const store::Migration& migration : migrations)
    list.push_back(
        {{"namespace", migration.space}, {"version", migration.version}, {"name", migration.name}});
  return list;
}

std::string to_text(const std::vector<store::Migration>& migrations) {
  std::string text;
  for (const store::Migration& migration : migrations)
    text += "  " + migration.space + " " + std::to_string(migration.version) + "  " +
            migration.name + "\n";
  return text;
}

void report(cli::CommandContext& context, const fs::path& state_db, int version, const char* key,
            const std::vector<store::Migration>& migrations, const std::string& heading) {
  if (context.json()) {
    context.print(Json{{"state_db", state_db.string()},
                       {"schema_version", version},
                       {"known_version", store::known_schema_version()},
                       {key, to_json(migrations)}}
                      .dump(2) +
                  "\n");
    return;
  }
  context.print(heading + "\n" + to_text(migrations));
}

// Lists what `da migrate` would apply; writes nothing, not even a new database file.
int check(cli::CommandContext& context, const fs::path& state_db) {
  std::vector<store::Migration> pending = store::state_migrations();
  int version = 0;
  if (fs::exists(state_db)) {
    store::SqliteDatabase database(state_db, {.read_only = true});
    version = store::schema_version(database);
    pending = store::pending_migrations(database, store::state_migrations());
  }
  std::string heading = pending.empty()
                            ? "state store " + state_db.string() +
                                  " is up to date (schema version " + std::to_string(version) + ")"
                            : std::to_string(pending.size()) + " migration(s) pending for " +
                                  state_db.string() + " (schema version " +
                                  std::to_string(version) + "):";
  report(context, state_db, version, "pending", pending, heading);
  return pending.empty() ? cli::ExitCode::kSuccess : cli::ExitCode::kFailure;
}

int run(cli::CommandContext& context, const cli::Arguments& arguments) {
  fs::path state_db = context.config().paths.state_db;
  if (arguments.flag("check")) return check(context, state_db);
  store::StateStore store(state_db);
  const std::vector<store::Migration>& applied = store.applied_migrations();
  int version = store::schema_version(store.database());
  std::string heading = applied.empty()
                            ? "state store " + state_db.string() +
                                  " is up to date (schema version " + std::to_string(version) + ")"
                            : "applied " + std::to_string(applied.size()) + " migration(s) to " +
                                  state_db.string() + " (now schema version " +
                                  std::to_string(version) + "):";
  report(context, state_db, version, "applied", applied, heading);
  return cli::ExitCode::kSuccess;
}

}  // namespace

cli::CommandSpec migrate_command() {
  return {"migrate",
          "Apply the state store's pending migrations (every command that opens the store "
          "does too); --check lists them and exits 1 if there are any",
          {cli::flag("--check", "List the pending migrations without applying them")},
          run};
}

}  // namespace da::commands::operations
