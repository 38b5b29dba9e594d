#include "csv_setup.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "da/common/strings.hpp"
#include "da/config/interpolation.hpp"

namespace da::connectors::csv {

namespace {

std::optional<std::string> check_folder(std::string& value) {
  value = std::string(trim(value));
  if (value.empty()) return "the folder must not be empty";
  if (std::any_of(value.begin(), value.end(),
                  [](char c) { return std::iscntrl(static_cast<unsigned char>(c)) != 0; }))
    return "the folder must not contain control characters";
  return std::nullopt;
}

}  // namespace

sync::SourceSetup csv_setup() {
  constexpr const char* kDefaultFolder = "./data/incoming";
  sync::SourceSetup setup;
  setup.questions = {{"csv-dir",
                      std::string("Folder with the CSV files (default ") + kDefaultFolder + ")",
                      "Folder with the CSV files", kDefaultFolder, false, false, "", check_folder}};
  setup.yaml_lines = [](const sync::SetupAnswers& answers) -> std::vector<sync::SetupYamlLine> {
    return {{"  csv:", "settings of the csv connector (read by connectors/csv)"},
            {"    base_dir: " + config::yaml_quote(answers.at("csv-dir")),
             "where the source files are"},
            {"    path_template: \"{name}.csv\"",
             "a table's file when it has no `source:` ({name}, {id})"}};
  };
  setup.fix_hint = [](const sync::SetupFiles& files) {
    return "create the folder or fix data_source.csv.base_dir in " + files.instance_yaml;
  };
  setup.default_choice = true;  // it needs no account: the way to try da on local files
  return setup;
}

}  // namespace da::connectors::csv
