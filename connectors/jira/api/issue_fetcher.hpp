// The complete issue document: Jira's issue JSON with renderedFields and the
// changelog, completed with every comment and every changelog history even past the pages the
// issue embeds (fields.comment.comments, changelog.histories; their totals, startAt 0,
// maxResults = total), the remote links as `_remote_links`, the SLA fields of a second account
// overlaid when one is configured, and `_synced_at` (UTC ISO-8601, seconds).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "jira/api/jira_client.hpp"
#include <nlohmann/json.hpp>

namespace da::connectors::jira {

class IssueFetcher {
 public:
  // `sla` null: no overlay. `sla_fields`: the two SLA custom field ids ("" = none). Both
  // clients must outlive the fetcher.
  IssueFetcher(const JiraClient& client, const JiraClient* sla,
               std::vector<std::string> sla_fields);

  // The complete issue document, or nullopt when Jira answers 404 (deleted or no permission),
  // also when the issue disappears between the calls. Throws Error(kSource) when Jira keeps
  // failing after the retries (the SLA account's failures included: the document would be
  // wrong without them). Thread-safe.
  std::optional<nlohmann::json> fetch(const std::string& key) const;

 private:
  void complete_comments(const std::string& key, nlohmann::json& document) const;
  void complete_changelog(const std::string& key, nlohmann::json& document) const;
  void overlay_sla(const std::string& key, nlohmann::json& document) const;

  const JiraClient& client_;
  const JiraClient* sla_;
  std::vector<std::string> sla_fields_;  // the non-empty ones
};

}  // namespace da::connectors::jira
