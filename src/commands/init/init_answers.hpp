// What `da init` needs to know, from flags, the environment or questions on a terminal.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "da/cli/command.hpp"
#include "da/config/interpolation.hpp"

namespace da::commands::init {

inline constexpr const char* kDefaultKeboolaUrl = "https://connection.keboola.com";
inline constexpr const char* kDefaultCsvDir = "./data/incoming";
inline constexpr const char* kTokenVariable = "KEBOOLA_STORAGE_TOKEN";

struct InitAnswers {
  std::string domain;  // lower case
  std::string source;  // keboola | csv
  std::string name;
  // keboola
  std::string keboola_url;  // without a trailing '/'
  std::string keboola_token;
  std::string keboola_project;
  bool token_from_environment = false;
  // csv
  std::string csv_dir;
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

// Every value from its flag, the environment (the token) or, with a prompter, a question;
// without a prompter a missing required value is Error(kConfig) naming its flag. Invalid flag
// values are Error(kConfig) naming the flag; invalid answers are asked again. Table patterns
// are only taken from flags here (see ask_table_patterns()).
InitAnswers gather_answers(const cli::Arguments& arguments, const config::EnvLookup& env,
                           Prompter* prompter);

// "Acme Data Analyst" for acme.com.
std::string default_instance_name(const std::string& domain);

// Splits repeated and comma-separated --tables values into patterns.
std::vector<std::string> split_patterns(const std::vector<std::string>& values);

}  // namespace da::commands::init
