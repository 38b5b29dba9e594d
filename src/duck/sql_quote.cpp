#include "da/duck/sql_quote.hpp"

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::duck {

namespace {

std::string quote_with(std::string_view text, char quote) {
  if (text.find('\0') != std::string_view::npos) {
    throw Error(ErrorKind::kData, "a NUL byte cannot appear in an SQL name or literal");
  }
  std::string doubled(1, quote);
  doubled += quote;
  return quote + replace_all(text, std::string_view(&quote, 1), doubled) + quote;
}

}  // namespace

std::string quote_identifier(std::string_view name) {
  if (name.empty()) throw Error(ErrorKind::kData, "an SQL identifier cannot be empty");
  return quote_with(name, '"');
}

std::string quote_literal(std::string_view text) {
  return quote_with(text, '\'');
}

std::string quote_path(const std::filesystem::path& path) {
  return quote_literal(path.string());
}

}  // namespace da::duck
