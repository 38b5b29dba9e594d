#include "da/common/log.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::log {

namespace {

std::atomic<Level> g_level{Level::kInfo};

std::mutex& secrets_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::vector<std::string>& secrets() {
  static std::vector<std::string> values;
  return values;
}

spdlog::logger& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    auto created = std::make_shared<spdlog::logger>("da", sink);
    created->set_pattern("%^%Y-%m-%dT%H:%M:%S.%eZ %l%$ %v", spdlog::pattern_time_type::utc);
    created->set_level(spdlog::level::trace);
    return created;
  }();
  return *instance;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
    case Level::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

Level parse_level(std::string_view name) {
  std::string lower = to_lower(trim(name));
  if (lower == "debug" || lower == "trace") return Level::kDebug;
  if (lower == "info") return Level::kInfo;
  if (lower == "warn" || lower == "warning") return Level::kWarn;
  if (lower == "error") return Level::kError;
  if (lower == "off" || lower == "none") return Level::kOff;
  throw Error(ErrorKind::kConfig, "unknown log level '" + std::string(name) +
                                      "' (use debug, info, warn, error or off)");
}

void set_level(Level level) {
  g_level = level;
}
Level level() {
  return g_level;
}

void add_secret(std::string_view secret) {
  if (secret.size() < 4) return;
  std::lock_guard lock(secrets_mutex());
  auto& values = secrets();
  if (std::find(values.begin(), values.end(), secret) != values.end()) return;
  values.emplace_back(secret);
  // Longest first, so a secret that contains another is redacted whole.
  std::sort(values.begin(), values.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

bool is_secret_name(std::string_view name) {
  std::string lower = to_lower(name);
  for (std::string_view secret : {"token", "code", "password", "passwd", "secret", "key",
                                  "signature", "sig", "session", "state", "jwt", "ticket"}) {
    if (lower.size() < secret.size()) continue;
    if (lower.compare(lower.size() - secret.size(), secret.size(), secret) != 0) continue;
    if (lower.size() == secret.size()) return true;
    char before = lower[lower.size() - secret.size() - 1];
    if (before == '_' || before == '-' || before == '.') return true;
  }
  return false;
}

namespace {

// Replaces the values of secret parameters in every "?name=value" / "&name=value".
void redact_query_values(std::string& text) {
  for (std::size_t at = text.find_first_of("?&"); at != std::string::npos;
       at = text.find_first_of("?&", at + 1)) {
    std::size_t name_end = text.find('=', at + 1);
    if (name_end == std::string::npos) return;
    std::string_view name(text.data() + at + 1, name_end - at - 1);
    if (name.empty() || name.find_first_of(" &?\"'<>") != std::string_view::npos) continue;
    if (!is_secret_name(name)) continue;
    std::size_t value_end = text.find_first_of("& \t\r\n\"'#<>", name_end + 1);
    if (value_end == std::string::npos) value_end = text.size();
    if (value_end == name_end + 1) continue;
    text.replace(name_end + 1, value_end - name_end - 1, "***");
  }
}

}  // namespace

std::string redact(std::string_view text) {
  std::string result(text);
  {
    std::lock_guard lock(secrets_mutex());
    for (const std::string& secret : secrets())
      result = replace_all(result, secret, "***");
  }
  if (result.find('=') != std::string::npos) redact_query_values(result);
  return result;
}

void write(Level level, std::string_view message) {
  if (level < g_level.load() || level == Level::kOff) return;
  logger().log(to_spdlog(level), "{}", redact(message));
}

}  // namespace da::log
