// Time is UTC everywhere: ISO-8601 with a Z, or epoch microseconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace da {

using Clock = std::chrono::system_clock;
using Timestamp = std::chrono::time_point<Clock, std::chrono::microseconds>;

Timestamp now_utc();
// "2026-11-28T17:30:00.123456Z"
std::string format_iso8601(Timestamp time);
// "2026-11-28"
std::string format_date(std::chrono::sys_days day);
// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.ffffff]]" with "T" or " ", and an optional
// "Z" or "+HH:MM"/"-HH:MM" offset (no offset means UTC). Returns nullopt on anything else.
std::optional<Timestamp> parse_iso8601(std::string_view text);
int64_t to_epoch_micros(Timestamp time);
Timestamp from_epoch_micros(int64_t micros);
// now_utc() in epoch microseconds, as the state store keeps times.
int64_t now_micros();
// How long before now `micros` was, coarsely: "42s ago", "5m ago", "3h ago", "2d ago".
std::string format_ago(int64_t micros);

}  // namespace da
