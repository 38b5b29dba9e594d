// A YAML document as a plain tree that remembers where every node came from.
//
// yaml-cpp's own Node cannot say which key a conversion failed on, reports no line for
// missing keys and silently keeps the first of two duplicate keys. This tree is built from
// yaml-cpp's parser events instead: duplicate keys are errors, every node has a line and a
// column, and quoted scalars are told apart from plain ones.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace da::config {

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };

  Kind kind = Kind::kNull;
  std::string scalar;   // kScalar: the text after interpolation, if any
  std::string raw;      // kScalar: the text as written in the file
  bool quoted = false;  // kScalar: written with quotes or an explicit tag, so always a string
  int line = 0;         // 1-based, in the file the document was read from
  int column = 0;       // 1-based
  std::vector<YamlNode> items;                            // kSequence
  std::vector<std::pair<std::string, YamlNode>> entries;  // kMap, in file order
  std::vector<int> key_lines;                             // kMap: line of each entry's key

  bool is_null() const { return kind == Kind::kNull; }
  bool is_scalar() const { return kind == Kind::kScalar; }
  bool is_sequence() const { return kind == Kind::kSequence; }
  bool is_map() const { return kind == Kind::kMap; }
  // The value of `key` in a map, or nullptr (also when this is not a map).
  const YamlNode* find(std::string_view key) const;
  YamlNode* find(std::string_view key);
};

// Limits that keep a small hostile document from taking the process's memory. An alias is a
// copy of its anchored node, so nested aliases multiply ("billion laughs": under 1 KB of YAML
// for 10^9 nodes). Per document, aliases may add at most kYamlMaxAliasNodes nodes (each alias
// adds its anchored node with everything inside it; every alias adds at least one, so this also
// bounds their number) and kYamlMaxAliasBytes bytes of scalar text; anchors themselves copy
// nothing, so a document holds its own nodes plus at most these copies (about 10 MB). Sequences
// and mappings may nest kYamlMaxDepth levels, also through aliases. A real file reusing anchors
// a few times stays far below all three.
inline constexpr std::size_t kYamlMaxAliasNodes = 50'000;
inline constexpr std::size_t kYamlMaxAliasBytes = 1024 * 1024;
inline constexpr std::size_t kYamlMaxDepth = 64;

// What aliases added so far in one file made of several YAML documents (the blocks of a
// Markdown file): passed to each parse_yaml() of the file, so the limits hold for the file.
struct YamlAliasBudget {
  std::size_t nodes = 0;
  std::size_t bytes = 0;
};

// The node at a dotted key path such as "telegram.bot_token"; a number picks an item of a
// sequence ("admins.0.username"). nullptr when any step is missing.
const YamlNode* find_path(const YamlNode& root, std::string_view dotted);

// "mapping", "sequence", "scalar" or "null", for error messages.
const char* kind_name(YamlNode::Kind kind);

// Parses one YAML document (an empty text gives a null node). `first_line` is the line of
// `text`'s first line within `file`, so that YAML embedded in Markdown reports Markdown lines.
// Throws Error(kConfig) "file:line:column: message" on syntax errors, duplicate keys,
// non-scalar keys, more than one document and documents beyond the limits above (counted
// from `budget` on, and added to it, when one is given).
YamlNode parse_yaml(std::string_view text, const std::string& file, int first_line = 1,
                    YamlAliasBudget* budget = nullptr);

}  // namespace da::config
