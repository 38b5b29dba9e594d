#include "da/config/yaml_node.hpp"

#include <map>
#include <sstream>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include "da/common/error.hpp"

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

// Builds a YamlNode tree from yaml-cpp's parser events. A map is open while its entries
// arrive as alternating key and value nodes.
class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(std::string file, int first_line)
      : file_(std::move(file)), line_offset_(first_line - 1) {}

  YamlNode take_root() { return std::move(root_); }
  int documents() const { return documents_; }

  void OnDocumentStart(const YAML::Mark&) override { ++documents_; }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add(make(YamlNode::Kind::kNull, mark), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto found = anchors_.find(anchor);
    if (found == anchors_.end()) fail(mark, "alias to an unknown anchor");
    YamlNode copy = found->second;
    copy.line = line(mark);
    copy.column = mark.column + 1;
    add(std::move(copy), YAML::NullAnchor);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode node = make(YamlNode::Kind::kScalar, mark);
    node.scalar = value;
    node.raw = value;
    node.quoted = tag != "?";
    add(std::move(node), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open_.push_back({make(YamlNode::Kind::kSequence, mark), anchor, {}, 0, false});
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open_.push_back({make(YamlNode::Kind::kMap, mark), anchor, {}, 0, false});
  }
  void OnMapEnd() override { close(); }

 private:
  struct OpenNode {
    YamlNode node;
    YAML::anchor_t anchor;
    std::string pending_key;
    int pending_key_line;
    bool has_pending_key;
  };

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

  void close() {
    OpenNode finished = std::move(open_.back());
    open_.pop_back();
    add(std::move(finished.node), finished.anchor);
  }

  void add(YamlNode node, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) anchors_[anchor] = node;
    if (open_.empty()) {
      root_ = std::move(node);
      return;
    }
    OpenNode& parent = open_.back();
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
  std::map<YAML::anchor_t, YamlNode> anchors_;
};

}  // namespace

YamlNode parse_yaml(std::string_view text, const std::string& file, int first_line) {
  std::istringstream input{std::string(text)};
  TreeBuilder builder(file, first_line);
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
