#include "jira/tables/attachment_paths.hpp"

#include <algorithm>

#include "da/common/error.hpp"

namespace da::connectors::jira {

namespace {

constexpr size_t kMaxNameBytes = 200;

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The longest prefix of `text` of at most `bytes` bytes that ends between UTF-8 characters.
std::string_view utf8_prefix(std::string_view text, size_t bytes) {
  if (text.size() <= bytes) return text;
  size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return text.substr(0, end);
}

}  // namespace

std::string sanitise_file_name(std::string_view name) {
  size_t separator = name.find_last_of("/\\");
  if (separator != std::string_view::npos) name.remove_prefix(separator + 1);
  std::string clean;
  for (char c : name) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) continue;
    if (clean.empty() && c == '.') continue;
    clean.push_back(c);
  }
  if (clean.empty()) return "file";
  return std::string(utf8_prefix(clean, kMaxNameBytes));
}

std::string hierarchical_path(std::string_view issue_key, std::string_view attachment_id,
                              std::string_view file_name) {
  size_t dash = issue_key.rfind('-');
  std::string_view number =
      dash == std::string_view::npos ? std::string_view() : issue_key.substr(dash + 1);
  if (!all_digits(number)) {
    throw Error(ErrorKind::kData, "Jira issue key '" + std::string(issue_key) +
                                      "' does not end in -<number>; cannot place its attachments");
  }
  if (!all_digits(attachment_id)) {
    throw Error(ErrorKind::kData, "attachment id '" + std::string(attachment_id) + "' of " +
                                      std::string(issue_key) + " is not a number");
  }
  std::string padded =
      std::string(number.size() < 3 ? 3 - number.size() : 0, '0') + std::string(number);
  std::string upper = padded.substr(0, padded.size() - 3);
  if (upper.empty()) upper = "0";
  return upper + "/" + padded.substr(padded.size() - 3) + "/" + std::string(attachment_id) + "_" +
         sanitise_file_name(file_name);
}

}  // namespace da::connectors::jira
