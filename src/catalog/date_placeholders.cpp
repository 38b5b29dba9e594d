#include "da/catalog/date_placeholders.hpp"

#include <array>
#include <utility>

#include "da/common/strings.hpp"
#include "da/common/time.hpp"

namespace da::catalog {

namespace {

constexpr std::array<std::pair<std::string_view, int>, 8> kPlaceholders{{
    {"{{today}}", 0},
    {"{{last_week}}", 7},
    {"{{last_month}}", 30},
    {"{{last_2_months}}", 60},
    {"{{last_3_months}}", 90},
    {"{{last_6_months}}", 180},
    {"{{last_year}}", 365},
    {"{{last_2_years}}", 730},
}};

}  // namespace

std::string resolve_date_placeholders(std::string_view value, std::chrono::sys_days today) {
  std::string result(value);
  for (const auto& [placeholder, days_back] : kPlaceholders) {
    if (result.find(placeholder) == std::string::npos) continue;
    result = replace_all(result, placeholder, format_date(today - std::chrono::days{days_back}));
  }
  return result;
}

std::vector<std::string> unknown_placeholders(std::string_view value) {
  std::vector<std::string> unknown;
  size_t pos = 0;
  while ((pos = value.find("{{", pos)) != std::string_view::npos) {
    size_t end = value.find("}}", pos);
    if (end == std::string_view::npos) break;
    std::string_view placeholder = value.substr(pos, end + 2 - pos);
    bool known = false;
    for (const auto& entry : kPlaceholders)
      known = known || entry.first == placeholder;
    if (!known) unknown.emplace_back(placeholder);
    pos = end + 2;
  }
  return unknown;
}

}  // namespace da::catalog
