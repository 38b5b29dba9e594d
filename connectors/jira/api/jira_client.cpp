#include "jira/api/jira_client.hpp"

#include <set>
#include <utility>

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"
#include "da/net/origin.hpp"

namespace da::connectors::jira {

using Json = nlohmann::json;

namespace {

constexpr int kMaxRedirects = 5;
constexpr std::size_t kMaxQuotedBody = 200;

std::string issue_path(const std::string& key) {
  return "/rest/api/3/issue/" + net::url_encode(key);
}

// Jira's errorMessages and errors ({"field": "message"}), or the start of a body that is not
// Jira's error JSON.
std::string jira_messages(const std::string& body) {
  Json parsed = Json::parse(body, nullptr, false);
  std::vector<std::string> messages;
  if (parsed.is_object()) {
    if (auto list = parsed.find("errorMessages"); list != parsed.end() && list->is_array())
      for (const Json& message : *list)
        if (message.is_string()) messages.push_back(message.get<std::string>());
    if (auto errors = parsed.find("errors"); errors != parsed.end() && errors->is_object())
      for (const auto& [field, message] : errors->items())
        if (message.is_string()) messages.push_back(field + ": " + message.get<std::string>());
  }
  if (!messages.empty()) return join(messages, "; ");
  std::string start = body.substr(0, kMaxQuotedBody);
  for (char& c : start)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return std::string(trim(start));
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// `location` (absolute, scheme-relative or a path) resolved against `url`.
std::string resolve_location(const std::string& url, const std::string& location) {
  if (location.find("://") != std::string::npos) return location;
  std::string origin = url.substr(0, url.find('/', url.find("://") + 3));
  if (location.rfind("//", 0) == 0) return url.substr(0, url.find("://") + 1) + location;
  if (location.rfind('/', 0) == 0) return origin + location;
  std::string base = url.substr(0, url.find_first_of("?#"));
  return base.substr(0, base.rfind('/') + 1) + location;
}

std::string without_query(const std::string& path) {
  return path.substr(0, path.find_first_of("?#"));
}

}  // namespace

JiraClient::JiraClient(ClientOptions options) : options_(std::move(options)) {
  while (!options_.account.base_url.empty() && options_.account.base_url.back() == '/')
    options_.account.base_url.pop_back();
  authorization_ =
      "Basic " + base64_encode(options_.account.email + ":" + options_.account.api_token);
}

net::HttpRequest JiraClient::request(const std::string& method, const std::string& url,
                                     const std::string& accept) const {
  net::HttpRequest request;
  request.method = method;
  request.url = url;
  request.headers = {{"Accept", accept}, {"User-Agent", "da-jira-connector"}};
  if (net::origin_of(url) == net::origin_of(base_url()))
    request.headers.emplace_back("Authorization", authorization_);
  request.connect_timeout = std::min(options_.timeout, std::chrono::milliseconds(10'000));
  request.total_timeout = options_.timeout;
  return request;
}

net::HttpResponse JiraClient::with_retries(const std::function<net::HttpResponse()>& attempt,
                                           const std::string& where) const {
  try {
    return net::run_with_retries(options_.retry, attempt);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kSource) throw;
    throw Error(ErrorKind::kSource, where + " failed after " +
                                        std::to_string(options_.retry.max_attempts) +
                                        " attempts: " + e.what());
  }
}

void JiraClient::fail(const std::string& where, const net::HttpResponse& response) const {
  std::string status = "HTTP " + std::to_string(response.status);
  std::string messages = jira_messages(response.body);
  std::string detail = messages.empty() ? status : status + ": " + messages;
  if (response.status == 401 || response.status == 403)
    throw Error(ErrorKind::kSource, where + " was refused (" + detail + "); check " +
                                        options_.credentials_hint + " (and the account's access " +
                                        "to " + base_url() + ")");
  if (response.status == 404) throw Error(ErrorKind::kNotFound, where + ": " + detail);
  std::string attempts = net::RetryPolicy::retryable_status(response.status)
                             ? " after " + std::to_string(options_.retry.max_attempts) + " attempts"
                             : "";
  throw Error(ErrorKind::kSource, where + ": " + detail + attempts);
}

Json JiraClient::call(const std::string& method, const std::string& path_and_query,
                      const std::string& body, bool missing_is_null) const {
  net::HttpRequest request = this->request(method, base_url() + path_and_query, "application/json");
  if (method == "POST") request.headers.emplace_back("Content-Type", "application/json");
  request.body = body;
  std::string where = "Jira " + method + " " + without_query(path_and_query);
  net::HttpResponse response = with_retries([&] { return net::HttpClient().send(request); }, where);
  if (response.status == 404 && missing_is_null) return nullptr;
  if (response.status / 100 != 2) fail(where, response);
  Json parsed = Json::parse(response.body, nullptr, false);
  if (parsed.is_discarded())
    throw Error(ErrorKind::kSource,
                where + " answered HTTP " + std::to_string(response.status) +
                    " with a body that is not JSON: " + jira_messages(response.body));
  return parsed;
}

std::optional<Json> JiraClient::issue(const std::string& key) const {
  Json found =
      call("GET", issue_path(key) + "?expand=renderedFields,changelog&fields=*all", "", true);
  if (found.is_null()) return std::nullopt;
  return found;
}

std::optional<Json> JiraClient::issue_fields(const std::string& key,
                                             const std::vector<std::string>& fields) const {
  std::vector<std::string> encoded;
  for (const std::string& field : fields)
    encoded.push_back(net::url_encode(field));
  Json found = call("GET", issue_path(key) + "?fields=" + join(encoded, ","), "", true);
  if (found.is_null()) return std::nullopt;
  return found;
}

Json JiraClient::comments_page(const std::string& key, int start_at, int max_results) const {
  return call("GET",
              issue_path(key) + "/comment?startAt=" + std::to_string(start_at) +
                  "&maxResults=" + std::to_string(max_results),
              "", false);
}

Json JiraClient::changelog_page(const std::string& key, int start_at, int max_results) const {
  return call("GET",
              issue_path(key) + "/changelog?startAt=" + std::to_string(start_at) +
                  "&maxResults=" + std::to_string(max_results),
              "", false);
}

Json JiraClient::remote_links(const std::string& key) const {
  Json links = call("GET", issue_path(key) + "/remotelink", "", false);
  if (!links.is_array())
    throw Error(ErrorKind::kSource, "Jira GET " + issue_path(key) +
                                        "/remotelink answered something else than an array");
  return links;
}

SearchPage JiraClient::search_page(const std::string& jql, const std::vector<std::string>& fields,
                                   int max_results, const std::string& page_token) const {
  Json body = {{"jql", jql}, {"maxResults", max_results}, {"fields", fields}};
  if (!page_token.empty()) body["nextPageToken"] = page_token;
  Json answer = call("POST", "/rest/api/3/search/jql", body.dump(), false);
  auto issues = answer.find("issues");
  if (!answer.is_object() || issues == answer.end() || !issues->is_array())
    throw Error(ErrorKind::kSource, "Jira POST /rest/api/3/search/jql answered without issues[]");
  SearchPage page;
  page.issues = std::move(*issues);
  if (auto token = answer.find("nextPageToken"); token != answer.end() && token->is_string())
    page.next_page_token = token->get<std::string>();
  return page;
}

void JiraClient::search(const std::string& jql, const std::vector<std::string>& fields,
                        const std::function<void(const Json& issues)>& visit_page,
                        int page_size) const {
  std::set<std::string> seen_tokens;
  std::string token;
  do {
    SearchPage page = search_page(jql, fields, page_size, token);
    visit_page(page.issues);
    token = std::move(page.next_page_token);
    if (!token.empty() && !seen_tokens.insert(token).second)
      throw Error(ErrorKind::kSource,
                  "Jira POST /rest/api/3/search/jql returned a nextPageToken it had returned "
                  "before; the search was stopped instead of looping");
  } while (!token.empty());
}

std::vector<std::string> JiraClient::search_keys(const std::string& jql) const {
  std::vector<std::string> keys;
  search(jql, {"key"}, [&](const Json& issues) {
    for (const Json& issue : issues)
      if (auto key = issue.find("key"); key != issue.end() && key->is_string())
        keys.push_back(key->get<std::string>());
  });
  return keys;
}

void JiraClient::download(const std::string& url, const std::function<void()>& restart,
                          const net::BodySink& sink) const {
  std::string where = "Jira GET " + without_query(url.substr(net::origin_of(url).size()));
  net::HttpResponse response = with_retries(
      [&] {
        restart();
        std::string hop = url;
        for (int redirects = 0;; ++redirects) {
          net::HttpRequest request = this->request("GET", hop, "*/*");
          request.total_timeout = options_.download_timeout;
          net::HttpResponse answer = net::HttpClient().stream(request, sink);
          std::string location = answer.header("Location");
          if (!is_redirect(answer.status) || location.empty() || redirects == kMaxRedirects)
            return answer;
          hop = resolve_location(hop, location);
        }
      },
      where);
  if (response.status / 100 != 2) fail(where, response);
}

}  // namespace da::connectors::jira
