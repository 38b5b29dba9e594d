#include "jira/api/issue_fetcher.hpp"

#include <chrono>
#include <cstdint>
#include <set>
#include <utility>

#include <fmt/chrono.h>

#include "da/common/error.hpp"

namespace da::connectors::jira {

using Json = nlohmann::json;

namespace {

constexpr int kPageSize = 100;

int64_t integer_or(const Json& object, const char* name, int64_t fallback) {
  auto found = object.find(name);
  return found != object.end() && found->is_number_integer() ? found->get<int64_t>() : fallback;
}

// The array `name` of a page Jira answered; a page without one is not Jira's answer.
const Json& page_array(const Json& page, const char* name, const std::string& what) {
  auto found = page.is_object() ? page.find(name) : page.end();
  if (found == page.end() || !found->is_array())
    throw Error(ErrorKind::kSource, "Jira: a page of " + what + " has no " + name + "[] array");
  return *found;
}

// Whether an embedded page ({startAt, total, <list>}) already holds the whole list.
bool embedded_is_complete(const Json& embedded, const char* list) {
  if (!embedded.is_object()) return false;
  auto items = embedded.find(list);
  if (items == embedded.end() || !items->is_array()) return false;
  auto count = static_cast<int64_t>(items->size());
  return integer_or(embedded, "startAt", 0) == 0 && count >= integer_or(embedded, "total", count);
}

// Appends the page's entries whose id is new: an entry added while paging shifts the pages,
// which would otherwise repeat one.
void append_new(const Json& entries, Json& all, std::set<std::string>& ids) {
  for (const Json& entry : entries) {
    std::string id = entry.is_object() && entry.contains("id") ? entry["id"].dump() : entry.dump();
    if (ids.insert(id).second) all.push_back(entry);
  }
}

// The embedded page's fields rewritten to describe the whole list.
void set_whole_list(Json& embedded, const char* list, Json all) {
  auto count = static_cast<int64_t>(all.size());
  embedded[list] = std::move(all);
  embedded["startAt"] = 0;
  embedded["maxResults"] = count;
  embedded["total"] = count;
}

std::string synced_at() {
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now);
}

}  // namespace

IssueFetcher::IssueFetcher(const JiraClient& client, const JiraClient* sla,
                           std::vector<std::string> sla_fields)
    : client_(client), sla_(sla) {
  for (std::string& field : sla_fields)
    if (!field.empty()) sla_fields_.push_back(std::move(field));
}

std::optional<Json> IssueFetcher::fetch(const std::string& key) const {
  std::optional<Json> document = client_.issue(key);
  if (!document) return std::nullopt;
  if (!document->is_object() || !(*document)["fields"].is_object())
    throw Error(ErrorKind::kSource,
                "Jira GET /rest/api/3/issue/" + key + " answered without fields");
  try {
    complete_comments(key, *document);
    complete_changelog(key, *document);
    (*document)["_remote_links"] = client_.remote_links(key);
    overlay_sla(key, *document);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kNotFound) return std::nullopt;  // deleted meanwhile
    throw;
  }
  (*document)["_synced_at"] = synced_at();
  return document;
}

void IssueFetcher::complete_comments(const std::string& key, Json& document) const {
  Json& embedded = document["fields"]["comment"];
  if (embedded_is_complete(embedded, "comments")) {
    Json comments = std::move(embedded["comments"]);
    set_whole_list(embedded, "comments", std::move(comments));
    return;
  }
  if (!embedded.is_object()) embedded = Json::object();
  Json all = Json::array();
  std::set<std::string> ids;
  for (int start = 0;;) {
    Json page = client_.comments_page(key, start, kPageSize);
    const Json& comments = page_array(page, "comments", "the comments of " + key);
    append_new(comments, all, ids);
    start += static_cast<int>(comments.size());
    if (comments.empty() || start >= integer_or(page, "total", 0)) break;
  }
  set_whole_list(embedded, "comments", std::move(all));
}

void IssueFetcher::complete_changelog(const std::string& key, Json& document) const {
  Json& embedded = document["changelog"];
  if (embedded_is_complete(embedded, "histories")) {
    Json histories = std::move(embedded["histories"]);
    set_whole_list(embedded, "histories", std::move(histories));
    return;
  }
  if (!embedded.is_object()) embedded = Json::object();
  Json all = Json::array();
  std::set<std::string> ids;
  for (int start = 0;;) {
    Json page = client_.changelog_page(key, start, kPageSize);
    const Json& values = page_array(page, "values", "the changelog of " + key);
    append_new(values, all, ids);
    start += static_cast<int>(values.size());
    auto is_last = page.find("isLast");
    bool last = is_last != page.end() && is_last->is_boolean()
                    ? is_last->get<bool>()
                    : start >= integer_or(page, "total", start);
    if (values.empty() || last) break;
  }
  set_whole_list(embedded, "histories", std::move(all));
}

void IssueFetcher::overlay_sla(const std::string& key, Json& document) const {
  if (sla_ == nullptr || sla_fields_.empty()) return;
  // 404: the SLA account cannot see the issue; the main account's values stay.
  std::optional<Json> sla = sla_->issue_fields(key, sla_fields_);
  if (!sla || !sla->is_object() || !(*sla)["fields"].is_object()) return;
  const Json& fields = (*sla)["fields"];
  for (const std::string& field : sla_fields_)
    if (auto value = fields.find(field); value != fields.end()) document["fields"][field] = *value;
}

}  // namespace da::connectors::jira
