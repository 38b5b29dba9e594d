#include "da/common/dotenv.hpp"

#include <cctype>

#include "da/common/atomic_file.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da {

namespace {

std::string unescape_double_quoted(std::string_view body) {
  std::string value;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 == body.size()) {
      value += body[i];
      continue;
    }
    char next = body[++i];
    switch (next) {
      case 'n':
        value += '\n';
        break;
      case 't':
        value += '\t';
        break;
      case 'r':
        value += '\r';
        break;
      default:
        value += next;
        break;
    }
  }
  return value;
}

// The value part after '='; `error` receives a message when the value is malformed.
std::string parse_value(std::string_view raw, std::string& error) {
  raw = trim(raw);
  if (raw.empty()) return {};
  char quote = raw.front();
  if (quote == '"' || quote == '\'') {
    size_t end = 1;
    while (end < raw.size() && !(raw[end] == quote && (quote == '\'' || raw[end - 1] != '\\'))) {
      ++end;
    }
    if (end >= raw.size()) {
      error = std::string("unterminated ") + (quote == '"' ? "double" : "single") + " quote";
      return {};
    }
    std::string_view rest = trim(raw.substr(end + 1));
    if (!rest.empty() && rest.front() != '#') {
      error = "unexpected text after the closing quote";
      return {};
    }
    std::string_view body = raw.substr(1, end - 1);
    return quote == '"' ? unescape_double_quoted(body) : std::string(body);
  }
  size_t comment = raw.find(" #");
  return std::string(trim(raw.substr(0, comment)));
}

}  // namespace

std::map<std::string, std::string> parse_dotenv(std::string_view text, const std::string& source) {
  std::map<std::string, std::string> values;
  int line_number = 0;
  for (std::string line : split(text, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    if (content.substr(0, 7) == "export ") content = trim(content.substr(7));
    auto where = source + ":" + std::to_string(line_number) + ": ";
    size_t equals = content.find('=');
    if (equals == std::string_view::npos) {
      throw Error(ErrorKind::kConfig, where + "expected KEY=VALUE");
    }
    std::string name(trim(content.substr(0, equals)));
    if (!is_identifier(name)) {
      throw Error(ErrorKind::kConfig, where + "'" + name + "' is not a valid variable name");
    }
    std::string error;
    std::string value = parse_value(content.substr(equals + 1), error);
    if (!error.empty()) throw Error(ErrorKind::kConfig, where + name + ": " + error);
    values[name] = value;
  }
  return values;
}

std::map<std::string, std::string> read_dotenv_file(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return {};
  return parse_dotenv(read_file(path), path.string());
}

}  // namespace da
