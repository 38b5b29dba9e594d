// da init: first-time setup. Writes config/instance.yaml and .env, checks the connection to the
// source and registers the chosen tables, which generates docs/data_description.md.
#include <cerrno>
#include <cstdlib>

#include "init/init_answers.hpp"
#include "init/instance_files.hpp"
#include "init/table_selection.hpp"
#include "init/terminal_prompter.hpp"
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "da/cli/command_context.hpp"
#include "da/common/atomic_file.hpp"
#include "da/common/crypto.hpp"
#include "da/common/dotenv.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/config/instance_config_loader.hpp"
#include "da/module/module_registry.hpp"
#include "da/registry/table_registry.hpp"
#include "da/store/state_store.hpp"
#include "da/sync/data_source_registry.hpp"

namespace da::commands::init {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr const char* kSecretKeyVariable = "WEBAPP_SECRET_KEY";

struct InstancePaths {
  fs::path config_dir;  // absolute
  fs::path root;        // the folder above it
  fs::path instance_yaml;
  fs::path env_file;
};

struct Outcome {
  std::vector<std::string> env_keys;  // variables written to .env
  std::string connection;             // check_connection()'s line, if checked
  std::vector<std::string> registered;
  std::vector<std::string> already_registered;
  std::optional<fs::path> data_description;
  int64_t registry_version = 0;
};

InstancePaths instance_paths(const cli::CommandContext& context) {
  fs::path dir = fs::absolute(context.config_dir()).lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();
  return {dir, dir.parent_path(), dir / "instance.yaml", dir.parent_path() / ".env"};
}

// Creates `dir` and missing parents with `mode` (not filtered by the umask).
void create_directory(const fs::path& dir, mode_t mode) {
  if (fs::is_directory(dir)) return;
  if (dir.has_parent_path() && dir.parent_path() != dir) create_directory(dir.parent_path(), mode);
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST)
    throw_system_error("cannot create the folder", dir.string(), errno);
  if (::chmod(dir.c_str(), mode) != 0)
    throw_system_error("cannot set the mode of", dir.string(), errno);
}

std::string read_if_exists(const fs::path& file) {
  return fs::exists(file) ? read_file(file) : std::string();
}

std::string actor() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr ? user : "unknown");
}

// The .env variables to write: the connector's secrets, and a portal secret unless a .env
// already has one.
std::map<std::string, std::string> secrets_to_write(const InitAnswers& answers,
                                                    const sync::SourceSetup& setup,
                                                    const InstancePaths& paths,
                                                    const std::string& existing_env) {
  std::map<std::string, std::string> values = setup_secrets(answers, setup);
  auto root_env = parse_dotenv(existing_env, paths.env_file.string());
  auto config_env = read_dotenv_file(paths.config_dir / ".env");
  if (!root_env.count(kSecretKeyVariable) && !config_env.count(kSecretKeyVariable))
    values[kSecretKeyVariable] = random_token(32);
  return values;
}

// A config/.env or a variable in the environment takes precedence over the instance's .env.
void warn_about_shadowing(const std::map<std::string, std::string>& written,
                          const InstancePaths& paths, const config::EnvLookup& env) {
  auto config_env = read_dotenv_file(paths.config_dir / ".env");
  for (const auto& [key, value] : written) {
    if (auto found = config_env.find(key); found != config_env.end() && found->second != value) {
      log::warn("{} sets {} too and takes precedence over {}: remove it there",
                (paths.config_dir / ".env").string(), key, paths.env_file.string());
    }
    if (auto from_env = env(key); from_env && *from_env != value) {
      log::warn(
          "the environment variable {} differs from what was written to {} and takes "
          "precedence over it: unset it",
          key, paths.env_file.string());
    }
  }
}

void write_files(cli::CommandContext& context, const InitAnswers& answers,
                 const sync::SourceSetup& setup, const InstancePaths& paths, Outcome& outcome) {
  std::string yaml =
      render_instance_yaml(answers, context.modules().data_sources, instance_example());
  std::string existing_env = read_if_exists(paths.env_file);
  std::map<std::string, std::string> secrets =
      secrets_to_write(answers, setup, paths, existing_env);
  std::string env_text =
      merge_dotenv(existing_env, paths.env_file.string(), secrets, setup.env_prefix);
  create_directory(paths.config_dir, 0750);
  write_file_atomically(paths.instance_yaml, yaml, 0644);
  write_file_atomically(paths.env_file, env_text, 0600);
  for (const auto& [key, value] : secrets)
    outcome.env_keys.push_back(key);
  if (!context.json()) {
    context.print("Wrote " + paths.instance_yaml.string() + "\n");
    context.print("Wrote " + paths.env_file.string() + " (mode 0600" +
                  (outcome.env_keys.empty() ? "" : ": " + join(outcome.env_keys, ", ")) + ")\n");
  }
  warn_about_shadowing(secrets, paths, context.env());
}

// Loaded like every other command loads it, except that the connector's secrets just given win
// over stale ones in the environment, so that the check tests what was written.
config::InstanceConfig load_written(cli::CommandContext& context, const InitAnswers& answers,
                                    const sync::SourceSetup& setup, const InstancePaths& paths) {
  config::EnvLookup base = context.env();
  std::map<std::string, std::string> secrets = setup_secrets(answers, setup);
  config::EnvLookup env = [base, secrets](const std::string& name) -> std::optional<std::string> {
    if (auto found = secrets.find(name); found != secrets.end() && !found->second.empty())
      return found->second;
    return base(name);
  };
  config::ConfigLoadResult loaded =
      config::load_instance_config(paths.config_dir, env, &context.modules().config_sections);
  loaded.diagnostics.throw_if_errors("the written configuration is invalid " +
                                     paths.instance_yaml.string());
  return std::move(loaded.config);
}

std::string check_connection(sync::DataSource& source, const sync::SourceSetup& setup,
                             const InstancePaths& paths) {
  try {
    return source.check_connection();
  } catch (const Error& e) {
    std::string message = e.what();
    std::string fix = setup.fix_hint({paths.instance_yaml.string(), paths.env_file.string()});
    throw Error(e.kind(), "connection check failed: " + message.substr(0, message.find('\n')) +
                              ". The configuration is written: " + fix +
                              ", then run `da tables discover` to check again");
  }
}

// On a terminal, without --tables or --all-tables: which tables to register.
std::vector<sync::DiscoveredTable> ask_tables(Prompter& prompter,
                                              const std::vector<sync::DiscoveredTable>& tables) {
  prompter.tell(fmt::format("The source has {} table(s):", tables.size()));
  for (const auto& [bucket, count] : buckets(tables))
    prompter.tell(
        fmt::format("  {:<40} {} table(s)", bucket.empty() ? "(no bucket)" : bucket, count));
  for (;;) {
    std::vector<std::string> patterns = split_patterns({prompter.ask(
        "Tables to register (bucket ids or patterns such as in.c-crm.*, comma-separated; * for "
        "all; empty for none)",
        "")});
    try {
      return select_tables(tables, patterns, false);
    } catch (const Error& e) {
      prompter.tell(std::string("  ") + e.what());
    }
  }
}

// A hand-written catalog is only replaced by the registry's once its tables were imported.
void refuse_hand_written_catalog(const registry::RegistrySnapshot& snapshot, const fs::path& file) {
  if (snapshot.version > 0 || !fs::exists(file)) return;
  if (read_file(file).find("AUTO-GENERATED from the table registry") != std::string::npos) return;
  throw Error(ErrorKind::kConflict,
              file.string() +
                  " was written by hand: bring its tables under the registry with "
                  "`da tables import " +
                  file.string() + "` (or move it away), then run `da init --force` again");
}

void register_tables(const config::InstanceConfig& config,
                     const std::vector<sync::DiscoveredTable>& chosen, Outcome& outcome) {
  if (chosen.empty()) return;
  store::StateStore store(config.paths.state_db);
  registry::TableRegistry registry(store.database());
  registry::RegistrySnapshot before = registry.snapshot();
  fs::path file = config.paths.docs_dir / "data_description.md";
  refuse_hand_written_catalog(before, file);
  auto regenerate = [&] {
    registry::RegistrySnapshot after = registry.snapshot();
    registry::write_data_description(after, config.paths.docs_dir);
    outcome.data_description = file;
    outcome.registry_version = after.version;
  };
  try {
    for (const sync::DiscoveredTable& table : chosen) {
      if (before.find(table.id) != nullptr) {
        outcome.already_registered.push_back(table.id);
        continue;
      }
      registry.register_table(table_definition(table), "da init", actor());
      outcome.registered.push_back(table.id);
    }
  } catch (const Error&) {
    if (!outcome.registered.empty()) regenerate();
    throw;
  }
  regenerate();
}

std::string id_list(const std::vector<std::string>& ids) {
  constexpr size_t kShown = 20;
  std::string text;
  for (size_t i = 0; i < ids.size() && i < kShown; ++i)
    text += "  " + ids[i] + "\n";
  if (ids.size() > kShown) text += fmt::format("  ... and {} more\n", ids.size() - kShown);
  return text;
}

void print_summary(cli::CommandContext& context, const InstancePaths& paths,
                   const Outcome& outcome) {
  if (context.json()) {
    Json report = {{"ok", true},
                   {"instance_yaml", paths.instance_yaml.string()},
                   {"env_file", paths.env_file.string()},
                   {"env_keys", outcome.env_keys},
                   {"connection", outcome.connection.empty() ? Json() : Json(outcome.connection)},
                   {"registered", outcome.registered},
                   {"already_registered", outcome.already_registered},
                   {"data_description",
                    outcome.data_description ? Json(outcome.data_description->string()) : Json()}};
    context.print(report.dump(2) + "\n");
    return;
  }
  std::string text;
  if (!outcome.registered.empty())
    text += fmt::format("Registered {} table(s):\n{}", outcome.registered.size(),
                        id_list(outcome.registered));
  if (!outcome.already_registered.empty())
    text += fmt::format("Already registered, left as they were:\n{}",
                        id_list(outcome.already_registered));
  if (outcome.data_description) {
    text += fmt::format("Generated {} (registry version {})\n", outcome.data_description->string(),
                        outcome.registry_version);
  } else {
    text +=
        "No tables registered: list them with `da tables discover`, then run `da init --force "
        "--tables PATTERN` or `da tables register`\n";
  }
  text += "\nNext steps:\n";
  text += "  da config check   check the whole configuration\n";
  text += "  da sync           fetch the registered tables into Parquet\n";
  text += "  da serve          start the web portal\n";
  context.print(text);
}

int run(cli::CommandContext& context, const cli::Arguments& arguments) {
  InstancePaths paths = instance_paths(context);
  if (fs::exists(paths.instance_yaml) && !arguments.flag("force")) {
    throw Error(ErrorKind::kConfig, paths.instance_yaml.string() +
                                        " already exists: run `da init --force` to overwrite it "
                                        "(.env keeps its other variables)");
  }
  bool interactive = !arguments.flag("non-interactive") && TerminalPrompter::available();
  TerminalPrompter terminal;
  InitAnswers answers = gather_answers(arguments, context.env(), context.modules().data_sources,
                                       interactive ? &terminal : nullptr);
  const sync::SourceSetup& setup = chosen_setup(context.modules().data_sources, answers.source);
  for (const sync::SetupQuestion& question : setup.questions) {
    if (!question.secret) continue;
    log::add_secret(answers.settings.at(question.key));
    if (arguments.has(question.key)) {
      log::warn(
          "--{} is visible to other users in the process list; prefer the environment variable {}",
          question.key, question.env_variable);
    }
  }

  Outcome outcome;
  write_files(context, answers, setup, paths, outcome);
  config::InstanceConfig config = load_written(context, answers, setup, paths);
  std::unique_ptr<sync::DataSource> source = context.modules().data_sources.create(config);
  bool check = !arguments.flag("no-check");
  if (check) {
    outcome.connection = check_connection(*source, setup, paths);
    if (!context.json()) context.print("Connected: " + outcome.connection + "\n");
  }
  std::vector<sync::DiscoveredTable> chosen;
  if (answers.tables_chosen()) {
    chosen = select_tables(source->discover_tables(), answers.table_patterns, answers.all_tables);
  } else if (interactive && check) {
    chosen = ask_tables(terminal, source->discover_tables());
  }
  register_tables(config, chosen, outcome);
  print_summary(context, paths, outcome);
  return cli::ExitCode::kSuccess;
}

}  // namespace

// The connectors' flags come from their setups: connectors register before commands (the build
// adds connectors/ first), which InitSetup.EveryConnectorOfTheBuildHasItsFlagsOnTheCommand pins.
void register_module(ModuleRegistry& registry) {
  std::vector<cli::OptionSpec> options = {
      cli::value_option("--domain", "Company domain: who may sign in (e.g. acme.com)"),
      cli::value_option("--source", "Data source type: " + source_choices(registry.data_sources)),
      cli::value_option("--name", "Instance name (default: '<Company> Data Analyst')")};
  for (cli::OptionSpec& option : setup_options(registry.data_sources))
    options.push_back(std::move(option));
  options.insert(
      options.end(),
      {cli::value_list_option("--tables",
                              "Tables to register: glob patterns on table ids (in.c-crm.*) or "
                              "bucket ids, repeatable or comma-separated"),
       cli::flag("--all-tables", "Register every table of the source"),
       cli::flag("--force", "Overwrite an existing config/instance.yaml"),
       cli::flag("--no-check", "Do not contact the source to check the connection"),
       cli::flag("--non-interactive", "Never ask: a missing required value is an error")});
  registry.commands.add({
      "init",
      "First-time setup: write config/instance.yaml and .env, check the source, register tables",
      std::move(options),
      run,
  });
}

}  // namespace da::commands::init
