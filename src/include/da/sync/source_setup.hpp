// What `da init` asks and writes for one connector. The connector declares it next to its
// factory (DataSourceRegistry::add), so that init names no connector.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace da::sync {

// One setting `da init` asks for: the flag --<key>, else the environment variable (if any),
// else a question on a terminal.
struct SetupQuestion {
  std::string key;            // "csv-dir": the flag --csv-dir and the answer's key
  std::string help;           // the flag's --help text
  std::string question;       // asked on a terminal
  std::string default_value;  // offered on a terminal; used without one when not required
  bool required = true;
  // Asked without echo and kept out of logs; written to .env as `env_variable`, which a
  // secret must name, and only referenced from instance.yaml.
  bool secret = false;
  std::string env_variable;  // read when the flag is not given (a blank value counts as unset)
  // Normalises the value in place; returns what is wrong with it. Never repeats a secret.
  std::function<std::optional<std::string>(std::string&)> check;
};

// The answers, by question key.
using SetupAnswers = std::map<std::string, std::string>;

// A line of instance.yaml, with a comment `da init` aligns in the example's comment column.
struct SetupYamlLine {
  std::string text;
  std::string comment;  // without "# "; "" for none
};

// Where `da init` wrote the configuration, for the fix hint.
struct SetupFiles {
  std::string instance_yaml;
  std::string env_file;
};

struct SourceSetup {
  // Asked in this order, after the source type and the instance name.
  std::vector<SetupQuestion> questions;
  // The lines of the data_source section after its `type:` line: the connector's own
  // "  <type>:" block, from the answers (quote values with config::yaml_quote()).
  std::function<std::vector<SetupYamlLine>(const SetupAnswers&)> yaml_lines;
  // Variables of the instance's .env that belong to the connector ("KEBOOLA_"): init removes
  // those it does not write. "" for none.
  std::string env_prefix;
  // What to fix when the connection check fails ("fix the token in <env_file> ...").
  std::function<std::string(const SetupFiles&)> fix_hint;
  // Offered as the answer to "Data source type" on a terminal; the first such connector wins.
  bool default_choice = false;
};

}  // namespace da::sync
