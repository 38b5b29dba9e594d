#include "markdown_v2.hpp"

namespace da::services::telegram_bot {

namespace {

constexpr std::string_view kReserved = "_*[]()~`>#+-=|{}.!\\";

}  // namespace

std::string escape_markdown_v2(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    if (kReserved.find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string escape_markdown_v2_code(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '`' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string truncate_characters(std::string_view text, std::size_t max_characters) {
  std::size_t characters = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool starts_character = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (!starts_character) continue;
    if (characters == max_characters - 1) {
      // Does the rest fit as it is?
      std::size_t rest = 0;
      for (std::size_t j = i; j < text.size(); ++j)
        rest += (static_cast<unsigned char>(text[j]) & 0xC0) != 0x80 ? 1 : 0;
      if (rest <= 1) return std::string(text);
      return std::string(text.substr(0, i)) + "\xE2\x80\xA6";
    }
    ++characters;
  }
  return std::string(text);
}

}  // namespace da::services::telegram_bot
