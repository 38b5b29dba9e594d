// The per-issue path every writer of the Jira tables shares (the worker, the consistency check,
// the SLA poll): the REST clients of the configured accounts, the complete issue document with
// its attachments downloaded (before its rows are made, so a row's local_path names a file that
// exists), the issue store and the context rows are made in. Thread-safe for fetch().
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "jira/api/jira_client.hpp"
#include "jira/jira_settings.hpp"
#include "jira/raw/issue_store.hpp"
#include "jira/tables/issue_rows.hpp"
#include <nlohmann/json.hpp>

namespace da::connectors::jira {

class IssueSync {
 public:
  IssueSync(const JiraSettings& settings, std::filesystem::path data_dir);
  ~IssueSync();

  // The complete issue document (api/issue_fetcher.hpp) with its attachments downloaded; a
  // failed download is logged, not fatal (its row's local_path stays null). nullopt on 404.
  // Throws Error(kSource) when Jira keeps failing.
  std::optional<nlohmann::json> fetch(const std::string& key) const;

  const JiraClient& client() const;
  // The SLA account's client when jira.sla is configured, else the main one.
  const JiraClient& sla_client() const;
  IssueStore& store();
  RowContext row_context() const;

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

// The document's own key (another one when the issue moved to another project), else `asked`.
std::string document_key(const nlohmann::json& document, const std::string& asked);

}  // namespace da::connectors::jira
