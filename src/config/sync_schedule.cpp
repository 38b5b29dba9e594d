#include "da/config/sync_schedule.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <regex>

#include <fmt/core.h>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/config/node_reader.hpp"

namespace da::config {

namespace {

// One component of a calendar expression (hour, day, ...): its name and allowed values.
struct Field {
  const char* name;
  int min;
  int max;
  bool fraction = false;  // seconds may be written 30.5
};

constexpr Field kYear{"year", 1970, 2199};
constexpr Field kMonth{"month", 1, 12};
constexpr Field kDay{"day", 1, 31};
constexpr Field kHour{"hour", 0, 23};
constexpr Field kMinute{"minute", 0, 59};
constexpr Field kSecond{"second", 0, 59, true};

constexpr std::array<std::string_view, 9> kShorthands = {"minutely", "hourly",    "daily",
                                                         "weekly",   "monthly",   "yearly",
                                                         "annually", "quarterly", "semiannually"};
constexpr std::array<std::string_view, 7> kWeekdays = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

// Reasons are thrown as this and reported with the whole entry by on_calendar().
struct Refusal {
  std::string why;
};

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A number of `field`, in range; with field.fraction also "30.5".
double number(std::string_view text, const Field& field) {
  std::string_view whole = text;
  std::string_view decimals;
  if (auto dot = text.find('.'); dot != std::string_view::npos && field.fraction) {
    whole = text.substr(0, dot);
    decimals = text.substr(dot + 1);
    if (!all_digits(decimals)) throw Refusal{fmt::format("'{}' is not a {}", text, field.name)};
  }
  int value = 0;
  if (!all_digits(whole) || whole.size() > 4 ||
      std::from_chars(whole.data(), whole.data() + whole.size(), value).ec != std::errc())
    throw Refusal{fmt::format("'{}' is not a {}", text, field.name)};
  if (value < field.min || value > field.max)
    throw Refusal{
        fmt::format("{} {} is not between {} and {}", field.name, text, field.min, field.max)};
  return value + (decimals.empty() ? 0.0 : std::stod("0." + std::string(decimals)));
}

// "*", or a comma list of N, N..M, N/R and N..M/R.
void check_field(std::string_view text, const Field& field) {
  if (text == "*") return;
  for (const std::string& item : split(std::string(text), ',')) {
    std::string_view rest = item;
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
      Field repeat{field.name, 0, field.max, field.fraction};
      if (number(rest.substr(slash + 1), repeat) <= 0)
        throw Refusal{fmt::format("the {} repeats every 0", field.name)};
      rest = rest.substr(0, slash);
    }
    if (auto range = rest.find(".."); range != std::string_view::npos) {
      if (number(rest.substr(0, range), field) > number(rest.substr(range + 2), field))
        throw Refusal{fmt::format("the {} range '{}' runs backwards", field.name, rest)};
    } else {
      number(rest, field);
    }
  }
}

int weekday(std::string_view text) {
  std::string name = to_lower(text);
  for (size_t i = 0; i < kWeekdays.size(); ++i)
    if (name == kWeekdays[i] || name == kWeekdays[i].substr(0, 3)) return static_cast<int>(i);
  throw Refusal{fmt::format("'{}' is not a weekday (Mon, Tue, ... or Monday, ...)", text)};
}

// "Mon", "Mon..Fri", "Mon-Fri", "Sat,Sun".
void check_weekdays(std::string_view text) {
  for (const std::string& item : split(std::string(text), ',')) {
    std::string_view day = item;
    size_t range = day.find("..");
    size_t length = 2;
    if (range == std::string_view::npos) {
      range = day.find('-');
      length = 1;
    }
    if (range == std::string_view::npos) {
      weekday(day);
    } else if (weekday(day.substr(0, range)) > weekday(day.substr(range + length))) {
      throw Refusal{fmt::format("the weekday range '{}' runs backwards", day)};
    }
  }
}

// [YEAR-]MONTH-DAY, with "~" before the day counting from the month's end.
void check_date(std::string_view text) {
  size_t tilde = text.find('~');
  if (tilde != std::string_view::npos &&
      text.find_first_of("-~", tilde + 1) != std::string_view::npos)
    throw Refusal{fmt::format("'{}': '~' may only stand before the day", text)};
  std::string dashes(text);
  if (tilde != std::string_view::npos) dashes[tilde] = '-';
  std::vector<std::string> parts = split(dashes, '-');
  if (parts.size() < 2 || parts.size() > 3)
    throw Refusal{fmt::format("'{}' is not a date (YEAR-MONTH-DAY or MONTH-DAY)", text)};
  if (parts.size() == 3) check_field(parts[0], kYear);
  check_field(parts[parts.size() - 2], kMonth);
  check_field(parts.back(), kDay);
}

// HOUR:MINUTE[:SECOND].
void check_time(std::string_view text) {
  std::vector<std::string> parts = split(std::string(text), ':');
  if (parts.size() < 2 || parts.size() > 3)
    throw Refusal{fmt::format("'{}' is not a time (HH:MM or HH:MM:SS)", text)};
  check_field(parts[0], kHour);
  check_field(parts[1], kMinute);
  if (parts.size() == 3) check_field(parts[2], kSecond);
}

void check_time_zone(std::string_view text) {
  if (to_lower(text) == "utc") return;
  static const std::regex name("^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$");
  std::error_code ignored;
  if (!std::regex_match(text.begin(), text.end(), name) ||
      !std::filesystem::is_regular_file("/usr/share/zoneinfo/" + std::string(text), ignored))
    throw Refusal{
        fmt::format("'{}' is not a time zone this machine knows (UTC, Europe/Prague, ...)", text)};
}

// [WEEKDAYS] [DATE] [TIME] [TIME ZONE], at least one of the first three.
void check_expression(std::string_view entry) {
  std::vector<std::string> tokens = split_trimmed(entry, ' ');
  if (tokens.size() == 1 &&
      std::find(kShorthands.begin(), kShorthands.end(), to_lower(tokens[0])) != kShorthands.end())
    return;
  size_t next = 0;
  auto take = [&](auto predicate, auto check) {
    if (next < tokens.size() && predicate(tokens[next])) check(tokens[next++]);
  };
  auto is_word = [](const std::string& token) {
    return std::isalpha(static_cast<unsigned char>(token[0]));
  };
  auto is_date = [](const std::string& token) {
    return token.find(':') == std::string::npos && token.find_first_of("-~") != std::string::npos;
  };
  auto is_time = [](const std::string& token) { return token.find(':') != std::string::npos; };
  take(is_word, check_weekdays);
  take(is_date, check_date);
  take(is_time, check_time);
  if (next == 0)
    throw Refusal{fmt::format("'{}' is neither a weekday, a date nor a time", tokens[0])};
  if (next < tokens.size()) check_time_zone(tokens[next++]);
  if (next < tokens.size()) throw Refusal{fmt::format("'{}' is not expected there", tokens[next])};
}

}  // namespace

std::string on_calendar(std::string_view entry) {
  std::string text(trim(entry));
  try {
    if (text.empty()) throw Refusal{"it is empty"};
    if (std::any_of(text.begin(), text.end(),
                    [](char c) { return std::iscntrl(static_cast<unsigned char>(c)); }))
      throw Refusal{"it holds a control character"};
    static const std::regex time_of_day("^([0-9]{1,2}):([0-9]{2})$");
    std::smatch match;
    if (std::regex_match(text, match, time_of_day)) {
      int hour = static_cast<int>(number(match[1].str(), kHour));
      int minute = static_cast<int>(number(match[2].str(), kMinute));
      return fmt::format("*-*-* {:02}:{:02}:00 UTC", hour, minute);
    }
    check_expression(text);
    return text;
  } catch (const Refusal& refusal) {
    throw Error(ErrorKind::kConfig,
                fmt::format("'{}' is not a time of day (HH:MM, in UTC) or a systemd calendar "
                            "expression (see `man systemd.time`): {}",
                            text, refusal.why));
  }
}

void read_schedule(const NodeReader& node, std::vector<std::string>& out,
                   std::string_view instead_of_empty) {
  if (!node.present()) return;
  std::vector<NodeReader> items =
      node.node()->is_scalar() ? std::vector<NodeReader>{node} : node.items();
  if (items.empty()) {
    node.error("list at least one time; " + std::string(instead_of_empty));
    return;
  }
  out.clear();
  for (const NodeReader& item : items) {
    std::optional<std::string> entry = item.as_optional_string();  // reports a wrong type
    if (!entry) {
      if (!item.present()) item.error("empty entry: expected a time such as '06:00'");
      continue;
    }
    try {
      on_calendar(*entry);
      out.push_back(std::string(trim(*entry)));
    } catch (const Error& e) {
      item.error(e.what());
    }
  }
}

}  // namespace da::config
