#include "fakes/jira/fake_jira.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>

#include "fakes/jira/fake_jql.hpp"
#include "fakes/keboola/wire_server.hpp"

#include "da/common/crypto.hpp"
#include "da/common/strings.hpp"
#include "da/net/http_client.hpp"

namespace da::fakes {

using Json = nlohmann::json;
namespace chr = std::chrono;
using jql::format_jira_time;
using jql::parse_jira_time;
using jql::project_of;
using jql::updated_of;

namespace {

constexpr const char* kSlaPrefix = "/ex/jira/fake-cloud-id";
constexpr const char* kApi = "/rest/api/3";

struct StoredIssue {
  FakeJiraIssue spec;
  int64_t id = 0;
  bool deleted = false;
};

struct Failure {
  std::string prefix;
  int count;
  int status;
  int retry_after;
};

struct Delay {
  std::string prefix;
  chr::milliseconds delay;
  int count;
};

struct Cut {
  std::string prefix;
  int count;
  std::size_t bytes;
};

struct SearchCursor {
  std::string jql;
  std::size_t offset;
};

// `base` moved on by `minutes`, in its own offset; `base` itself when it cannot be read.
std::string later(const std::string& base, int minutes) {
  auto time = parse_jira_time(base);
  if (!time) return base;
  time->utc += chr::minutes(minutes);
  return format_jira_time(*time);
}

Json adf(const std::string& text) {
  return {
      {"type", "doc"},
      {"version", 1},
      {"content", Json::array({{{"type", "paragraph"},
                                {"content", Json::array({{{"type", "text"}, {"text", text}}})}}})}};
}

Json user(const std::string& base, int n) {
  std::string id = "user-" + std::to_string(n);
  return {{"self", base + kApi + "/user?accountId=" + id},
          {"accountId", id},
          {"emailAddress", "user" + std::to_string(n) + "@example.com"},
          {"displayName", "User " + std::to_string(n)},
          {"active", true},
          {"timeZone", "Europe/Prague"},
          {"accountType", "atlassian"}};
}

Json jira_error(const std::string& message) {
  return {{"errorMessages", Json::array({message})}, {"errors", Json::object()}};
}

WireResponse json_response(int status, const Json& body) {
  WireResponse response;
  response.status = status;
  response.headers = {{"Content-Type", "application/json;charset=UTF-8"}};
  response.body = body.dump();
  return response;
}

std::string query_value(const std::string& query, const std::string& name) {
  for (const auto& [field, value] : parse_urlencoded(query))
    if (field == name) return value;
  return "";
}

int query_int(const std::string& query, const std::string& name, int fallback) {
  std::string text = query_value(query, name);
  if (text.empty()) return fallback;
  try {
    return std::max(0, std::stoi(text));
  } catch (const std::exception&) {
    return fallback;
  }
}

}  // namespace

struct FakeJira::State {
  std::string email;
  std::string token;
  std::string sla_email = "sla@example.com";
  std::string sla_token = "sla-token";

  mutable std::mutex mutex;
  std::map<std::string, StoredIssue> issues;  // by key
  int64_t next_issue_id = 10001;
  int embedded_comment_cap = 20;
  int embedded_changelog_cap = 100;
  int page_cap = 100;
  std::vector<Failure> failures;
  std::vector<Delay> delays;
  std::vector<Cut> cuts;
  std::map<std::string, int> requests;  // by path
  int total = 0;
  std::vector<std::string> media_authorization;
  std::vector<Json> searches;
  std::map<std::string, SearchCursor> cursors;     // by nextPageToken
  std::map<std::string, std::string> media_files;  // uuid -> attachment id

  std::unique_ptr<WireServer> server;
  std::unique_ptr<WireServer> media;

  std::string base() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
  std::string media_base() const { return "http://127.0.0.1:" + std::to_string(media->port()); }

  // The JSON builders and routes below run with the mutex held.

  std::string attachment_id(const StoredIssue& stored, std::size_t index) const {
    const FakeJiraAttachment& attachment = stored.spec.attachments[index];
    return attachment.id.empty() ? std::to_string(stored.id * 100 + static_cast<int64_t>(index))
                                 : attachment.id;
  }

  Json comment(const StoredIssue& stored, int n, const std::string& base, bool html) const {
    std::string text = "Comment " + std::to_string(n) + " of " + stored.spec.key;
    std::string id = std::to_string(stored.id * 10'000 + n);
    std::string when = later(stored.spec.created, n);
    return {{"self", base + kApi + "/issue/" + std::to_string(stored.id) + "/comment/" + id},
            {"id", id},
            {"author", user(base, n % 3)},
            {"body", html ? Json("<p>" + text + "</p>") : adf(text)},
            {"updateAuthor", user(base, n % 3)},
            {"created", when},
            {"updated", when},
            {"jsdPublic", true}};
  }

  Json history(const StoredIssue& stored, int n, const std::string& base) const {
    return {{"id", std::to_string(stored.id * 10'000 + n)},
            {"author", user(base, n % 3)},
            {"created", later(stored.spec.created, n)},
            {"items", Json::array({{{"field", "status"},
                                    {"fieldtype", "jira"},
                                    {"fieldId", "status"},
                                    {"from", std::to_string(n - 1)},
                                    {"fromString", "S" + std::to_string(n - 1)},
                                    {"to", std::to_string(n)},
                                    {"toString", "S" + std::to_string(n)}}})}};
  }

  Json comment_page(const StoredIssue& stored, int start, int count, const std::string& base,
                    bool html) const {
    Json comments = Json::array();
    for (int n = start + 1; n <= std::min(stored.spec.comments, start + count); ++n)
      comments.push_back(comment(stored, n, base, html));
    return {{"comments", std::move(comments)},
            {"maxResults", count},
            {"total", stored.spec.comments},
            {"startAt", start}};
  }

  Json linked_issue(const std::string& key, const std::string& base) const {
    auto found = issues.find(key);
    bool known = found != issues.end() && !found->second.deleted;
    std::string id = known ? std::to_string(found->second.id) : "99999";
    return {{"id", id},
            {"key", key},
            {"self", base + kApi + "/issue/" + id},
            {"fields",
             {{"summary", known ? found->second.spec.summary : "Another issue"},
              {"status", {{"name", known ? found->second.spec.status : "Open"}}},
              {"priority", {{"name", "Medium"}}}}}};
  }

  Json attachments(const StoredIssue& stored, const std::string& base) const {
    Json list = Json::array();
    for (std::size_t i = 0; i < stored.spec.attachments.size(); ++i) {
      const FakeJiraAttachment& attachment = stored.spec.attachments[i];
      std::string id = attachment_id(stored, i);
      list.push_back({{"self", base + kApi + "/attachment/" + id},
                      {"id", id},
                      {"filename", attachment.filename},
                      {"author", user(base, 0)},
                      {"created", stored.spec.created},
                      {"size", attachment.declared_size.value_or(
                                   static_cast<int64_t>(attachment.content.size()))},
                      {"mimeType", attachment.mime_type},
                      {"content", base + kApi + "/attachment/content/" + id},
                      {"thumbnail", base + kApi + "/attachment/thumbnail/" + id}});
    }
    return list;
  }

  Json all_fields(const StoredIssue& stored, const std::string& base, bool sla) const {
    const FakeJiraIssue& spec = stored.spec;
    bool done = spec.status_category == "Done";
    std::string category_key =
        done ? "done" : (spec.status_category == "In Progress" ? "indeterminate" : "new");
    Json links = Json::array();
    for (std::size_t i = 0; i < spec.linked_keys.size(); ++i)
      links.push_back({{"id", std::to_string(stored.id * 100 + static_cast<int64_t>(i))},
                       {"type",
                        {{"id", "10003"},
                         {"name", "Relates"},
                         {"inward", "relates to"},
                         {"outward", "relates to"}}},
                       {"outwardIssue", linked_issue(spec.linked_keys[i], base)}});
    Json comment = comment_page(stored, 0, embedded_comment_cap, base, false);
    comment["maxResults"] = embedded_comment_cap;
    Json fields = {
        {"summary", spec.summary},
        {"description", adf("Description of " + spec.key)},
        {"issuetype", {{"id", "10002"}, {"name", "Task"}, {"subtask", false}}},
        {"status",
         {{"name", spec.status},
          {"statusCategory", {{"key", category_key}, {"name", spec.status_category}}}}},
        {"priority", {{"id", "3"}, {"name", "Medium"}}},
        {"resolution", done ? Json{{"name", "Done"}} : Json()},
        {"resolutiondate", done ? Json(updated_of(spec)) : Json()},
        {"project",
         {{"id", "10000"}, {"key", project_of(spec.key)}, {"name", project_of(spec.key)}}},
        {"creator", user(base, 0)},
        {"reporter", user(base, 0)},
        {"assignee", user(base, 1)},
        {"created", spec.created},
        {"updated", updated_of(spec)},
        {"duedate", nullptr},
        {"labels", Json::array()},
        {"attachment", attachments(stored, base)},
        {"comment", std::move(comment)},
        {"issuelinks", std::move(links)}};
    for (const auto& [name, value] : spec.fields.items())
      fields[name] = value;
    if (sla)
      for (const auto& [name, value] : spec.sla_fields.items())
        fields[name] = value;
    return fields;
  }

  Json issue_json(const StoredIssue& stored, const std::string& query, const std::string& base,
                  bool sla) const {
    std::string id = std::to_string(stored.id);
    std::vector<std::string> expand = split_trimmed(query_value(query, "expand"), ',');
    std::vector<std::string> wanted = split_trimmed(query_value(query, "fields"), ',');
    auto has = [](const std::vector<std::string>& list, const std::string& item) {
      return std::find(list.begin(), list.end(), item) != list.end();
    };
    Json fields = all_fields(stored, base, sla);
    if (!wanted.empty() && !has(wanted, "*all") && !has(wanted, "*navigable")) {
      Json chosen = Json::object();
      for (const std::string& name : wanted)
        if (fields.contains(name)) chosen[name] = fields[name];
      fields = std::move(chosen);
    }
    Json issue = {{"expand", "renderedFields,names,schema,operations,editmeta,changelog"},
                  {"id", id},
                  {"self", base + kApi + "/issue/" + id},
                  {"key", stored.spec.key},
                  {"fields", std::move(fields)}};
    if (has(expand, "renderedFields")) {
      Json rendered_comments = comment_page(stored, 0, embedded_comment_cap, base, true);
      issue["renderedFields"] = {{"description", "<p>Description of " + stored.spec.key + "</p>"},
                                 {"comment", std::move(rendered_comments)}};
    }
    if (has(expand, "changelog")) {
      Json histories = Json::array();
      for (int n = 1; n <= std::min(stored.spec.histories, embedded_changelog_cap); ++n)
        histories.push_back(history(stored, n, base));
      issue["changelog"] = {{"startAt", 0},
                            {"maxResults", embedded_changelog_cap},
                            {"total", stored.spec.histories},
                            {"histories", std::move(histories)}};
    }
    return issue;
  }

  const StoredIssue* find_issue(const std::string& key_or_id) const {
    if (auto found = issues.find(to_upper(key_or_id)); found != issues.end())
      return found->second.deleted ? nullptr : &found->second;
    for (const auto& [key, stored] : issues)
      if (!stored.deleted && (key == key_or_id || std::to_string(stored.id) == key_or_id))
        return &stored;
    return nullptr;
  }

  WireResponse issue_route(const std::string& rest, const WireRequest& request,
                           const std::string& base, bool sla) const {
    auto slash = rest.find('/');
    std::string key = percent_decode(rest.substr(0, slash), false);
    std::string tail = slash == std::string::npos ? "" : rest.substr(slash);
    const StoredIssue* stored = find_issue(key);
    if (!stored)
      return json_response(
          404, jira_error("Issue does not exist or you do not have permission to see it."));
    if (tail.empty()) return json_response(200, issue_json(*stored, request.query, base, sla));
    int start = query_int(request.query, "startAt", 0);
    int count = std::min(query_int(request.query, "maxResults", page_cap), page_cap);
    if (tail == "/comment")
      return json_response(200, comment_page(*stored, start, count, base, false));
    if (tail == "/changelog") {
      Json values = Json::array();
      for (int n = start + 1; n <= std::min(stored->spec.histories, start + count); ++n)
        values.push_back(history(*stored, n, base));
      return json_response(200, {{"self", base + kApi + "/issue/" + key +
                                              "/changelog?maxResults=" + std::to_string(count) +
                                              "&startAt=" + std::to_string(start)},
                                 {"maxResults", count},
                                 {"startAt", start},
                                 {"total", stored->spec.histories},
                                 {"isLast", start + count >= stored->spec.histories},
                                 {"values", std::move(values)}});
    }
    if (tail == "/remotelink") {
      Json links = Json::array();
      for (std::size_t i = 0; i < stored->spec.remote_link_urls.size(); ++i) {
        int64_t id = stored->id * 100 + static_cast<int64_t>(i);
        links.push_back(
            {{"id", id},
             {"self", base + kApi + "/issue/" + key + "/remotelink/" + std::to_string(id)},
             {"application", {{"type", "com.atlassian.confluence"}, {"name", "Confluence"}}},
             {"object",
              {{"url", stored->spec.remote_link_urls[i]},
               {"title", "Link " + std::to_string(i + 1)}}}});
      }
      return json_response(200, links);
    }
    return json_response(404, jira_error("Not found: " + tail));
  }

  WireResponse search_route(const WireRequest& request, const std::string& base, bool sla) {
    Json body = Json::parse(request.body, nullptr, false);
    searches.push_back(body);
    if (!body.is_object() || !body.contains("jql") || !body["jql"].is_string())
      return json_response(400, jira_error("The JQL query is missing."));
    std::string jql = body["jql"];
    std::size_t offset = 0;
    if (auto token = body.find("nextPageToken"); token != body.end() && !token->is_null()) {
      auto cursor = token->is_string() ? cursors.find(token->get<std::string>()) : cursors.end();
      if (cursor == cursors.end() || cursor->second.jql != jql)
        return json_response(400,
                             jira_error("The provided next page token is invalid or expired."));
      offset = cursor->second.offset;
    }
    std::string problem;
    auto query = jql::parse(jql, problem);
    if (!query) return json_response(400, jira_error("Error in the JQL Query: " + problem));
    int count = 50;
    if (auto max = body.find("maxResults"); max != body.end() && max->is_number_integer())
      count = std::clamp(max->get<int>(), 1, page_cap);
    std::vector<const FakeJiraIssue*> found;
    for (const auto& [key, stored] : issues)
      if (!stored.deleted && jql::matches(*query, stored.spec)) found.push_back(&stored.spec);
    jql::sort(*query, found);
    std::vector<std::string> wanted;
    if (auto fields = body.find("fields"); fields != body.end() && fields->is_array())
      for (const Json& field : *fields)
        if (field.is_string()) wanted.push_back(field);
    Json page = Json::array();
    for (std::size_t i = offset; i < found.size() && i < offset + static_cast<std::size_t>(count);
         ++i) {
      const StoredIssue& stored = issues.at(found[i]->key);
      Json all = all_fields(stored, base, sla);
      Json fields = Json::object();
      for (const std::string& name : wanted)
        if (all.contains(name)) fields[name] = all[name];
      std::string id = std::to_string(stored.id);
      page.push_back({{"id", id},
                      {"key", stored.spec.key},
                      {"self", base + kApi + "/issue/" + id},
                      {"fields", std::move(fields)}});
    }
    Json answer = {{"issues", std::move(page)}};
    if (offset + static_cast<std::size_t>(count) < found.size()) {
      std::string token = random_token(18);
      cursors[token] = {jql, offset + static_cast<std::size_t>(count)};
      answer["nextPageToken"] = token;
    } else {
      answer["isLast"] = true;
    }
    return json_response(200, answer);
  }

  // The attachment with this id and its issue, when neither is deleted.
  const FakeJiraAttachment* find_attachment(const std::string& id) const {
    for (const auto& [key, stored] : issues) {
      if (stored.deleted) continue;
      for (std::size_t i = 0; i < stored.spec.attachments.size(); ++i)
        if (attachment_id(stored, i) == id) return &stored.spec.attachments[i];
    }
    return nullptr;
  }

  WireResponse bytes(const FakeJiraAttachment& attachment) const {
    WireResponse response;
    response.headers = {{"Content-Type", attachment.mime_type}};
    response.body = attachment.content;
    return response;
  }

  WireResponse attachment_route(const std::string& id, const WireRequest& request) {
    const FakeJiraAttachment* attachment = find_attachment(id);
    if (!attachment) return json_response(404, jira_error("The attachment does not exist."));
    if (query_value(request.query, "redirect") == "false") return bytes(*attachment);
    std::string uuid = random_token(12);
    media_files[uuid] = id;
    WireResponse response;
    response.status = 302;
    response.headers = {{"Location", media_base() + "/file/" + uuid + "/" +
                                         net::url_encode(attachment->filename) +
                                         "?token=" + random_token(12)}};
    return response;
  }

  bool authorised(const WireRequest& request, bool sla) const {
    const std::string& name = sla ? sla_email : email;
    const std::string& secret = sla ? sla_token : token;
    return constant_time_equal(request.header("authorization"),
                               "Basic " + base64_encode(name + ":" + secret));
  }

  // Counts the request; a matching failure or delay applies to it.
  std::optional<WireResponse> injected(const WireRequest& request, chr::milliseconds& delay) {
    ++total;
    ++requests[request.path];
    for (Delay& entry : delays)
      if (entry.count > 0 && request.path.rfind(entry.prefix, 0) == 0) {
        --entry.count;
        delay = entry.delay;
        break;
      }
    for (Failure& failure : failures)
      if (failure.count > 0 && request.path.rfind(failure.prefix, 0) == 0) {
        --failure.count;
        WireResponse response =
            json_response(failure.status,
                          jira_error(failure.status == 429 ? "Rate limit exceeded."
                                                           : "Internal server error (injected)."));
        if (failure.retry_after > 0)
          response.headers.emplace_back("Retry-After", std::to_string(failure.retry_after));
        return response;
      }
    return std::nullopt;
  }

  void apply_cut(const WireRequest& request, WireResponse& response) {
    for (Cut& cut : cuts)
      if (cut.count > 0 && request.path.rfind(cut.prefix, 0) == 0) {
        --cut.count;
        response.cut_body_after = cut.bytes;
        return;
      }
  }

  WireResponse handle(const WireRequest& request) {
    std::lock_guard lock(mutex);
    chr::milliseconds delay{0};
    WireResponse response = route(request, delay);
    response.delay = delay;
    apply_cut(request, response);
    return response;
  }

  WireResponse route(const WireRequest& request, chr::milliseconds& delay) {
    if (auto failure = injected(request, delay)) return *failure;
    std::string path = request.path;
    bool sla = path.rfind(kSlaPrefix, 0) == 0;
    std::string base = base_url_for(sla);
    if (sla) path = path.substr(std::string(kSlaPrefix).size());
    if (!authorised(request, sla))
      return json_response(401,
                           jira_error("Client must be authenticated to access this resource."));
    std::string issue_prefix = std::string(kApi) + "/issue/";
    std::string content_prefix = std::string(kApi) + "/attachment/content/";
    if (request.method == "GET" && path.rfind(issue_prefix, 0) == 0)
      return issue_route(path.substr(issue_prefix.size()), request, base, sla);
    if (request.method == "POST" && path == std::string(kApi) + "/search/jql")
      return search_route(request, base, sla);
    if (request.method == "GET" && path.rfind(content_prefix, 0) == 0)
      return attachment_route(path.substr(content_prefix.size()), request);
    return json_response(404, jira_error("No route for " + request.method + " " + path));
  }

  std::string base_url_for(bool sla) const { return sla ? base() + kSlaPrefix : base(); }

  WireResponse handle_media(const WireRequest& request) {
    std::lock_guard lock(mutex);
    chr::milliseconds delay{0};
    media_authorization.push_back(request.header("authorization"));
    WireResponse response = media_route(request, delay);
    response.delay = delay;
    apply_cut(request, response);
    return response;
  }

  WireResponse media_route(const WireRequest& request, chr::milliseconds& delay) {
    if (auto failure = injected(request, delay)) return *failure;
    std::vector<std::string> parts = split(request.path, '/');  // "", "file", uuid, name
    if (parts.size() < 3 || parts[1] != "file" || !media_files.count(parts[2]))
      return json_response(404, jira_error("No such file"));
    const FakeJiraAttachment* attachment = find_attachment(media_files[parts[2]]);
    if (!attachment) return json_response(404, jira_error("No such file"));
    return bytes(*attachment);
  }
};

FakeJira::FakeJira(std::string email, std::string api_token) : state_(std::make_unique<State>()) {
  state_->email = std::move(email);
  state_->token = std::move(api_token);
  State* state = state_.get();
  state_->media = std::make_unique<WireServer>(
      [state](const WireRequest& r) { return state->handle_media(r); });
  state_->server =
      std::make_unique<WireServer>([state](const WireRequest& r) { return state->handle(r); });
}

FakeJira::~FakeJira() {
  // The servers' threads call into the state: they go first.
  state_->server.reset();
  state_->media.reset();
}

std::string FakeJira::url() const {
  return state_->base();
}

std::string FakeJira::sla_base_url() const {
  return state_->base() + kSlaPrefix;
}

std::string FakeJira::media_url() const {
  return state_->media_base();
}

void FakeJira::set_sla_account(std::string email, std::string api_token) {
  std::lock_guard lock(state_->mutex);
  state_->sla_email = std::move(email);
  state_->sla_token = std::move(api_token);
}

void FakeJira::add_issue(FakeJiraIssue issue) {
  std::lock_guard lock(state_->mutex);
  issue.key = to_upper(issue.key);
  StoredIssue& stored = state_->issues[issue.key];
  if (stored.id == 0) stored.id = state_->next_issue_id++;
  stored.deleted = false;
  stored.spec = std::move(issue);
}

void FakeJira::update_issue(FakeJiraIssue issue) {
  if (issue.updated.empty()) {
    auto now = chr::floor<chr::seconds>(chr::system_clock::now());
    issue.updated = format_jira_time({now, 0});
  }
  add_issue(std::move(issue));
}

void FakeJira::delete_issue(const std::string& key) {
  std::lock_guard lock(state_->mutex);
  if (auto found = state_->issues.find(to_upper(key)); found != state_->issues.end())
    found->second.deleted = true;
}

std::string FakeJira::issue_id(const std::string& key) const {
  std::lock_guard lock(state_->mutex);
  auto found = state_->issues.find(to_upper(key));
  return found == state_->issues.end() ? "" : std::to_string(found->second.id);
}

std::string FakeJira::attachment_content_url(const std::string& attachment_id) const {
  return url() + kApi + "/attachment/content/" + attachment_id;
}

void FakeJira::set_embedded_comment_cap(int cap) {
  std::lock_guard lock(state_->mutex);
  state_->embedded_comment_cap = cap;
}

void FakeJira::set_embedded_changelog_cap(int cap) {
  std::lock_guard lock(state_->mutex);
  state_->embedded_changelog_cap = cap;
}

void FakeJira::set_page_cap(int cap) {
  std::lock_guard lock(state_->mutex);
  state_->page_cap = cap;
}

void FakeJira::fail_requests(const std::string& path_prefix, int count, int status,
                             int retry_after_seconds) {
  std::lock_guard lock(state_->mutex);
  state_->failures.push_back({path_prefix, count, status, retry_after_seconds});
}

void FakeJira::delay_requests(const std::string& path_prefix, std::chrono::milliseconds delay,
                              int count) {
  std::lock_guard lock(state_->mutex);
  state_->delays.push_back({path_prefix, delay, count});
}

void FakeJira::cut_responses(const std::string& path_prefix, int count, std::size_t bytes) {
  std::lock_guard lock(state_->mutex);
  state_->cuts.push_back({path_prefix, count, bytes});
}

int FakeJira::requests_to(const std::string& path_prefix) const {
  std::lock_guard lock(state_->mutex);
  int count = 0;
  for (const auto& [path, n] : state_->requests)
    if (path.rfind(path_prefix, 0) == 0) count += n;
  return count;
}

int FakeJira::total_requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->total;
}

std::vector<std::string> FakeJira::media_authorization_headers() const {
  std::lock_guard lock(state_->mutex);
  return state_->media_authorization;
}

std::vector<Json> FakeJira::search_requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->searches;
}

}  // namespace da::fakes
