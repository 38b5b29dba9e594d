#include "keboola/keboola_setup.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "da/common/strings.hpp"
#include "da/config/interpolation.hpp"

namespace da::connectors::keboola {

namespace {

constexpr const char* kDefaultStackUrl = "https://connection.keboola.com";
constexpr const char* kTokenVariable = "KEBOOLA_STORAGE_TOKEN";

bool has_control_characters(const std::string& text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return std::iscntrl(static_cast<unsigned char>(c)) != 0; });
}

std::optional<std::string> check_url(std::string& value) {
  value = std::string(trim(value));
  while (!value.empty() && value.back() == '/')
    value.pop_back();
  bool http = value.rfind("https://", 0) == 0 || value.rfind("http://", 0) == 0;
  if (!http || value.find_first_of(" \t\"'") != std::string::npos ||
      has_control_characters(value)) {
    return "expected the stack's URL, such as " + std::string(kDefaultStackUrl) + ", not '" +
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

sync::SourceSetup keboola_setup() {
  sync::SourceSetup setup;
  setup.questions = {
      {"keboola-url", std::string("Keboola stack URL (default ") + kDefaultStackUrl + ")",
       "Keboola stack URL", kDefaultStackUrl, false, false, "", check_url},
      {"keboola-token",
       std::string("Keboola Storage API token; prefer the environment variable ") + kTokenVariable +
           ", since flags are visible in the process list",
       "Keboola Storage API token (not shown)", "", true, true, kTokenVariable, check_token},
      {"keboola-project", "Keboola project id", "Keboola project id", "", true, false, "",
       check_project}};
  setup.yaml_lines = [](const sync::SetupAnswers& answers) -> std::vector<sync::SetupYamlLine> {
    return {
        {"  keboola:", "settings of the keboola connector (docs/keboola.md)"},
        {"    stack_url: " + config::yaml_quote(answers.at("keboola-url")), "the Keboola stack"},
        {"    storage_token: ${" + std::string(kTokenVariable) + "}",
         "the token itself is in .env, never here"},
        {"    project_id: " + config::yaml_quote(answers.at("keboola-project")),
         "checked against the token's project"},
        {"    # parallel_downloads: 8", "slices fetched at once"},
        {"    # job_timeout_minutes: 120", ""}};
  };
  setup.env_prefix = "KEBOOLA_";
  setup.fix_hint = [](const sync::SetupFiles& files) {
    return "fix the token in " + files.env_file + " or the settings in " + files.instance_yaml;
  };
  return setup;
}

}  // namespace da::connectors::keboola
