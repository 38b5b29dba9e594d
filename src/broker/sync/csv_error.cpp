#include "da/sync/csv_error.hpp"

#include <regex>

#include "da/common/strings.hpp"

namespace da::sync {

namespace {

std::optional<std::string> capture(const std::string& text, const std::regex& pattern) {
  std::smatch match;
  if (!std::regex_search(text, match, pattern)) return std::nullopt;
  return match[1].str();
}

std::optional<std::string> file_of(const std::string& message) {
  static const std::regex pattern("\\n\\s*file = ([^\\n]+)");
  auto file = capture(message, pattern);
  if (file) return std::string(trim(*file));
  return std::nullopt;
}

std::optional<int64_t> line_of(const std::string& message) {
  static const std::regex pattern("CSV Error on Line: (\\d+)");
  auto line = capture(message, pattern);
  if (!line) return std::nullopt;
  return std::stoll(*line);
}

}  // namespace

std::optional<CsvConversionFailure> parse_conversion_failure(const std::string& message) {
  static const std::regex pattern(
      "Error when converting column \"((?:[^\"]|\"\")*)\"\\. Could not convert string "
      "\"((?:.|\\n)*?)\" to '([^']+)'");
  std::smatch match;
  if (!std::regex_search(message, match, pattern)) return std::nullopt;
  CsvConversionFailure failure;
  failure.column = replace_all(match[1].str(), "\"\"", "\"");
  failure.value = match[2].str();
  failure.type = match[3].str();
  failure.file = file_of(message).value_or("");
  failure.line = line_of(message).value_or(0);
  failure.auto_detected = message.find("This type was auto-detected") != std::string::npos;
  return failure;
}

std::string summarize_csv_error(const std::string& message) {
  static const std::regex known(
      "(Expected Number of Columns: \\d+ Found: \\d+|Invalid unicode[^\\n]*|"
      "Value with unterminated quote[^\\n]*|Maximum line size[^\\n]*)");
  std::string first_line = message.substr(0, message.find('\n'));
  std::string problem = capture(message, known).value_or(first_line);
  auto line = line_of(message);
  auto file = file_of(message);
  if (!file) return problem;
  return *file + (line ? ":" + std::to_string(*line) : std::string()) + ": " + problem;
}

}  // namespace da::sync
