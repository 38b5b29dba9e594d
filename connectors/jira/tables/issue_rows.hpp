// The complete issue document (Jira's issue JSON with all comments, all changelog histories,
// `_remote_links` and `_synced_at`; see api/issue_fetcher.hpp) turned into the rows of the six
// tables, every column as the original computed it. A field that is missing, null or of an
// unexpected shape gives NULL, never an error; only a document that is not an issue at all is.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "jira/tables/custom_fields.hpp"
#include "jira/tables/jira_tables.hpp"
#include <nlohmann/json_fwd.hpp>

#include "da/duck/value.hpp"

namespace da::connectors::jira {

struct RowContext {
  std::string browse_base_url;  // jira.base_url: issue_url = <it>/browse/<KEY> (NULL when "")
  CustomFieldIds fields;
  std::filesystem::path attachments_root;  // <data_dir>/raw/jira/attachments
};

struct IssueRows {
  std::string issue_key;
  std::string month;  // YYYY-MM
  // In jira_tables() order, each row's values in its table's column order: text, BIGINT as
  // an integer, TIMESTAMPTZ as ISO-8601 UTC text ("2024-01-15T09:30:00.000000Z"), or NULL.
  std::vector<std::vector<duck::Value>> tables[kTableCount];
};

// YYYY-MM of fields.created in the timestamp's own offset ("2024-02-01T00:30:00.000+0100" is
// 2024-02); the current UTC month when it is missing or not a timestamp (as the original).
std::string issue_month(const nlohmann::json& document);

// Throws Error(kData) naming the field when `document` is not an issue (no key of the form
// <PROJECT>-<number>, no fields object) or an attachment id is not a number.
IssueRows issue_rows(const nlohmann::json& document, const RowContext& context);

}  // namespace da::connectors::jira
