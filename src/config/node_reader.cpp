#include "da/config/node_reader.hpp"

#include <algorithm>
#include <charconv>
#include <regex>

#include "da/common/strings.hpp"

namespace da::config {

bool is_linux_username(std::string_view text) {
  static const std::regex pattern("^[a-z_][a-z0-9_-]{0,31}$");
  return std::regex_match(text.begin(), text.end(), pattern);
}

NodeReader::NodeReader(const YamlNode* node, std::string path, const std::string& file,
                       Diagnostics& diagnostics, int parent_line)
    : node_(node),
      path_(std::move(path)),
      file_(&file),
      diagnostics_(&diagnostics),
      parent_line_(parent_line) {}

int NodeReader::line() const {
  return node_ != nullptr ? node_->line : parent_line_;
}

std::string NodeReader::child_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void NodeReader::error(std::string message) const {
  diagnostics_->error(*file_, line(), path_, std::move(message));
}

void NodeReader::warning(std::string message) const {
  diagnostics_->warning(*file_, line(), path_, std::move(message));
}

NodeReader NodeReader::child(std::string_view key) const {
  if (present() && !node_->is_map()) {
    error(std::string("expected a mapping with key '") + std::string(key) + "', found a " +
          kind_name(node_->kind));
    return NodeReader(nullptr, child_path(key), *file_, *diagnostics_, line());
  }
  const YamlNode* found = node_ != nullptr ? node_->find(key) : nullptr;
  return NodeReader(found, child_path(key), *file_, *diagnostics_, line());
}

std::vector<NodeReader> NodeReader::items() const {
  std::vector<NodeReader> result;
  if (!present()) return result;
  if (!node_->is_sequence()) {
    error(std::string("expected a list, found a ") + kind_name(node_->kind));
    return result;
  }
  for (size_t i = 0; i < node_->items.size(); ++i) {
    result.emplace_back(&node_->items[i], path_ + "[" + std::to_string(i) + "]", *file_,
                        *diagnostics_, node_->line);
  }
  return result;
}

std::vector<std::pair<std::string, NodeReader>> NodeReader::entries() const {
  std::vector<std::pair<std::string, NodeReader>> result;
  if (!present()) return result;
  if (!node_->is_map()) {
    error(std::string("expected a mapping, found a ") + kind_name(node_->kind));
    return result;
  }
  for (const auto& [key, value] : node_->entries) {
    result.emplace_back(key,
                        NodeReader(&value, child_path(key), *file_, *diagnostics_, node_->line));
  }
  return result;
}

bool NodeReader::expect_scalar(const char* expected) const {
  if (node_->is_scalar()) return true;
  error(std::string("expected ") + expected + ", found a " + kind_name(node_->kind));
  return false;
}

std::string NodeReader::as_string(std::string fallback) const {
  auto value = as_optional_string();
  return value ? *value : std::move(fallback);
}

std::optional<std::string> NodeReader::as_optional_string() const {
  if (!present() || !expect_scalar("a string")) return std::nullopt;
  return node_->scalar;
}

std::optional<int64_t> NodeReader::as_optional_int(int64_t min, int64_t max) const {
  if (!present() || !expect_scalar("an integer")) return std::nullopt;
  std::string_view text = trim(node_->scalar);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    error("expected an integer, found '" + node_->scalar + "'");
    return std::nullopt;
  }
  if (value < min || value > max) {
    error("must be between " + std::to_string(min) + " and " + std::to_string(max) + ", found " +
          std::to_string(value));
    return std::nullopt;
  }
  return value;
}

int64_t NodeReader::as_int(int64_t fallback, int64_t min, int64_t max) const {
  auto value = as_optional_int(min, max);
  return value ? *value : fallback;
}

bool NodeReader::as_bool(bool fallback) const {
  if (!present() || !expect_scalar("true or false")) return fallback;
  std::string text = to_lower(trim(node_->scalar));
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  error("expected true or false, found '" + node_->scalar + "'");
  return fallback;
}

std::vector<std::string> NodeReader::as_string_list(char separator) const {
  std::vector<std::string> result;
  if (!present()) return result;
  if (node_->is_scalar()) return split_trimmed(node_->scalar, separator);
  for (const NodeReader& item : items()) {
    if (!item.present()) {
      item.error("empty list item");
      continue;
    }
    if (auto value = item.as_optional_string()) result.push_back(std::string(trim(*value)));
  }
  return result;
}

void NodeReader::require(std::string_view key, std::string_view why) const {
  NodeReader value = child(key);
  bool empty =
      !value.present() || (value.node()->is_scalar() && trim(value.node()->scalar).empty());
  if (!empty) return;
  std::string message = "is required";
  if (!why.empty()) message += " " + std::string(why);
  if (value.node() != nullptr && value.node()->raw.find("${") != std::string::npos) {
    message += "; its value '" + value.node()->raw + "' refers to an unset or empty variable";
  }
  value.error(std::move(message));
}

void NodeReader::warn_unknown_keys(std::initializer_list<std::string_view> known) const {
  if (!present() || !node_->is_map()) return;
  for (size_t i = 0; i < node_->entries.size(); ++i) {
    const std::string& key = node_->entries[i].first;
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    diagnostics_->warning(*file_, node_->key_lines[i], child_path(key), "unknown key (ignored)");
  }
}

}  // namespace da::config
