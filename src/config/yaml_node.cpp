#include "da/config/yaml_node.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::config {

const YamlNode* YamlNode::find(std::string_view key) const {
  if (kind != Kind::kMap) return nullptr;
  for (const auto& [entry_key, value] : entries) {
    if (entry_key == key) return &value;
  }
  return nullptr;
}

YamlNode* YamlNode::find(std::string_view key) {
  return const_cast<YamlNode*>(static_cast<const YamlNode*>(this)->find(key));
}

const YamlNode* find_path(const YamlNode& root, std::string_view dotted) {
  if (dotted.empty()) return nullptr;
  const YamlNode* node = &root;
  for (const std::string& step : split(dotted, '.')) {
    if (step.empty()) return nullptr;
    if (node->is_sequence()) {
      size_t index = 0;
      auto [end, error] = std::from_chars(step.data(), step.data() + step.size(), index);
      if (error != std::errc() || end != step.data() + step.size() || index >= node->items.size())
        return nullptr;
      node = &node->items[index];
    } else if (!(node = node->find(step))) {
      return nullptr;
    }
  }
  return node;
}

const char* kind_name(YamlNode::Kind kind) {
  switch (kind) {
    case YamlNode::Kind::kNull:
      return "null";
    case YamlNode::Kind::kScalar:
      return "scalar";
    case YamlNode::Kind::kSequence:
      return "sequence";
    case YamlNode::Kind::kMap:
      return "mapping";
  }
  return "node";
}

namespace {

// How much of the document a node accounts for: every YamlNode it holds (itself included),
// the bytes of their scalars, and the levels of sequences and mappings (itself included).
struct Extent {
  size_t nodes = 0;
  size_t bytes = 0;
  size_t depth = 0;  // 0 for a scalar or null

  void add_child(const Extent& child) {
    nodes += child.nodes;
    bytes += child.bytes;
    depth = std::max(depth, child.depth + 1);
  }
};

// Builds a YamlNode tree from yaml-cpp's parser events. A map is open while its entries
// arrive as alternating key and value nodes. An alias is a copy of its anchored node, so the
// copies are counted: a few hundred bytes of nested aliases ("billion laughs") would otherwise
// expand to gigabytes. Only these copies hold memory beyond the document's own nodes.
class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(std::string file, int first_line, YamlAliasBudget& budget)
      : file_(std::move(file)), line_offset_(first_line - 1), budget_(budget) {}

  YamlNode take_root() { return std::move(root_); }
  int documents() const { return documents_; }

  void OnDocumentStart(const YAML::Mark&) override { ++documents_; }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add(make(YamlNode::Kind::kNull, mark), {1, 0, 0}, anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto found = anchors_.find(anchor);
    if (found == anchors_.end()) fail(mark, "alias to an unknown anchor");
    const Anchored& anchored = found->second;
    budget_.nodes += anchored.extent.nodes;
    budget_.bytes += anchored.extent.bytes;
    if (budget_.nodes > kYamlMaxAliasNodes || budget_.bytes > kYamlMaxAliasBytes) {
      fail(mark, "the aliases of this file expand to more than " +
                     std::to_string(kYamlMaxAliasNodes) + " nodes or " +
                     std::to_string(kYamlMaxAliasBytes / 1024) +
                     " KiB of text; reuse anchors less (nested aliases multiply)");
    }
    check_depth(mark, open_.size() + anchored.extent.depth);
    YamlNode copy = anchored.key ? *anchored.key : resolve(anchored.path);
    copy.line = line(mark);
    copy.column = mark.column + 1;
    add(std::move(copy), anchored.extent, YAML::NullAnchor);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode node = make(YamlNode::Kind::kScalar, mark);
    node.scalar = value;
    node.raw = value;
    node.quoted = tag != "?";
    add(std::move(node), {1, value.size(), 0}, anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, YamlNode::Kind::kSequence, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, YamlNode::Kind::kMap, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct OpenNode {
    YamlNode node;
    YAML::anchor_t anchor;
    Extent extent;
    size_t index = 0;  // the position it will take in its parent
    std::string pending_key;
    int pending_key_line = 0;
    bool has_pending_key = false;
  };

  // An anchored node is found again by its path in the tree rather than copied, so that
  // anchors nested in anchors cost nothing; a mapping key is kept as a copy (its own text).
  struct Anchored {
    std::vector<size_t> path;  // child indices from the root
    std::optional<YamlNode> key;
    Extent extent;
  };

  static size_t child_count(const YamlNode& node) {
    return node.is_sequence() ? node.items.size() : node.entries.size();
  }

  // The node at `path`: through the open nodes first (each one's place in its parent is the
  // next free one), then through closed ones, which no longer change.
  const YamlNode& resolve(const std::vector<size_t>& path) const {
    const YamlNode* node = &open_.front().node;
    size_t level = 0;
    for (size_t index : path) {
      if (level + 1 < open_.size() && &open_[level].node == node && index == child_count(*node)) {
        node = &open_[++level].node;
      } else {
        node = node->is_sequence() ? &node->items[index] : &node->entries[index].second;
      }
    }
    return *node;
  }

  // Remembers where `add` is about to put `node`. The root needs nothing: no alias can follow it.
  void remember(YAML::anchor_t anchor, const YamlNode& node, const Extent& extent) {
    if (open_.empty()) return;
    const OpenNode& parent = open_.back();
    Anchored anchored{{}, std::nullopt, extent};
    if (parent.node.is_map() && !parent.has_pending_key) {
      anchored.key = node;
    } else {
      for (size_t k = 1; k < open_.size(); ++k)
        anchored.path.push_back(open_[k].index);
      anchored.path.push_back(child_count(parent.node));
    }
    anchors_[anchor] = std::move(anchored);
  }

  int line(const YAML::Mark& mark) const { return mark.line + 1 + line_offset_; }

  YamlNode make(YamlNode::Kind kind, const YAML::Mark& mark) const {
    YamlNode node;
    node.kind = kind;
    node.line = line(mark);
    node.column = mark.column + 1;
    return node;
  }

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const {
    throw Error(ErrorKind::kConfig, file_ + ":" + std::to_string(line(mark)) + ":" +
                                        std::to_string(mark.column + 1) + ": " + message);
  }
  [[noreturn]] void fail(const YamlNode& node, const std::string& message) const {
    throw Error(ErrorKind::kConfig, file_ + ":" + std::to_string(node.line) + ":" +
                                        std::to_string(node.column) + ": " + message);
  }

  void check_depth(const YAML::Mark& mark, size_t depth) const {
    if (depth > kYamlMaxDepth) {
      fail(mark,
           "sequences and mappings nest deeper than " + std::to_string(kYamlMaxDepth) + " levels");
    }
  }

  void open(const YAML::Mark& mark, YamlNode::Kind kind, YAML::anchor_t anchor) {
    check_depth(mark, open_.size() + 1);
    OpenNode opened;
    opened.node = make(kind, mark);
    opened.anchor = anchor;
    opened.extent = {1, 0, 1};
    if (!open_.empty()) opened.index = child_count(open_.back().node);
    open_.push_back(std::move(opened));
  }

  void close() {
    OpenNode finished = std::move(open_.back());
    open_.pop_back();
    add(std::move(finished.node), finished.extent, finished.anchor);
  }

  void add(YamlNode node, const Extent& extent, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) remember(anchor, node, extent);
    if (open_.empty()) {
      root_ = std::move(node);
      return;
    }
    OpenNode& parent = open_.back();
    parent.extent.add_child(extent);
    if (parent.node.kind == YamlNode::Kind::kSequence) {
      parent.node.items.push_back(std::move(node));
      return;
    }
    if (!parent.has_pending_key) {
      if (node.kind != YamlNode::Kind::kScalar) fail(node, "mapping keys must be plain text");
      for (size_t i = 0; i < parent.node.entries.size(); ++i) {
        if (parent.node.entries[i].first == node.scalar) {
          fail(node, "duplicate key '" + node.scalar + "' (first defined on line " +
                         std::to_string(parent.node.key_lines[i]) + ")");
        }
      }
      parent.pending_key = node.scalar;
      parent.pending_key_line = node.line;
      parent.has_pending_key = true;
      return;
    }
    parent.node.entries.emplace_back(std::move(parent.pending_key), std::move(node));
    parent.node.key_lines.push_back(parent.pending_key_line);
    parent.has_pending_key = false;
  }

  std::string file_;
  int line_offset_;
  int documents_ = 0;
  YamlNode root_;
  std::vector<OpenNode> open_;
  std::map<YAML::anchor_t, Anchored> anchors_;
  YamlAliasBudget& budget_;
};

}  // namespace

YamlNode parse_yaml(std::string_view text, const std::string& file, int first_line,
                    YamlAliasBudget* budget) {
  std::istringstream input{std::string(text)};
  YamlAliasBudget own;
  TreeBuilder builder(file, first_line, budget ? *budget : own);
  try {
    YAML::Parser parser(input);
    parser.HandleNextDocument(builder);
    if (parser.HandleNextDocument(builder)) {
      throw Error(ErrorKind::kConfig, file + ": expected one YAML document, found several");
    }
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) throw Error(ErrorKind::kConfig, file + ": " + e.msg);
    throw Error(ErrorKind::kConfig, file + ":" + std::to_string(e.mark.line + first_line) + ":" +
                                        std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return builder.take_root();
}

}  // namespace da::config
