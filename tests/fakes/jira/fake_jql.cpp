#include "fakes/jira/fake_jql.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <tuple>

#include <fmt/chrono.h>
#include <fmt/core.h>

#include "da/common/strings.hpp"

namespace da::fakes::jql {

namespace chr = std::chrono;

namespace {

std::string unquote(std::string text) {
  text = std::string(trim(text));
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front())
    return text.substr(1, text.size() - 2);
  return text;
}

std::optional<chr::sys_seconds> parse_jql_time(const std::string& text) {
  std::smatch match;
  static const std::regex relative(R"(^-(\d+)([dhm])$)");
  if (std::regex_match(text, match, relative)) {
    auto amount = std::stoll(match[1]);
    auto span = match[2] == "d" ? chr::hours(24 * amount)
                                : (match[2] == "h" ? chr::hours(amount) : chr::minutes(amount));
    return chr::floor<chr::seconds>(chr::system_clock::now()) - span;
  }
  static const std::regex absolute(R"(^(\d{4})[-/](\d{2})[-/](\d{2})(?:\s+(\d{2}):(\d{2}))?$)");
  if (!std::regex_match(text, match, absolute)) return std::nullopt;
  chr::sys_days date = chr::year{std::stoi(match[1])} /
                       chr::month(static_cast<unsigned>(std::stoi(match[2]))) /
                       chr::day(static_cast<unsigned>(std::stoi(match[3])));
  chr::sys_seconds time = date;
  if (match[4].matched) time += chr::hours(std::stoi(match[4])) + chr::minutes(std::stoi(match[5]));
  return time;
}

// Splits on a case-insensitive word separator such as " AND ".
std::vector<std::string> split_words(const std::string& text, const std::string& separator) {
  std::vector<std::string> parts;
  std::string lower = to_lower(text);
  std::size_t start = 0;
  for (std::size_t at; (at = lower.find(separator, start)) != std::string::npos;) {
    parts.push_back(text.substr(start, at - start));
    start = at + separator.size();
  }
  parts.push_back(text.substr(start));
  return parts;
}

std::optional<Clause> parse_clause(const std::string& text) {
  std::smatch match;
  static const std::regex comparison(
      R"(^\s*(project|key|created|updated|statusCategory)\s*(!=|>=|<=|=|>|<|\bin\b)\s*(.*?)\s*$)",
      std::regex::icase);
  if (!std::regex_match(text, match, comparison)) return std::nullopt;
  Clause clause{to_lower(match[1].str()), to_lower(match[2].str()), {}, {}};
  std::string value = match[3];
  if (clause.op == "in") {
    if (clause.field != "key" || value.size() < 2 || value.front() != '(' || value.back() != ')')
      return std::nullopt;
    for (const std::string& item : split(value.substr(1, value.size() - 2), ','))
      clause.values.push_back(to_upper(unquote(item)));
    return clause;
  }
  clause.values.push_back(unquote(value));
  if (clause.field == "created" || clause.field == "updated") {
    auto time = parse_jql_time(clause.values.front());
    if (!time) return std::nullopt;
    clause.time = *time;
  } else if (clause.op != "=" && clause.op != "!=") {
    return std::nullopt;
  }
  return clause;
}

bool compare_time(chr::sys_seconds value, const Clause& clause) {
  if (clause.op == ">=") return value >= clause.time;
  if (clause.op == ">") return value > clause.time;
  if (clause.op == "<=") return value <= clause.time;
  if (clause.op == "<") return value < clause.time;
  return value == clause.time;
}

bool matches_clause(const FakeJiraIssue& issue, const Clause& clause) {
  const std::string& value = clause.values.front();
  if (clause.field == "project") {
    bool same = to_upper(value) == project_of(issue.key);
    return clause.op == "=" ? same : !same;
  }
  if (clause.field == "key") {
    if (clause.op == "in")
      return std::find(clause.values.begin(), clause.values.end(), issue.key) !=
             clause.values.end();
    bool same = to_upper(value) == issue.key;
    return clause.op == "=" ? same : !same;
  }
  if (clause.field == "statuscategory") {
    bool same = to_lower(value) == to_lower(issue.status_category);
    return clause.op == "=" ? same : !same;
  }
  auto time = parse_jira_time(clause.field == "created" ? issue.created : updated_of(issue));
  return time && compare_time(time->utc, clause);
}

// What ORDER BY `field` sorts on; ties go by project and issue number.
std::tuple<int64_t, std::string, int64_t> order_of(const FakeJiraIssue& issue,
                                                   const std::string& field) {
  int64_t time = 0;
  if (field == "created" || field == "updated") {
    auto parsed = parse_jira_time(field == "created" ? issue.created : updated_of(issue));
    if (parsed) time = parsed->utc.time_since_epoch().count();
  }
  auto dash = issue.key.find('-');
  int64_t number = dash == std::string::npos ? 0 : std::atoll(issue.key.c_str() + dash + 1);
  return {time, project_of(issue.key), number};
}

}  // namespace

std::optional<JiraTime> parse_jira_time(const std::string& text) {
  int year, month, day, hour, minute, second;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day, &hour, &minute,
                  &second) != 6)
    return std::nullopt;
  JiraTime time;
  auto sign = text.find_first_of("+-", 19);
  if (sign != std::string::npos && text.size() >= sign + 5) {
    int hours = std::stoi(text.substr(sign + 1, 2));
    int minutes = std::stoi(text.substr(text[sign + 3] == ':' ? sign + 4 : sign + 3, 2));
    time.offset_minutes = (text[sign] == '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  chr::sys_days date = chr::year{year} / chr::month(static_cast<unsigned>(month)) /
                       chr::day(static_cast<unsigned>(day));
  time.utc = date + chr::hours(hour) + chr::minutes(minute) + chr::seconds(second) -
             chr::minutes(time.offset_minutes);
  return time;
}

std::string format_jira_time(const JiraTime& time) {
  auto local = time.utc + chr::minutes(time.offset_minutes);
  int offset = std::abs(time.offset_minutes);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.000{}{:02}{:02}", local,
                     time.offset_minutes < 0 ? '-' : '+', offset / 60, offset % 60);
}

std::string project_of(const std::string& key) {
  return key.substr(0, key.find('-'));
}

std::string updated_of(const FakeJiraIssue& issue) {
  return issue.updated.empty() ? issue.created : issue.updated;
}

std::optional<Query> parse(const std::string& jql, std::string& problem) {
  Query query;
  std::string where = jql;
  std::string lower = to_lower(jql);
  if (auto order = lower.find("order by"); order != std::string::npos) {
    where = jql.substr(0, order);
    std::vector<std::string> words = split_trimmed(jql.substr(order + 8), ' ');
    words.erase(std::remove(words.begin(), words.end(), ""), words.end());
    if (words.empty() || words.size() > 2) {
      problem = "ORDER BY needs one field";
      return std::nullopt;
    }
    query.order_field = to_lower(words[0]);
    query.descending = words.size() == 2 && to_lower(words[1]) == "desc";
  }
  if (trim(where).empty()) return query;
  for (const std::string& part : split_words(where, " and ")) {
    auto clause = parse_clause(part);
    if (!clause) {
      problem = "the fake does not understand '" + std::string(trim(part)) + "'";
      return std::nullopt;
    }
    query.clauses.push_back(*clause);
  }
  return query;
}

bool matches(const Query& query, const FakeJiraIssue& issue) {
  return std::all_of(query.clauses.begin(), query.clauses.end(),
                     [&](const Clause& clause) { return matches_clause(issue, clause); });
}

void sort(const Query& query, std::vector<const FakeJiraIssue*>& issues) {
  std::stable_sort(issues.begin(), issues.end(),
                   [&](const FakeJiraIssue* a, const FakeJiraIssue* b) {
                     auto first = order_of(*a, query.order_field);
                     auto second = order_of(*b, query.order_field);
                     return query.descending ? second < first : first < second;
                   });
}

}  // namespace da::fakes::jql
