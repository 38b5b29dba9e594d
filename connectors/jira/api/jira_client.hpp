// The Jira REST API v3 calls the connector needs
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/), over da::net::HttpClient.
// Every call authenticates with Basic auth (email and API token) against the configured base
// URL (Jira Cloud or Data Center: no host is built in), has a timeout, and is repeated under the
// RetryPolicy on network errors, 429 (honouring Retry-After) and 5xx. A failure throws
// Error(kSource) naming the call's method and path, the HTTP status and Jira's errorMessages;
// for 401/403 it also says which settings to check. A 404 of an issue's sub-resource throws
// Error(kNotFound). Messages never contain the token. Thread-safe: calls share nothing but the
// options.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "da/net/http_client.hpp"
#include "da/net/retry_policy.hpp"

namespace da::connectors::jira {

struct JiraAccount {
  std::string base_url;  // https://example.atlassian.net (a trailing slash is fine)
  std::string email;
  std::string api_token;
};

struct ClientOptions {
  JiraAccount account;
  std::chrono::milliseconds timeout{30'000};  // of each API call
  net::RetryPolicy retry;
  // Attachments are larger than API answers: each content download gets this long.
  std::chrono::milliseconds download_timeout{std::chrono::minutes(5)};
  // What a 401/403 tells the operator to check.
  std::string credentials_hint = "jira.email and JIRA_API_TOKEN";
};

// One page of a JQL search.
struct SearchPage {
  nlohmann::json issues = nlohmann::json::array();  // {id, key, fields} objects
  std::string next_page_token;                      // "" on the last page
};

class JiraClient {
 public:
  explicit JiraClient(ClientOptions options);

  // base_url without trailing slashes.
  const std::string& base_url() const { return options_.account.base_url; }

  // GET /rest/api/3/issue/{key}?expand=renderedFields,changelog&fields=*all as Jira answers it
  // (the embedded comment and changelog pages may be incomplete); nullopt on 404 (deleted, or
  // not visible to this account).
  std::optional<nlohmann::json> issue(const std::string& key) const;
  // GET /rest/api/3/issue/{key}?fields=<fields>: the issue with those fields only; nullopt on 404.
  std::optional<nlohmann::json> issue_fields(const std::string& key,
                                             const std::vector<std::string>& fields) const;
  // GET /rest/api/3/issue/{key}/comment: {startAt, maxResults, total, comments[]}.
  nlohmann::json comments_page(const std::string& key, int start_at, int max_results) const;
  // GET /rest/api/3/issue/{key}/changelog: {startAt, maxResults, total, isLast, values[]}.
  nlohmann::json changelog_page(const std::string& key, int start_at, int max_results) const;
  // GET /rest/api/3/issue/{key}/remotelink: the array of remote links ([] when none).
  nlohmann::json remote_links(const std::string& key) const;

  // POST /rest/api/3/search/jql {jql, maxResults, fields, nextPageToken}: one page; pass the
  // previous page's next_page_token ("" for the first page).
  SearchPage search_page(const std::string& jql, const std::vector<std::string>& fields,
                         int max_results, const std::string& page_token) const;
  // Every page of the search, in Jira's order, until a page has no nextPageToken. A token
  // that repeats throws Error(kSource) rather than looping.
  void search(const std::string& jql, const std::vector<std::string>& fields,
              const std::function<void(const nlohmann::json& issues)>& visit_page,
              int page_size = 100) const;
  // The keys of every issue `jql` matches, in Jira's order.
  std::vector<std::string> search_keys(const std::string& jql) const;

  // GETs an attachment's content URL into `sink`, following Jira's redirects to the media host
  // (up to 5): the Basic credentials go only to the base URL's origin. `restart` is called
  // before each attempt, so a retried download starts over. Throws Error(kNotFound) on 404,
  // Error(kSource) on any other failure; an exception `sink` throws ends the download and
  // propagates.
  void download(const std::string& url, const std::function<void()>& restart,
                const net::BodySink& sink) const;

 private:
  nlohmann::json call(const std::string& method, const std::string& path_and_query,
                      const std::string& body, bool missing_is_null) const;
  // Runs `attempt` under the RetryPolicy; a network failure that persists names `where`.
  net::HttpResponse with_retries(const std::function<net::HttpResponse()>& attempt,
                                 const std::string& where) const;
  // With Basic credentials only when `url` is on the base URL's origin.
  net::HttpRequest request(const std::string& method, const std::string& url,
                           const std::string& accept) const;
  [[noreturn]] void fail(const std::string& where, const net::HttpResponse& response) const;

  ClientOptions options_;
  std::string authorization_;  // "Basic <base64(email:token)>"
};

}  // namespace da::connectors::jira
