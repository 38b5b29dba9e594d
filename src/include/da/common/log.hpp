// Logging to stderr, with secrets redacted in one place: every value registered through
// add_secret() is replaced by "***" in every later message, and so are the values of
// secret-bearing parameters in query strings ("?token=...", "&code=...").
#pragma once

#include <string>
#include <string_view>

#include <fmt/core.h>

namespace da::log {

enum class Level { kDebug, kInfo, kWarn, kError, kOff };

// Parses "debug", "info", "warn"/"warning", "error", "off" (any case). Throws Error(kConfig).
Level parse_level(std::string_view name);
void set_level(Level level);
Level level();

// Registers a secret to redact (values shorter than 4 characters are ignored).
void add_secret(std::string_view secret);
// `text` with every registered secret, and every query-string value of a parameter named by
// is_secret_name(), replaced by "***".
std::string redact(std::string_view text);
// Whether a parameter of that name carries a secret: token, code, password, secret, key,
// signature, session, state and names ending in one of them ("access_token", "api_key").
bool is_secret_name(std::string_view name);

void write(Level level, std::string_view message);

template <typename... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
  if (level() <= Level::kDebug)
    write(Level::kDebug, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  if (level() <= Level::kInfo)
    write(Level::kInfo, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> format, Args&&... args) {
  if (level() <= Level::kWarn)
    write(Level::kWarn, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
  if (level() <= Level::kError)
    write(Level::kError, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace da::log
