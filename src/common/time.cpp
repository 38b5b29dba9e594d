#include "da/common/time.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/core.h>

namespace da {

namespace chr = std::chrono;

Timestamp now_utc() {
  return chr::time_point_cast<chr::microseconds>(Clock::now());
}

std::string format_date(chr::sys_days day) {
  chr::year_month_day ymd{day};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::string format_iso8601(Timestamp time) {
  auto day = chr::floor<chr::days>(time);
  chr::hh_mm_ss clock{chr::duration_cast<chr::microseconds>(time - day)};
  return fmt::format("{}T{:02}:{:02}:{:02}.{:06}Z", format_date(day), clock.hours().count(),
                     clock.minutes().count(), clock.seconds().count(), clock.subseconds().count());
}

namespace {

// Reads exactly `digits` decimal digits at `pos`.
std::optional<int> read_number(std::string_view text, size_t& pos, size_t digits) {
  if (pos + digits > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < digits; ++i) {
    char c = text[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += digits;
  return value;
}

bool expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::optional<Timestamp> parse_iso8601(std::string_view text) {
  size_t pos = 0;
  auto year = read_number(text, pos, 4);
  if (!year || !expect(text, pos, '-')) return std::nullopt;
  auto month = read_number(text, pos, 2);
  if (!month || !expect(text, pos, '-')) return std::nullopt;
  auto day = read_number(text, pos, 2);
  if (!day) return std::nullopt;
  chr::year_month_day ymd{chr::year{*year}, chr::month{static_cast<unsigned>(*month)},
                          chr::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) return std::nullopt;
  Timestamp result{chr::sys_days{ymd}};
  if (pos == text.size()) return result;
  if (text[pos] != 'T' && text[pos] != ' ') return std::nullopt;
  ++pos;
  auto hour = read_number(text, pos, 2);
  if (!hour || *hour > 23 || !expect(text, pos, ':')) return std::nullopt;
  auto minute = read_number(text, pos, 2);
  if (!minute || *minute > 59) return std::nullopt;
  int second = 0;
  int64_t micros = 0;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    auto parsed = read_number(text, pos, 2);
    if (!parsed || *parsed > 60) return std::nullopt;
    second = *parsed;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      int64_t scale = 100000;
      size_t start = pos;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        micros += (text[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) return std::nullopt;
    }
  }
  result +=
      chr::hours{*hour} + chr::minutes{*minute} + chr::seconds{second} + chr::microseconds{micros};
  if (pos == text.size() || (text[pos] == 'Z' && pos + 1 == text.size())) return result;
  if (text[pos] != '+' && text[pos] != '-') return std::nullopt;
  int sign = text[pos] == '+' ? 1 : -1;
  ++pos;
  auto offset_hours = read_number(text, pos, 2);
  if (!offset_hours) return std::nullopt;
  if (pos < text.size() && text[pos] == ':') ++pos;
  auto offset_minutes = read_number(text, pos, 2);
  if (!offset_minutes || pos != text.size()) return std::nullopt;
  result -= sign * (chr::hours{*offset_hours} + chr::minutes{*offset_minutes});
  return result;
}

int64_t to_epoch_micros(Timestamp time) {
  return time.time_since_epoch().count();
}

int64_t now_micros() {
  return to_epoch_micros(now_utc());
}

Timestamp from_epoch_micros(int64_t micros) {
  return Timestamp{chr::microseconds{micros}};
}

std::string format_ago(int64_t micros) {
  int64_t seconds = std::max<int64_t>(0, (to_epoch_micros(now_utc()) - micros) / 1'000'000);
  if (seconds < 60) return std::to_string(seconds) + "s ago";
  if (seconds < 3600) return std::to_string(seconds / 60) + "m ago";
  if (seconds < 86400) return std::to_string(seconds / 3600) + "h ago";
  return std::to_string(seconds / 86400) + "d ago";
}

}  // namespace da
