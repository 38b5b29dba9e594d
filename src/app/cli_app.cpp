// The only translation unit that includes CLI11.
#include "cli_app.hpp"

#include <deque>
#include <map>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "da/cli/command_context.hpp"
#include "da/common/error.hpp"
#include "da/common/log.hpp"
#include "da/common/strings.hpp"
#include "da/duck/database.hpp"

namespace da::app {

namespace {

// Parsed values of one command's options, bound to CLI11 before parsing.
struct Bound {
  const cli::CommandSpec* command = nullptr;
  CLI::App* app = nullptr;
  std::deque<bool> flags;
  std::deque<std::string> values;
  std::deque<std::vector<std::string>> lists;
  std::vector<std::pair<const cli::OptionSpec*, size_t>> slots;  // option -> index in its deque
};

// Lists each subcommand by its name only: an alias is an old name kept for scripts, not offered.
class HelpWithoutAliases : public CLI::Formatter {
 public:
  std::string make_subcommand(const CLI::App* sub) const override {
    std::stringstream out;
    CLI::detail::format_help(out, sub->get_name(), sub->get_description(), get_column_width());
    return out.str();
  }
};

CLI::App* find_or_add_group(CLI::App& root, std::map<std::string, CLI::App*>& groups,
                            const std::string& path, const cli::CommandRegistry& registry) {
  if (path.empty()) return &root;
  if (auto found = groups.find(path); found != groups.end()) return found->second;
  size_t space = path.rfind(' ');
  CLI::App* parent = find_or_add_group(
      root, groups, space == std::string::npos ? "" : path.substr(0, space), registry);
  std::string word = space == std::string::npos ? path : path.substr(space + 1);
  CLI::App* group = parent->add_subcommand(word, registry.group_summary(path));
  group->require_subcommand(1);
  groups[path] = group;
  return group;
}

void bind_option(Bound& bound, const cli::OptionSpec& option) {
  using Kind = cli::OptionSpec::Kind;
  switch (option.kind) {
    case Kind::kFlag:
      bound.flags.push_back(false);
      bound.slots.emplace_back(&option, bound.flags.size() - 1);
      bound.app->add_flag(option.name, bound.flags.back(), option.help);
      return;
    case Kind::kValue: {
      bound.values.push_back(option.default_value);
      bound.slots.emplace_back(&option, bound.values.size() - 1);
      CLI::Option* added = bound.app->add_option(option.name, bound.values.back(), option.help);
      if (!option.default_value.empty()) added->capture_default_str();
      if (!option.choices.empty()) added->check(CLI::IsMember(option.choices));
      if (option.required) added->required();
      return;
    }
    case Kind::kPositional: {
      bound.values.emplace_back();
      bound.slots.emplace_back(&option, bound.values.size() - 1);
      CLI::Option* added = bound.app->add_option(option.name, bound.values.back(), option.help);
      if (option.required) added->required();
      return;
    }
    case Kind::kValueList:
      bound.lists.emplace_back();
      bound.slots.emplace_back(&option, bound.lists.size() - 1);
      bound.app->add_option(option.name, bound.lists.back(), option.help)
          ->expected(1)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
      return;
    case Kind::kPositionalList:
      bound.lists.emplace_back();
      bound.slots.emplace_back(&option, bound.lists.size() - 1);
      bound.app->add_option(option.name, bound.lists.back(), option.help);
      return;
  }
}

cli::Arguments collect(const Bound& bound) {
  cli::Arguments arguments;
  for (const auto& [option, index] : bound.slots) {
    std::string key = cli::option_key(*option);
    switch (option->kind) {
      case cli::OptionSpec::Kind::kFlag:
        arguments.set_flag(key, bound.flags[index]);
        break;
      case cli::OptionSpec::Kind::kValue:
      case cli::OptionSpec::Kind::kPositional:
        if (!bound.values[index].empty()) arguments.set_values(key, {bound.values[index]});
        break;
      case cli::OptionSpec::Kind::kValueList:
      case cli::OptionSpec::Kind::kPositionalList:
        arguments.set_values(key, bound.lists[index]);
        break;
    }
  }
  return arguments;
}

std::string version_text() {
  return fmt::format("da {} (DuckDB {})", DA_VERSION, duck::Database::library_version());
}

int exit_code_for(const Error& error) {
  return error.kind() == ErrorKind::kConfig ? cli::ExitCode::kUsage : cli::ExitCode::kFailure;
}

void print_error(const std::string& message) {
  fmt::print(stderr, "da: error: {}\n", log::redact(message));
}

}  // namespace

int run_cli(int argc, char** argv, ModuleRegistry& modules) {
  CLI::App app("da: the AI Data Analyst broker and analyst tool", "da");
  app.fallthrough();
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text());
  app.formatter(std::make_shared<HelpWithoutAliases>());

  cli::GlobalOptions globals;
  std::string config_dir;
  std::string log_level;
  bool verbose = false;
  bool quiet = false;
  app.add_option(
      "--config", config_dir,
      "Folder holding instance.yaml (default: $DA_CONFIG_DIR, $CONFIG_DIR, then ./config)");
  app.add_flag("--json", globals.json, "Print results as JSON");
  app.add_option("--log-level", log_level,
                 "debug, info, warn, error or off (default: logging.level)");
  app.add_flag("-v,--verbose", verbose, "Same as --log-level debug");
  app.add_flag("-q,--quiet", quiet, "Same as --log-level warn");

  const cli::CommandRegistry& registry = modules.commands;
  std::map<std::string, CLI::App*> groups;
  std::deque<Bound> bound_commands;
  for (const cli::CommandSpec& command : registry.commands()) {
    size_t space = command.path.rfind(' ');
    CLI::App* parent = find_or_add_group(
        app, groups, space == std::string::npos ? "" : command.path.substr(0, space), registry);
    Bound& bound = bound_commands.emplace_back();
    bound.command = &command;
    bound.app = parent->add_subcommand(
        space == std::string::npos ? command.path : command.path.substr(space + 1),
        command.summary);
    for (const cli::OptionSpec& option : command.options)
      bind_option(bound, option);
  }
  for (const auto& [path, old_names] : registry.aliases()) {
    CLI::App* target = groups.count(path) ? groups.at(path) : nullptr;
    for (const Bound& bound : bound_commands)
      if (bound.command->path == path) target = bound.app;
    if (target == nullptr)
      throw Error(ErrorKind::kInternal, "an alias names 'da " + path + "', which no module registers");
    for (const std::string& old_name : old_names)
      target->alias(old_name);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::vector<std::string> unknown = app.remaining();
    for (const CLI::App* sub : app.get_subcommands()) {
      for (const std::string& word : sub->remaining())
        unknown.push_back(word);
    }
    std::string message = unknown.empty()
                              ? std::string(e.what())
                              : "unknown command or argument '" + join(unknown, " ") + "'";
    print_error(message + " (see 'da --help')");
    return cli::ExitCode::kUsage;
  }

  try {
    if (!config_dir.empty()) globals.config_dir = config_dir;
    if (!log_level.empty())
      globals.log_level = log_level;
    else if (verbose)
      globals.log_level = "debug";
    else if (quiet)
      globals.log_level = "warn";
    if (globals.log_level) log::set_level(log::parse_level(*globals.log_level));

    for (Bound& bound : bound_commands) {
      if (!bound.app->parsed()) continue;
      cli::CommandContext context(globals, modules);
      return bound.command->run(context, collect(bound));
    }
    print_error("no command given (see 'da --help')");
    return cli::ExitCode::kUsage;
  } catch (const Error& e) {
    // Configuration errors list every problem, one per line; anything else is one line.
    std::string message = e.what();
    if (e.kind() != ErrorKind::kConfig) message = message.substr(0, message.find('\n'));
    print_error(message);
    return exit_code_for(e);
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what());
    return cli::ExitCode::kFailure;
  }
}

}  // namespace da::app
