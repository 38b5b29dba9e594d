// A `da` subcommand, declared without any command-line library: its path, options and the
// function that runs it. src/app turns these declarations into the real parser.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace da::cli {

class CommandContext;

struct OptionSpec {
  enum class Kind { kFlag, kValue, kValueList, kPositional, kPositionalList };
  Kind kind = Kind::kFlag;
  std::string name;  // "--size" (optionally "-s,--size") or, for positionals, "TABLE"
  std::string help;
  std::string default_value;         // kValue
  std::vector<std::string> choices;  // kValue: allowed values, if limited
  bool required = false;
};

OptionSpec flag(std::string name, std::string help);
OptionSpec value_option(std::string name, std::string help, std::string default_value = {},
                        std::vector<std::string> choices = {});
// An option that may be given several times (--set a=1 --set b=2).
OptionSpec value_list_option(std::string name, std::string help);
OptionSpec positional(std::string name, std::string help, bool required = false);
OptionSpec positional_list(std::string name, std::string help);

// The values given for one command, keyed by the option's long name without dashes
// ("--dry-run" -> "dry-run") or the positional's name in lower case ("TABLE" -> "table").
class Arguments {
 public:
  bool flag(std::string_view key) const;
  // The value given, or the option's default.
  std::string value(std::string_view key) const;
  bool has(std::string_view key) const;
  std::vector<std::string> values(std::string_view key) const;
  // value() as an integer; throws Error(kConfig) naming the option if it is not one.
  int64_t integer(std::string_view key) const;

  void set_flag(std::string key, bool value) { flags_[std::move(key)] = value; }
  void set_values(std::string key, std::vector<std::string> values) {
    values_[std::move(key)] = std::move(values);
  }

 private:
  std::map<std::string, bool, std::less<>> flags_;
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

// Exit codes: 0 success, 1 failure, 2 usage or configuration error.
struct ExitCode {
  static constexpr int kSuccess = 0;
  static constexpr int kFailure = 1;
  static constexpr int kUsage = 2;
};

struct CommandSpec {
  std::string path;     // words after `da`: "sync", "config check"
  std::string summary;  // one line for --help
  std::vector<OptionSpec> options;
  // Returns the exit code; throws da::Error for failures reported as one line.
  std::function<int(CommandContext&, const Arguments&)> run;
};

// The key an option's values are stored under in Arguments.
std::string option_key(const OptionSpec& option);

class CommandRegistry {
 public:
  // Throws Error(kInternal) if the path is already taken.
  void add(CommandSpec command);
  // A summary for an intermediate word, such as "config" for "config check".
  void describe_group(std::string path, std::string summary);

  // An older name of a group or command that still runs it ("docs" for the group "catalog"),
  // so that scripts written against the old name keep working. --help does not list it.
  void add_alias(std::string old_name, std::string path);

  const std::vector<CommandSpec>& commands() const { return commands_; }
  std::string group_summary(const std::string& path) const;
  // path -> the older names of its last word.
  const std::map<std::string, std::vector<std::string>>& aliases() const { return aliases_; }

 private:
  std::vector<CommandSpec> commands_;
  std::map<std::string, std::string> group_summaries_;
  std::map<std::string, std::vector<std::string>> aliases_;
};

}  // namespace da::cli
