#include "da/cli/command.hpp"

#include <charconv>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::cli {

OptionSpec flag(std::string name, std::string help) {
  return {OptionSpec::Kind::kFlag, std::move(name), std::move(help), {}, {}, false};
}

OptionSpec value_option(std::string name, std::string help, std::string default_value,
                        std::vector<std::string> choices) {
  return {OptionSpec::Kind::kValue, std::move(name),    std::move(help),
          std::move(default_value), std::move(choices), false};
}

OptionSpec value_list_option(std::string name, std::string help) {
  return {OptionSpec::Kind::kValueList, std::move(name), std::move(help), {}, {}, false};
}

OptionSpec positional(std::string name, std::string help, bool required) {
  return {OptionSpec::Kind::kPositional, std::move(name), std::move(help), {}, {}, required};
}

OptionSpec positional_list(std::string name, std::string help) {
  return {OptionSpec::Kind::kPositionalList, std::move(name), std::move(help), {}, {}, false};
}

std::string option_key(const OptionSpec& option) {
  std::string name = option.name;
  size_t comma = name.rfind(',');
  if (comma != std::string::npos) name = name.substr(comma + 1);
  size_t start = name.find_first_not_of('-');
  return to_lower(start == std::string::npos ? name : name.substr(start));
}

bool Arguments::flag(std::string_view key) const {
  auto found = flags_.find(key);
  return found != flags_.end() && found->second;
}

bool Arguments::has(std::string_view key) const {
  auto found = values_.find(key);
  return found != values_.end() && !found->second.empty();
}

std::string Arguments::value(std::string_view key) const {
  auto found = values_.find(key);
  return found == values_.end() || found->second.empty() ? std::string() : found->second.front();
}

std::vector<std::string> Arguments::values(std::string_view key) const {
  auto found = values_.find(key);
  return found == values_.end() ? std::vector<std::string>() : found->second;
}

int64_t Arguments::integer(std::string_view key) const {
  std::string text = value(key);
  int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw Error(ErrorKind::kConfig,
                "--" + std::string(key) + ": expected an integer, got '" + text + "'");
  }
  return number;
}

void CommandRegistry::add(CommandSpec command) {
  for (const CommandSpec& existing : commands_) {
    if (existing.path == command.path) {
      throw Error(ErrorKind::kInternal,
                  "two modules register the command 'da " + command.path + "'");
    }
  }
  commands_.push_back(std::move(command));
}

void CommandRegistry::describe_group(std::string path, std::string summary) {
  group_summaries_[std::move(path)] = std::move(summary);
}

void CommandRegistry::add_alias(std::string old_name, std::string path) {
  aliases_[std::move(path)].push_back(std::move(old_name));
}

std::string CommandRegistry::group_summary(const std::string& path) const {
  auto found = group_summaries_.find(path);
  return found == group_summaries_.end() ? std::string() : found->second;
}

}  // namespace da::cli
