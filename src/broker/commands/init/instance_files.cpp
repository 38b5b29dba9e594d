#include "init/instance_files.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

#include "da/common/dotenv.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/config/interpolation.hpp"
#include "da/web/embedded_file.hpp"

namespace da::web {
extern const EmbeddedFile kInitInstanceExample[];
extern const std::size_t kInitInstanceExample_count;
}  // namespace da::web

namespace da::commands::init {

namespace {

using Lines = std::vector<std::string>;

[[noreturn]] void example_lacks(const std::string& what) {
  throw Error(ErrorKind::kInternal,
              "config/instance.yaml.example has no " + what + " line: da init needs it");
}

// The line "<name>:" that opens a top-level section.
size_t find_section(const Lines& lines, const std::string& name) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(name + ":", 0) == 0) return i;
  }
  example_lacks(name + ":");
}

// The first line after the section's own lines (indented, no blank line between).
size_t section_end(const Lines& lines, size_t start) {
  size_t end = start + 1;
  while (end < lines.size() && !lines[end].empty() && lines[end][0] == ' ')
    ++end;
  return end;
}

// `line` with its value replaced, the trailing comment kept in its column.
std::string replace_value(const std::string& line, size_t value_start, const std::string& value) {
  std::string result = line.substr(0, value_start) + value;
  size_t comment = line.find(" #", value_start);
  if (comment == std::string::npos) return result;
  size_t column = comment + 1;
  result += std::string(result.size() < column ? column - result.size() : 1, ' ');
  return result + line.substr(column);
}

void set_value(Lines& lines, const std::string& section, const std::string& key,
               const std::string& value) {
  size_t start = find_section(lines, section);
  std::string prefix = "  " + key + ":";
  for (size_t i = start + 1; i < section_end(lines, start); ++i) {
    if (lines[i].rfind(prefix, 0) != 0) continue;
    size_t value_start = lines[i].find_first_not_of(' ', prefix.size());
    lines[i] = replace_value(
        lines[i], value_start == std::string::npos ? lines[i].size() : value_start, value);
    return;
  }
  example_lacks(section + "." + key);
}

// A line with a trailing comment in the example's comment column.
std::string commented(const std::string& text, const std::string& comment) {
  constexpr size_t kCommentColumn = 36;
  return text + std::string(text.size() < kCommentColumn ? kCommentColumn - text.size() : 1, ' ') +
         "# " + comment;
}

Lines data_source_section(const InitAnswers& answers, const sync::DataSourceRegistry& sources) {
  Lines lines = {"data_source:", commented("  type: " + answers.source,
                                           "the connector: " + source_choices(sources))};
  for (const sync::SetupYamlLine& line :
       chosen_setup(sources, answers.source).yaml_lines(answers.settings))
    lines.push_back(line.comment.empty() ? line.text : commented(line.text, line.comment));
  return lines;
}

// Written bare, single-quoted, or not at all (the .env reader has no escape for a quote
// inside single quotes).
std::string dotenv_value(const std::string& key, const std::string& value) {
  auto safe = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("_-.:/+=@,").find(c) != std::string_view::npos;
  };
  if (std::all_of(value.begin(), value.end(), safe)) return value;
  bool quotable = std::none_of(value.begin(), value.end(), [](char c) {
    return c == '\'' || std::iscntrl(static_cast<unsigned char>(c)) != 0;
  });
  if (!quotable) {
    throw Error(ErrorKind::kConfig, "the value of " + key +
                                        " has a quote or a control character and cannot be "
                                        "written to .env");
  }
  return "'" + value + "'";
}

// The variable a .env line sets, or "" for blank lines and comments.
std::string dotenv_key(const std::string& line) {
  std::string_view text = trim(line);
  if (text.empty() || text[0] == '#') return "";
  if (text.rfind("export ", 0) == 0) text = trim(text.substr(7));
  size_t equals = text.find('=');
  return equals == std::string_view::npos ? "" : std::string(trim(text.substr(0, equals)));
}

}  // namespace

std::string_view instance_example() {
  const web::EmbeddedFile& file = web::kInitInstanceExample[0];
  return {reinterpret_cast<const char*>(file.data), file.size};
}

std::string render_instance_yaml(const InitAnswers& answers,
                                 const sync::DataSourceRegistry& sources,
                                 std::string_view example) {
  Lines lines = split(example, '\n');
  set_value(lines, "instance", "name", config::yaml_quote(answers.name));
  set_value(lines, "server", "hostname", "${SERVER_HOSTNAME:-data." + answers.domain + "}");
  set_value(lines, "auth", "allowed_domain", answers.domain);
  set_value(lines, "email", "from_address", "noreply@" + answers.domain);
  set_value(lines, "email", "from_name", config::yaml_quote(answers.name));
  size_t start = find_section(lines, "data_source");
  size_t end = section_end(lines, start);
  Lines section = data_source_section(answers, sources);
  lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(start),
              lines.begin() + static_cast<std::ptrdiff_t>(end));
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(start), section.begin(), section.end());
  return "# Written by `da init` from config/instance.yaml.example; edit it freely and run\n"
         "# `da config check` after every change.\n#\n" +
         join(lines, "\n");
}

std::string merge_dotenv(std::string_view existing, const std::string& source,
                         const std::map<std::string, std::string>& values,
                         std::string_view drop_prefix) {
  parse_dotenv(existing, source);  // refuse to rewrite a file we cannot read
  std::vector<std::string> kept;
  std::set<std::string> written;
  for (const std::string& line : split(existing, '\n')) {
    std::string key = dotenv_key(line);
    auto value = values.find(key);
    if (!key.empty() && value != values.end()) {
      if (written.insert(key).second) kept.push_back(key + "=" + dotenv_value(key, value->second));
      continue;
    }
    if (!key.empty() && !drop_prefix.empty() && key.rfind(drop_prefix, 0) == 0) continue;
    kept.push_back(line);
  }
  while (!kept.empty() && kept.back().empty())
    kept.pop_back();
  if (kept.empty())
    kept.push_back("# Secrets of this instance, read by da. Never commit this file.");
  for (const auto& [key, value] : values) {
    if (!written.count(key)) kept.push_back(key + "=" + dotenv_value(key, value));
  }
  return join(kept, "\n") + "\n";
}

}  // namespace da::commands::init
