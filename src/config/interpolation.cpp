#include "da/config/interpolation.hpp"

#include <cctype>
#include <cstdlib>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::config {

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::string yaml_quote(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    if (c == '$') quoted += '$';
    quoted += c;
  }
  return quoted + "\"";
}

namespace {

void interpolate_node(YamlNode& node, const std::string& path, const EnvLookup& env,
                      const std::string& file, Diagnostics& diagnostics) {
  switch (node.kind) {
    case YamlNode::Kind::kNull:
      return;
    case YamlNode::Kind::kScalar: {
      if (node.raw.find('$') == std::string::npos) return;
      try {
        Interpolated result = interpolate(node.raw, env);
        node.scalar = std::move(result.value);
        for (const auto& name : result.unset) {
          diagnostics.warning(file, node.line, path,
                              "environment variable " + name + " is not set");
        }
      } catch (const Error& e) {
        diagnostics.error(file, node.line, path, e.what());
      }
      return;
    }
    case YamlNode::Kind::kSequence:
      for (size_t i = 0; i < node.items.size(); ++i) {
        interpolate_node(node.items[i], path + "[" + std::to_string(i) + "]", env, file,
                         diagnostics);
      }
      return;
    case YamlNode::Kind::kMap:
      for (auto& [key, value] : node.entries) {
        interpolate_node(value, path.empty() ? key : path + "." + key, env, file, diagnostics);
      }
      return;
  }
}

}  // namespace

Interpolated interpolate(std::string_view text, const EnvLookup& env) {
  Interpolated result;
  size_t pos = 0;
  while (pos < text.size()) {
    char c = text[pos];
    if (c != '$' || pos + 1 >= text.size() || (text[pos + 1] != '{' && text[pos + 1] != '$')) {
      result.value += c;
      ++pos;
      continue;
    }
    if (text[pos + 1] == '$') {
      result.value += '$';
      pos += 2;
      continue;
    }
    size_t close = text.find('}', pos + 2);
    if (close == std::string_view::npos) {
      throw Error(ErrorKind::kConfig, "'${' without a closing '}' in '" + std::string(text) + "'");
    }
    std::string_view body = text.substr(pos + 2, close - pos - 2);
    size_t fallback_at = body.find(":-");
    std::string name(body.substr(0, fallback_at));
    if (!is_identifier(name)) {
      throw Error(ErrorKind::kConfig, "'${" + std::string(body) +
                                          "}' does not name an environment variable "
                                          "(use ${NAME} or ${NAME:-default})");
    }
    std::optional<std::string> value = env(name);
    if (fallback_at != std::string_view::npos) {
      result.value += value && !value->empty() ? *value : std::string(body.substr(fallback_at + 2));
    } else if (value) {
      result.value += *value;
    } else {
      result.unset.push_back(name);
    }
    pos = close + 1;
  }
  return result;
}

void interpolate_tree(YamlNode& root, const EnvLookup& env, const std::string& file,
                      Diagnostics& diagnostics) {
  interpolate_node(root, "", env, file, diagnostics);
}

}  // namespace da::config
