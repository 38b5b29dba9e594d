#include "init/init_answers.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <regex>
#include <set>

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

std::optional<std::string> given(const cli::Arguments& arguments, const std::string& key) {
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

std::optional<std::string> check_text(std::string& value, const std::string& what) {
  value = std::string(trim(value));
  if (value.empty()) return what + " must not be empty";
  if (has_control_characters(value)) return what + " must not contain control characters";
  return std::nullopt;
}

// What a connector's question is to resolve(): its flag, and its variable as the other place.
Field field_of(const sync::SetupQuestion& question) {
  return {
      "--" + question.key,
      question.question,
      question.default_value,
      question.required,
      question.secret,
      question.env_variable.empty() ? "" : "or the environment variable " + question.env_variable,
      question.check};
}

// The answer from the question's flag or, without one, its variable; unset when neither.
std::optional<std::string> given_setting(const cli::Arguments& arguments,
                                         const config::EnvLookup& env,
                                         const sync::SetupQuestion& question) {
  std::optional<std::string> value = given(arguments, question.key);
  if (value || question.env_variable.empty()) return value;
  value = env(question.env_variable);
  if (value && trim(*value).empty()) value.reset();
  return value;
}

// The type offered on a terminal: the first connector that asks to be, else the first one.
std::string default_source(const sync::DataSourceRegistry& sources) {
  auto setups = sources.setups();
  for (const auto& [type, setup] : setups) {
    if (setup->default_choice) return type;
  }
  return setups.empty() ? "" : setups.front().first;
}

}  // namespace

std::string source_choices(const sync::DataSourceRegistry& sources) {
  std::vector<std::string> types;
  for (const auto& [type, setup] : sources.setups())
    types.push_back(type);
  if (types.size() < 2) return join(types, "");
  std::string last = types.back();
  types.pop_back();
  return join(types, ", ") + " or " + last;
}

const sync::SourceSetup& chosen_setup(const sync::DataSourceRegistry& sources,
                                      const std::string& type) {
  const sync::SourceSetup* setup = sources.setup(type);
  if (setup == nullptr)
    throw Error(ErrorKind::kInternal, "da init cannot set up a source of the type '" + type + "'");
  return *setup;
}

std::vector<cli::OptionSpec> setup_options(const sync::DataSourceRegistry& sources) {
  std::vector<cli::OptionSpec> options;
  std::set<std::string> keys;
  for (const auto& [type, setup] : sources.setups()) {
    if (!setup->yaml_lines || !setup->fix_hint) {
      throw Error(ErrorKind::kInternal,
                  "the setup of the connector '" + type + "' lacks yaml_lines or fix_hint");
    }
    for (const sync::SetupQuestion& question : setup->questions) {
      if (!keys.insert(question.key).second) {
        throw Error(ErrorKind::kInternal,
                    "two connectors declare the da init flag --" + question.key);
      }
      if (question.secret && question.env_variable.empty()) {
        throw Error(ErrorKind::kInternal, "the secret --" + question.key + " of the connector '" +
                                              type + "' names no env_variable to write it to");
      }
      options.push_back(cli::value_option("--" + question.key, question.help));
    }
  }
  return options;
}

std::map<std::string, std::string> setup_secrets(const InitAnswers& answers,
                                                 const sync::SourceSetup& setup) {
  std::map<std::string, std::string> secrets;
  for (const sync::SetupQuestion& question : setup.questions) {
    if (question.secret) secrets[question.env_variable] = answers.settings.at(question.key);
  }
  return secrets;
}

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
                           const sync::DataSourceRegistry& sources, Prompter* prompter) {
  InitAnswers answers;
  answers.domain = resolve({"--domain", "Company domain (who may sign in, e.g. acme.com)", "", true,
                            false, "", check_domain},
                           given(arguments, "domain"), prompter);
  auto check_source = [&sources](std::string& value) -> std::optional<std::string> {
    value = to_lower(trim(value));
    if (sources.setup(value) != nullptr) return std::nullopt;
    return "the source type must be " + source_choices(sources) + ", not '" + value + "'";
  };
  answers.source = resolve({"--source", "Data source type (" + source_choices(sources) + ")",
                            default_source(sources), true, false, "", check_source},
                           given(arguments, "source"), prompter);
  answers.name = resolve({"--name", "Instance name", default_instance_name(answers.domain), false,
                          false, "", [](std::string& v) { return check_text(v, "the name"); }},
                         given(arguments, "name"), prompter);
  for (const sync::SetupQuestion& question : chosen_setup(sources, answers.source).questions) {
    answers.settings[question.key] =
        resolve(field_of(question), given_setting(arguments, env, question), prompter);
  }
  answers.table_patterns = split_patterns(arguments.values("tables"));
  answers.all_tables = arguments.flag("all-tables");
  return answers;
}

}  // namespace da::commands::init
