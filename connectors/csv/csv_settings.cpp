#include "csv_settings.hpp"

#include "da/common/strings.hpp"

namespace da::connectors::csv {

namespace {

// One character; "\t" and "tab" mean a tab; "" (when `may_be_empty`) means none.
std::optional<std::string> read_character(const config::NodeReader& node,
                                          bool may_be_empty = false) {
  auto text = node.as_optional_string();
  if (!text) return std::nullopt;
  if (*text == "\\t" || to_lower(*text) == "tab") return std::string("\t");
  if (text->empty() && may_be_empty) return text;
  if (text->size() != 1) {
    node.error("must be a single character, found '" + *text + "'");
    return std::nullopt;
  }
  return text;
}

}  // namespace

CsvSettings read_csv_settings(const config::InstanceConfig& config,
                              const config::NodeReader& section) {
  section.warn_unknown_keys(
      {"base_dir", "path_template", "delimiter", "quote", "escape", "header", "encoding"});
  CsvSettings settings;
  settings.base_dir = config.resolve(section.string("base_dir", "."));
  settings.path_template = section.string("path_template", settings.path_template);
  if (settings.path_template.empty()) section.child("path_template").error("must not be empty");
  settings.dialect.delimiter = read_character(section.child("delimiter"));
  settings.dialect.quote = read_character(section.child("quote"), true);
  settings.dialect.escape = read_character(section.child("escape"), true);
  if (section.child("header").present()) settings.dialect.header = section.boolean("header", true);
  std::string encoding = to_lower(section.string("encoding", "utf-8"));
  if (encoding == "utf8") encoding = "utf-8";
  if (encoding == "latin1" || encoding == "iso-8859-1") encoding = "latin-1";
  if (encoding != "utf-8" && encoding != "utf-16" && encoding != "latin-1") {
    section.child("encoding").error("must be utf-8, utf-16 or latin-1, found '" + encoding + "'");
  }
  settings.dialect.encoding = encoding;
  return settings;
}

}  // namespace da::connectors::csv
