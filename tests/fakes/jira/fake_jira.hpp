// A Jira Cloud REST API v3 on 127.0.0.1 for tests and benchmarks of the Jira connector,
// following Atlassian's public documentation
// (https://developer.atlassian.com/cloud/jira/platform/rest/v3/). It serves concurrent
// requests (one thread per connection, keep-alive).
//
// Every call needs Basic auth of the account (or, under sla_base_url(), of the SLA account);
// anything else answers 401 {"errorMessages": ["Client must be authenticated ..."]}. Errors
// have Jira's shape {"errorMessages": [...], "errors": {}}.
//
//   GET  /rest/api/3/issue/{key}[?expand=renderedFields,changelog][&fields=*all|a,b]
//        The issue. fields.comment embeds the first embedded_comment_cap comments
//        ({comments, startAt 0, maxResults, total}); expand=changelog embeds the first
//        embedded_changelog_cap histories ({histories, startAt 0, maxResults, total});
//        expand=renderedFields adds HTML of the description and comment bodies. Bodies are ADF.
//        fields=a,b (without *all) gives only those fields. 404 for unknown or deleted issues.
//   GET  /rest/api/3/issue/{key}/comment?startAt=&maxResults=   {startAt, maxResults, total,
//        comments[]}, maxResults capped at page_cap (default 100).
//   GET  /rest/api/3/issue/{key}/changelog?startAt=&maxResults= {self, startAt, maxResults,
//        total, isLast, values[]}, capped at page_cap.
//   GET  /rest/api/3/issue/{key}/remotelink                     [{id, self, object{url,title},
//        application{type,name}}]
//   POST /rest/api/3/search/jql {jql, maxResults, fields, nextPageToken}: {issues[{id, key,
//        self, fields}], nextPageToken} with nextPageToken absent (and isLast true) on the last
//        page; maxResults capped at page_cap. JQL understood: clauses joined by AND:
//        project = X, key in (A, B), created|updated >=|>|<=|< "yyyy-MM-dd[ HH:mm]" or
//        "yyyy/MM/dd[ HH:mm]" (UTC) or -Nd/-Nh/-Nm, statusCategory =|!= Done, and a trailing
//        ORDER BY created|updated|key ASC|DESC (default key order). Anything else answers 400
//        "Error in the JQL Query: ...".
//   GET  /rest/api/3/attachment/content/{id}   302 to <media_url>/file/{uuid}/{name}?token=..
//        (a second server: another origin), which serves the bytes without any auth;
//        ?redirect=false serves the bytes at once.
// Under sla_base_url() (= <url>/ex/jira/fake-cloud-id) the same API answers to the SLA
// account, and an issue's sla_fields replace its fields there.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace da::fakes {

struct FakeJiraAttachment {
  std::string id;  // "" = <issue id * 100 + index>
  std::string filename = "file.txt";
  std::string content;
  std::string mime_type = "text/plain";
  std::optional<int64_t> declared_size;  // the "size" Jira reports; default content.size()
};

struct FakeJiraIssue {
  std::string key;  // "SUPPORT-14991"; the project is the part before '-'
  std::string summary = "An issue";
  std::string created = "2026-01-15T10:00:00.000+0100";
  std::string updated;  // "" = created
  std::string status = "Open";
  std::string status_category = "To Do";  // "To Do", "In Progress" or "Done"
  // Generated: comment i (1-based) says "Comment i of <key>" in ADF, by user i % 3
  // (user<n>@example.com, "User <n>"), created i minutes after the issue; history i changes
  // status from "S<i-1>" to "S<i>". Their ids are <issue id * 10000 + i>: unique, ascending, and
  // the same after an update. Issue ids count from 10001 in the order issues are first added.
  int comments = 0;
  int histories = 0;
  std::vector<std::string> linked_keys;       // outward "Relates" links
  std::vector<std::string> remote_link_urls;  // remote links, titled "Link <n>"
  std::vector<FakeJiraAttachment> attachments;
  // Replace the generated fields of these names (custom fields, priority, ...; a "comment"
  // object given here is what the issue embeds, while /comment pages the generated comments).
  nlohmann::json fields = nlohmann::json::object();
  nlohmann::json sla_fields = nlohmann::json::object();  // what the SLA account sees instead
};

class FakeJira {
 public:
  // Accepts Basic auth of `email` and `api_token`.
  FakeJira(std::string email = "bot@example.com", std::string api_token = "jira-token");
  ~FakeJira();
  FakeJira(const FakeJira&) = delete;
  FakeJira& operator=(const FakeJira&) = delete;

  std::string url() const;           // http://127.0.0.1:<port> (the base URL)
  std::string sla_base_url() const;  // <url>/ex/jira/fake-cloud-id
  std::string media_url() const;     // http://127.0.0.1:<other port>
  // The SLA account (default sla@example.com / sla-token).
  void set_sla_account(std::string email, std::string api_token);

  // Issues. add replaces an issue of the same key (keeping its id); update_issue is add with
  // `updated` moved to now when not given. delete_issue makes every call about it 404.
  void add_issue(FakeJiraIssue issue);
  void update_issue(FakeJiraIssue issue);
  void delete_issue(const std::string& key);
  // The issue's id ("10001", ...); "" for unknown keys.
  std::string issue_id(const std::string& key) const;
  // The content URL of an attachment, as the issue lists it.
  std::string attachment_content_url(const std::string& attachment_id) const;

  // Real Jira embeds only part of long lists (defaults 20 comments, 100 histories) and caps
  // maxResults of pages (default 100).
  void set_embedded_comment_cap(int cap);
  void set_embedded_changelog_cap(int cap);
  void set_page_cap(int cap);

  // Failures for the next `count` requests whose path starts with `path_prefix` (main or
  // media server): `status` (with Retry-After: retry_after_seconds when > 0) / an answer
  // after `delay`.
  void fail_requests(const std::string& path_prefix, int count, int status,
                     int retry_after_seconds = 0);
  void delay_requests(const std::string& path_prefix, std::chrono::milliseconds delay,
                      int count = 1'000'000);
  // The next `count` answers to such requests close the connection after `bytes` of the body.
  void cut_responses(const std::string& path_prefix, int count, std::size_t bytes);

  // Observations: requests (answered or not) whose path starts with `path_prefix`, on either
  // server; the Authorization headers the media server received ("" when none).
  int requests_to(const std::string& path_prefix) const;
  int total_requests() const;
  std::vector<std::string> media_authorization_headers() const;
  // The bodies of the search/jql requests, in order.
  std::vector<nlohmann::json> search_requests() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace da::fakes
