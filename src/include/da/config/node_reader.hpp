// Typed reading of a YamlNode tree. Every problem (wrong type, out of range, missing
// required key, unknown key) is added to a Diagnostics with the file, line and key path,
// and reading goes on, so that one pass reports everything wrong with a file.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "da/config/diagnostics.hpp"
#include "da/config/yaml_node.hpp"

namespace da::config {

class NodeReader {
 public:
  // `node` may be nullptr (an absent key): every getter then returns its fallback.
  NodeReader(const YamlNode* node, std::string path, const std::string& file,
             Diagnostics& diagnostics, int parent_line = 0);

  bool present() const { return node_ != nullptr && !node_->is_null(); }
  const YamlNode* node() const { return node_; }
  const std::string& path() const { return path_; }
  const std::string& file() const { return *file_; }
  Diagnostics& diagnostics() const { return *diagnostics_; }
  // The node's line, or its parent's when the node is absent.
  int line() const;

  // The reader of `key` in this mapping. Reports an error if this node is present but not a map.
  NodeReader child(std::string_view key) const;
  // Items of a sequence (error if present but not a sequence).
  std::vector<NodeReader> items() const;
  // Entries of a mapping in file order (error if present but not a mapping).
  std::vector<std::pair<std::string, NodeReader>> entries() const;

  // This node as a value. Absent or null gives the fallback; a wrong type is an error.
  std::string as_string(std::string fallback = {}) const;
  std::optional<std::string> as_optional_string() const;
  int64_t as_int(int64_t fallback, int64_t min, int64_t max) const;
  std::optional<int64_t> as_optional_int(int64_t min, int64_t max) const;
  bool as_bool(bool fallback) const;
  // A sequence of strings, or one string split on `separator` and trimmed ("a, b").
  std::vector<std::string> as_string_list(char separator = ',') const;

  // Shorthands for child(key).as_...().
  std::string string(std::string_view key, std::string fallback = {}) const {
    return child(key).as_string(std::move(fallback));
  }
  std::optional<std::string> optional_string(std::string_view key) const {
    return child(key).as_optional_string();
  }
  int64_t integer(std::string_view key, int64_t fallback, int64_t min, int64_t max) const {
    return child(key).as_int(fallback, min, max);
  }
  bool boolean(std::string_view key, bool fallback) const { return child(key).as_bool(fallback); }

  // Reports `key` as missing if it is absent, null or an empty string.
  void require(std::string_view key, std::string_view why = {}) const;
  // Warns about every key of this mapping not in `known` (typos are the usual cause).
  void warn_unknown_keys(std::initializer_list<std::string_view> known) const;

  void error(std::string message) const;
  void warning(std::string message) const;

 private:
  std::string child_path(std::string_view key) const;
  bool expect_scalar(const char* expected) const;

  const YamlNode* node_;
  std::string path_;
  const std::string* file_;
  Diagnostics* diagnostics_;
  int parent_line_;
};

// Whether `text` can name a Linux account ([a-z_][a-z0-9_-]*, at most 32 characters), for the
// sections that name accounts.
bool is_linux_username(std::string_view text);

}  // namespace da::config
