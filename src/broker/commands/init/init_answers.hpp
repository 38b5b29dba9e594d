// What `da init` needs to know, from flags, the environment or questions on a terminal. The
// connector's own questions come from its setup (da/sync/source_setup.hpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "da/cli/command.hpp"
#include "da/config/interpolation.hpp"
#include "da/sync/data_source_registry.hpp"

namespace da::commands::init {

struct InitAnswers {
  std::string domain;  // lower case
  std::string source;  // a connector type with a setup
  std::string name;
  sync::SetupAnswers settings;  // the connector's answers, by question key
  // Table selection: patterns (globs on table ids, or bucket ids) and/or every table.
  std::vector<std::string> table_patterns;
  bool all_tables = false;
  bool tables_chosen() const { return all_tables || !table_patterns.empty(); }
};

// Asks a person for values. Questions go to the terminal, never to standard output.
class Prompter {
 public:
  virtual ~Prompter() = default;
  // The answer, or `default_value` for an empty answer. Throws Error(kConfig) at end of input.
  virtual std::string ask(const std::string& question, const std::string& default_value) = 0;
  // Like ask(), without echoing what is typed.
  virtual std::string ask_secret(const std::string& question) = 0;
  // A line of information for the person (a list to choose from, a validation problem).
  virtual void tell(const std::string& text) = 0;
};

// Every value from its flag, the environment (a question's env_variable) or, with a prompter,
// a question; without a prompter a missing required value is Error(kConfig) naming its flag.
// Invalid flag values are Error(kConfig) naming the flag; invalid answers are asked again.
// Table patterns are only taken from flags here.
InitAnswers gather_answers(const cli::Arguments& arguments, const config::EnvLookup& env,
                           const sync::DataSourceRegistry& sources, Prompter* prompter);

// The options of `da init` that come from the connectors: a value option per setup question.
// Throws Error(kInternal) if two questions share a flag, a secret names no env_variable or a
// setup lacks yaml_lines or fix_hint.
std::vector<cli::OptionSpec> setup_options(const sync::DataSourceRegistry& sources);

// The connectors `da init` can set up, for people: "a, b or c".
std::string source_choices(const sync::DataSourceRegistry& sources);

// The setup of the connector `type`. Throws Error(kInternal) if it has none (gather_answers()
// accepts only types that have one).
const sync::SourceSetup& chosen_setup(const sync::DataSourceRegistry& sources,
                                      const std::string& type);

// The .env variables the connector's secret answers are written to, with their values.
std::map<std::string, std::string> setup_secrets(const InitAnswers& answers,
                                                 const sync::SourceSetup& setup);

// "Acme Data Analyst" for acme.com.
std::string default_instance_name(const std::string& domain);

// Splits repeated and comma-separated --tables values into patterns.
std::vector<std::string> split_patterns(const std::vector<std::string>& values);

}  // namespace da::commands::init
