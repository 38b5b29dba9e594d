// Date placeholders in where_filters values: {{today}}, {{last_week}} (7 days ago),
// {{last_month}} (30), {{last_2_months}} (60), {{last_3_months}} (90), {{last_6_months}} (180),
// {{last_year}} (365), {{last_2_years}} (730), each as YYYY-MM-DD in UTC. They are resolved
// when a sync runs, not when the file is read, so a long-running process stays correct.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace da::catalog {

std::string resolve_date_placeholders(std::string_view value, std::chrono::sys_days today);
// Placeholders in `value` that resolve_date_placeholders() leaves as they are.
std::vector<std::string> unknown_placeholders(std::string_view value);

}  // namespace da::catalog
