// Telegram's MarkdownV2: text from scripts and users is escaped so that it shows as written
// (no surprise bold, no clickable phishing links) and the message is never refused for it.
#pragma once

#include <string>
#include <string_view>

namespace da::services::telegram_bot {

// Every character MarkdownV2 reserves, and the backslash, preceded by a backslash.
std::string escape_markdown_v2(std::string_view text);
// For inside `code`: only ` and \ are escaped.
std::string escape_markdown_v2_code(std::string_view text);
// `text` cut to at most `max_characters` Unicode characters (UTF-8 kept whole), ending in "…"
// when cut.
std::string truncate_characters(std::string_view text, std::size_t max_characters);

}  // namespace da::services::telegram_bot
