// One issue from Jira to the tables, the steps every writer of the connector shares (the
// worker, the backfill, the consistency check, the SLA poll): fetch the complete document and
// download its attachments (before its rows are made, so that a row's local_path names a file that
// exists), turn it into rows, and keep the document in the issue store. The rows themselves are
// written by the caller, many issues per MonthWriter::apply (writer()).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "jira/api/jira_client.hpp"
#include "jira/jira_settings.hpp"
#include "jira/raw/issue_store.hpp"
#include "jira/tables/issue_rows.hpp"
#include "jira/tables/month_writer.hpp"
#include <nlohmann/json.hpp>

namespace da::connectors::jira {

// A fetched issue ready to write: its rows under the document's own key, and the asked key
// when the issue moved to another project (it answers under its new key; the old one is gone
// and its rows must be deleted).
struct StagedIssue {
  std::string key;
  IssueRows rows;
  std::optional<std::string> moved_from;
};

class IssueSync {
 public:
  // The clients of jira.* (and jira.sla.*) with its timeouts and retries; files under `data_dir`.
  IssueSync(const JiraSettings& settings, std::filesystem::path data_dir);
  ~IssueSync();

  // The complete document of `key` with its attachments downloaded (a failed download is
  // logged, not fatal: the row's local_path stays null until the next fetch); nullopt when Jira
  // answers 404. Throws Error(kSource) when Jira keeps failing. Thread-safe.
  std::optional<nlohmann::json> fetch(const std::string& key) const;
  // The rows of a document fetched for `asked`. Throws Error(kData) for a document that is not
  // an issue.
  StagedIssue stage(const std::string& asked, const nlohmann::json& document) const;
  // Stores `document` under the staged key; marks the moved-from key deleted.
  void keep(const StagedIssue& staged, const nlohmann::json& document);

  const JiraClient& client() const;
  // The SLA account's client when jira.sla is configured, else the main one.
  const JiraClient& sla_client() const;
  IssueStore& store();
  MonthWriter& writer();
  const JiraSettings& settings() const;
  RowContext row_context() const;

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

// The document's own key (another one when the issue moved to another project), else `asked`.
std::string document_key(const nlohmann::json& document, const std::string& asked);

}  // namespace da::connectors::jira
