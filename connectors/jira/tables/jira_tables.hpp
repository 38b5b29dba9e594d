// The six tables the Jira connector publishes, with their columns in the original's order and
// their DuckDB types: the analysts' contract (views jira_<name>). Timestamps are TIMESTAMPTZ in
// UTC, counts BIGINT, arrays JSON text, everything else VARCHAR.
#pragma once

#include <array>
#include <cstddef>
#include <string>

#include "da/published/table_schema.hpp"

namespace da::connectors::jira {

// Positions in jira_tables() (and in IssueRows::tables).
inline constexpr size_t kIssues = 0;
inline constexpr size_t kComments = 1;
inline constexpr size_t kAttachments = 2;
inline constexpr size_t kChangelog = 3;
inline constexpr size_t kIssueLinks = 4;
inline constexpr size_t kRemoteLinks = 5;
inline constexpr size_t kTableCount = 6;

inline constexpr const char* kVarchar = "VARCHAR";
inline constexpr const char* kBigint = "BIGINT";
inline constexpr const char* kTimestampTz = "TIMESTAMP WITH TIME ZONE";

struct JiraTable {
  std::string name;  // issues, comments, ...: the folder under parquet/<folder>/
  published::TableSchema schema;
};

// issues, comments, attachments, changelog, issuelinks, remote_links.
const std::array<JiraTable, kTableCount>& jira_tables();

}  // namespace da::connectors::jira
