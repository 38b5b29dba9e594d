#include "init/init_answers.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <regex>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::commands::init {

namespace {

// Normalises a value in place; returns what is wrong with it, if anything. Problems never
// repeat a secret value.
using Check = std::function<std::optional<std::string>(std::string&)>;

struct Field {
  std::string flag;  // "--domain"
  std::string question;
  std::string default_value;  // offered on a terminal; used without one when not required
  bool required = true;
  bool secret = false;
  std::string also;  // other places the value may come from, for the "missing" error
  Check check;
};

bool has_control_characters(const std::string& text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return std::iscntrl(static_cast<unsigned char>(c)) != 0; });
}

std::string missing_message(const Field& field) {
  return field.flag + (field.also.empty() ? "" : " (" + field.also + ")") +
         " is required: da init asks for missing values only when run on a terminal without "
         "--non-interactive";
}

std::string resolve(const Field& field, std::optional<std::string> given, Prompter* prompter) {
  if (given) {
    std::string value = *given;
    if (auto problem = field.check(value))
      throw Error(ErrorKind::kConfig, field.flag + ": " + *problem);
    return value;
  }
  if (prompter == nullptr) {
    if (field.required) throw Error(ErrorKind::kConfig, missing_message(field));
    std::string value = field.default_value;
    if (auto problem = field.check(value))
      throw Error(ErrorKind::kConfig, field.flag + ": " + *problem);
    return value;
  }
  for (;;) {
    std::string value = field.secret ? prompter->ask_secret(field.question)
                                     : prompter->ask(field.question, field.default_value);
    auto problem = field.check(value);
    if (!problem) return value;
    prompter->tell("  " + *problem);
  }
}

std::optional<std::string> given(const cli::Arguments& arguments, const char* key) {
  if (!arguments.has(key)) return std::nullopt;
  return arguments.value(key);
}

std::optional<std::string> check_domain(std::string& value) {
  static const std::regex pattern(
      "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$");
  value = to_lower(trim(value));
  if (value.empty()) return "the company domain must not be empty (e.g. acme.com)";
  if (!std::regex_match(value, pattern))
    return "'" + value + "' is not a domain name (e.g. acme.com)";
  return std::nullopt;
}

std::optional<std::string> check_source(std::string& value) {
  value = to_lower(trim(value));
  if (value == "keboola" || value == "csv") return std::nullopt;
  return "the source type must be keboola or csv, not '" + value + "'";
}

std::optional<std::string> check_text(std::string& value, const std::string& what) {
  value = std::string(trim(value));
  if (value.empty()) return what + " must not be empty";
  if (has_control_characters(value)) return what + " must not contain control characters";
  return std::nullopt;
}

std::optional<std::string> check_url(std::string& value) {
  value = std::string(trim(value));
  while (!value.empty() && value.back() == '/')
    value.pop_back();
  bool http = value.rfind("https://", 0) == 0 || value.rfind("http://", 0) == 0;
  if (!http || value.find_first_of(" \t\"'") != std::string::npos ||
      has_control_characters(value)) {
    return "expected the stack's URL, such as " + std::string(kDefaultKeboolaUrl) + ", not '" +
           value + "'";
  }
  return std::nullopt;
}

std::optional<std::string> check_token(std::string& value) {
  value = std::string(trim(value));
  if (value.empty()) return "the Storage API token must not be empty";
  bool printable = std::all_of(value.begin(), value.end(), [](char c) {
    return c > ' ' && c < 127 && c != '\'' && c != '"' && c != '\\' && c != '#';
  });
  if (!printable)
    return "the Storage API token has characters a token cannot have (spaces, quotes, '#')";
  return std::nullopt;
}

std::optional<std::string> check_project(std::string& value) {
  value = std::string(trim(value));
  if (!value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      }))
    return std::nullopt;
  return "the Keboola project id is a number (Project Settings in Keboola), not '" + value + "'";
}

}  // namespace

std::string default_instance_name(const std::string& domain) {
  std::string company = domain.substr(0, domain.find('.'));
  if (company.empty()) return "AI Data Analyst";
  company[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(company[0])));
  return company + " Data Analyst";
}

std::vector<std::string> split_patterns(const std::vector<std::string>& values) {
  std::vector<std::string> patterns;
  for (const std::string& value : values) {
    for (std::string& part : split_trimmed(value, ','))
      patterns.push_back(std::move(part));
  }
  return patterns;
}

InitAnswers gather_answers(const cli::Arguments& arguments, const config::EnvLookup& env,
                           Prompter* prompter) {
  InitAnswers answers;
  answers.domain = resolve({"--domain", "Company domain (who may sign in, e.g. acme.com)", "", true,
                            false, "", check_domain},
                           given(arguments, "domain"), prompter);
  answers.source = resolve(
      {"--source", "Data source type (keboola or csv)", "csv", true, false, "", check_source},
      given(arguments, "source"), prompter);
  answers.name = resolve({"--name", "Instance name", default_instance_name(answers.domain), false,
                          false, "", [](std::string& v) { return check_text(v, "the name"); }},
                         given(arguments, "name"), prompter);
  if (answers.source == "keboola") {
    answers.keboola_url = resolve(
        {"--keboola-url", "Keboola stack URL", kDefaultKeboolaUrl, false, false, "", check_url},
        given(arguments, "keboola-url"), prompter);
    std::optional<std::string> token = given(arguments, "keboola-token");
    if (!token) {
      token = env(kTokenVariable);
      if (token && trim(*token).empty()) token.reset();
      answers.token_from_environment = token.has_value();
    }
    answers.keboola_token =
        resolve({"--keboola-token", "Keboola Storage API token (not shown)", "", true, true,
                 "or the environment variable " + std::string(kTokenVariable), check_token},
                token, prompter);
    answers.keboola_project =
        resolve({"--keboola-project", "Keboola project id", "", true, false, "", check_project},
                given(arguments, "keboola-project"), prompter);
  } else {
    answers.csv_dir =
        resolve({"--csv-dir", "Folder with the CSV files", kDefaultCsvDir, false, false, "",
                 [](std::string& v) { return check_text(v, "the folder"); }},
                given(arguments, "csv-dir"), prompter);
  }
  answers.table_patterns = split_patterns(arguments.values("tables"));
  answers.all_tables = arguments.flag("all-tables");
  return answers;
}

}  // namespace da::commands::init
