// The parts of Jira the fake reads the way Jira does: its timestamps
// ("2026-01-15T10:00:00.000+0100") and the subset of JQL that FakeJira's search/jql understands
// (tests/fakes/jira/fake_jira.hpp lists it).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "fakes/jira/fake_jira.hpp"

namespace da::fakes::jql {

// A Jira timestamp as UTC seconds and its offset in minutes.
struct JiraTime {
  std::chrono::sys_seconds utc;
  int offset_minutes = 0;
};

std::optional<JiraTime> parse_jira_time(const std::string& text);
// "2026-01-15T10:00:00.000+0100", in the time's own offset.
std::string format_jira_time(const JiraTime& time);

// The project of "SUPPORT-12": "SUPPORT".
std::string project_of(const std::string& key);
// `updated`, or `created` when the issue was never updated.
std::string updated_of(const FakeJiraIssue& issue);

// One clause of the subset.
struct Clause {
  std::string field;  // project, key, created, updated, statuscategory
  std::string op;     // =, !=, >=, >, <=, <, in
  std::vector<std::string> values;
  std::chrono::sys_seconds time{};
};

struct Query {
  std::vector<Clause> clauses;  // all must hold
  std::string order_field = "key";
  bool descending = false;
};

// nullopt with `problem` set when the JQL is outside the subset.
std::optional<Query> parse(const std::string& jql, std::string& problem);
bool matches(const Query& query, const FakeJiraIssue& issue);
// Sorts as the query's ORDER BY says; ties go by project and issue number.
void sort(const Query& query, std::vector<const FakeJiraIssue*>& issues);

}  // namespace da::fakes::jql
