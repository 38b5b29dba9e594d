#include "jira/tables/issue_rows.hpp"

#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>

#include "jira/tables/attachment_paths.hpp"
#include <nlohmann/json.hpp>

#include "da/common/error.hpp"
#include "da/common/time.hpp"

namespace da::connectors::jira {

namespace fs = std::filesystem;
using duck::Value;
using Json = nlohmann::json;
using Row = std::vector<Value>;

namespace {

// A Jira timestamp: "2024-01-15T10:30:00.000+0100" (the offset with or without a colon).
struct JiraTime {
  Timestamp utc;
  std::chrono::year_month local_month;  // in the timestamp's own offset
};

std::optional<int> digits(std::string_view text, size_t at, size_t count) {
  if (at + count > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// The offset at the end of a timestamp ("", "Z", "+01", "+0100", "+01:00"), in minutes.
std::optional<int> offset_minutes(std::string_view rest) {
  if (rest.empty() || rest == "Z") return 0;
  if (rest[0] != '+' && rest[0] != '-') return std::nullopt;
  std::optional<int> hours = digits(rest, 1, 2);
  if (!hours) return std::nullopt;
  std::optional<int> minutes = 0;
  if (rest.size() == 5) {
    minutes = digits(rest, 3, 2);
  } else if (rest.size() == 6 && rest[3] == ':') {
    minutes = digits(rest, 4, 2);
  } else if (rest.size() != 3) {
    return std::nullopt;
  }
  if (!minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  int total = *hours * 60 + *minutes;
  return rest[0] == '-' ? -total : total;
}

std::optional<JiraTime> parse_jira_time(std::string_view text) {
  using namespace std::chrono;
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  auto year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  auto hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  year_month_day date{std::chrono::year(*year), std::chrono::month(*month), std::chrono::day(*day)};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  size_t at = 19;
  int64_t micros = 0;
  if (at < text.size() && text[at] == '.') {
    int64_t scale = 100000;
    for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, scale /= 10)
      micros += (text[at] - '0') * scale;
  }
  std::optional<int> offset = offset_minutes(text.substr(at));
  if (!offset) return std::nullopt;
  Timestamp local =
      sys_days(date) + hours(*hour) + minutes(*minute) + seconds(*second) + microseconds(micros);
  return JiraTime{local - minutes(*offset), date.year() / date.month()};
}

std::string month_key(std::chrono::year_month month) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u", static_cast<int>(month.year()),
                static_cast<unsigned>(month.month()));
  return text;
}

const Json* member(const Json* object, const char* name) {
  if (object == nullptr || !object->is_object()) return nullptr;
  auto found = object->find(name);
  if (found == object->end() || found->is_null()) return nullptr;
  return &*found;
}

template <typename... Names>
const Json* path(const Json* object, const char* name, Names... names) {
  const Json* found = member(object, name);
  if constexpr (sizeof...(names) == 0) {
    return found;
  } else {
    return path(found, names...);
  }
}

std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Text as the original's str(): a string as is, a boolean as "True"/"False", others as JSON.
Value text(const Json* value) {
  if (value == nullptr) return {};
  if (value->is_string()) return value->get<std::string>();
  if (value->is_boolean()) return value->get<bool>() ? "True" : "False";
  return dump(*value);
}

Value integer(const Json* value) {
  if (value == nullptr) return {};
  if (value->is_number_integer()) return value->get<int64_t>();
  if (value->is_number_float()) {
    double number = value->get<double>();
    if (std::isfinite(number) && std::fabs(number) < 9.2e18) return static_cast<int64_t>(number);
    return {};
  }
  if (value->is_string()) {
    const std::string& digits = value->get_ref<const std::string&>();
    int64_t parsed = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
    if (error == std::errc() && end == digits.data() + digits.size()) return parsed;
  }
  return {};
}

Value timestamp(const Json* value) {
  if (value == nullptr || !value->is_string()) return {};
  std::optional<JiraTime> time = parse_jira_time(value->get_ref<const std::string&>());
  if (!time) return {};
  return format_iso8601(time->utc);
}

Value length(const Json* value) {
  return value != nullptr && value->is_array() ? static_cast<int64_t>(value->size()) : 0;
}

// An option's text: `.value`, else `.name`; a plain string as is.
Value option(const Json* value) {
  if (value == nullptr) return {};
  if (value->is_string()) return value->get<std::string>();
  if (const Json* found = member(value, "value"); found != nullptr) return text(found);
  return text(member(value, "name"));
}

// A JSON list of `item(element)` over an array (a single value is a list of one); NULL when
// the field is missing.
template <typename Item>
Value json_list(const Json* value, Item item) {
  if (value == nullptr) return {};
  Json list = Json::array();
  auto add = [&](const Json& element) {
    Value mapped = item(&element);
    if (!mapped.is_null()) list.push_back(mapped.to_string());
  };
  if (value->is_array()) {
    for (const Json& element : *value)
      add(element);
  } else {
    add(*value);
  }
  return dump(list);
}

// Rich text (Atlassian Document Format): every text node's text, joined with spaces; a plain
// string (Jira Data Center, API v2) as is. Nodes nested deeper than kMaxDepth are skipped, so
// that a hostile document cannot exhaust the stack.
constexpr int kMaxDepth = 256;

void collect_text(const Json& node, std::vector<std::string>& texts, int depth = 0) {
  if (depth > kMaxDepth) return;
  if (node.is_array()) {
    for (const Json& child : node)
      collect_text(child, texts, depth + 1);
    return;
  }
  if (!node.is_object()) return;
  const Json* type = member(&node, "type");
  const Json* value = member(&node, "text");
  if (type != nullptr && *type == "text" && value != nullptr && value->is_string())
    texts.push_back(value->get<std::string>());
  if (const Json* content = member(&node, "content"); content != nullptr)
    collect_text(*content, texts, depth + 1);
}

Value rich_text(const Json* value) {
  if (value == nullptr) return {};
  if (value->is_string()) return value->get<std::string>();
  std::vector<std::string> texts;
  collect_text(*value, texts);
  std::string joined;
  for (const std::string& part : texts)
    joined += (joined.empty() ? "" : " ") + part;
  return joined;
}

Value email(const Json* user) {
  return text(member(user, "emailAddress"));
}
Value display_name(const Json* user) {
  return text(member(user, "displayName"));
}

const Json* custom(const Json& fields, const std::string& id) {
  return id.empty() ? nullptr : member(&fields, id.c_str());
}

struct Sla {
  Value breached, goal_millis, elapsed_millis;
};

// The cycle that counts: the ongoing one, else the last completed one. A field Jira answered
// with an errorMessage (no JSM licence) has none.
Sla sla(const Json* field) {
  if (field == nullptr || member(field, "errorMessage") != nullptr) return {};
  const Json* cycle = member(field, "ongoingCycle");
  const Json* completed = member(field, "completedCycles");
  if (cycle == nullptr && completed != nullptr && completed->is_array() && !completed->empty())
    cycle = &completed->back();
  if (cycle == nullptr) return {};
  const Json* breached = member(cycle, "breached");
  return {breached != nullptr && breached->is_boolean() ? text(breached) : Value(),
          integer(path(cycle, "goalDuration", "millis")),
          integer(path(cycle, "elapsedTime", "millis"))};
}

Value issue_url(const std::string& base, const std::string& key) {
  if (base.empty()) return {};
  std::string trimmed = base;
  while (!trimmed.empty() && trimmed.back() == '/')
    trimmed.pop_back();
  return trimmed + "/browse/" + key;
}

Row issue_row(const Json& document, const Json& f, const std::string& key,
              const RowContext& context) {
  const CustomFieldIds& ids = context.fields;
  const Json* request = custom(f, ids.request_type);
  Sla first_response = sla(custom(f, ids.first_response));
  Sla resolution = sla(custom(f, ids.time_to_resolution));
  return {key,
          text(member(&document, "id")),
          issue_url(context.browse_base_url, key),
          text(member(&f, "summary")),
          rich_text(member(&f, "description")),
          text(path(&f, "issuetype", "name")),
          text(path(&f, "status", "name")),
          text(path(&f, "status", "statusCategory", "name")),
          text(path(&f, "priority", "name")),
          text(path(&f, "resolution", "name")),
          text(path(&f, "project", "key")),
          text(path(&f, "project", "name")),
          email(member(&f, "creator")),
          display_name(member(&f, "creator")),
          email(member(&f, "reporter")),
          display_name(member(&f, "reporter")),
          email(member(&f, "assignee")),
          display_name(member(&f, "assignee")),
          timestamp(member(&f, "created")),
          timestamp(member(&f, "updated")),
          timestamp(member(&f, "resolutiondate")),
          text(member(&f, "duedate")),
          json_list(member(&f, "labels"), text),
          length(member(&f, "attachment")),
          integer(path(&f, "comment", "total")),
          length(member(&f, "issuelinks")),
          text(path(request, "requestType", "name")),
          text(path(request, "currentStatus", "status")),
          option(custom(f, ids.severity)),
          json_list(custom(f, ids.triage), option),
          json_list(custom(f, ids.configuration_item), option),
          json_list(custom(f, ids.participants), email),
          json_list(custom(f, ids.organizations), option),
          option(custom(f, ids.spam)),
          rich_text(custom(f, ids.context)),
          text(custom(f, ids.custom_url)),
          text(custom(f, ids.slack_link)),
          option(custom(f, ids.technical_issue_category)),
          text(custom(f, ids.email_address)),
          integer(member(custom(f, ids.satisfaction), "rating")),
          first_response.breached,
          first_response.goal_millis,
          first_response.elapsed_millis,
          resolution.breached,
          resolution.goal_millis,
          resolution.elapsed_millis,
          option(custom(f, ids.l3_team)),
          text(member(&document, "_synced_at")),
          key + ".json"};
}

template <typename Each>
void for_each_object(const Json* array, Each each) {
  if (array == nullptr || !array->is_array()) return;
  for (const Json& element : *array) {
    if (element.is_object()) each(element);
  }
}

void comment_rows(const Json& f, const std::string& key, std::vector<Row>& rows) {
  for_each_object(path(&f, "comment", "comments"), [&](const Json& c) {
    rows.push_back({text(member(&c, "id")), key, email(member(&c, "author")),
                    display_name(member(&c, "author")), rich_text(member(&c, "body")),
                    timestamp(member(&c, "created")), timestamp(member(&c, "updated")),
                    email(member(&c, "updateAuthor"))});
  });
}

void attachment_rows(const Json& f, const std::string& key, const RowContext& context,
                     std::vector<Row>& rows) {
  for_each_object(member(&f, "attachment"), [&](const Json& a) {
    Value id = text(member(&a, "id"));
    Value name = text(member(&a, "filename"));
    if (id.is_null())
      throw Error(ErrorKind::kData, key + ": field 'fields.attachment[].id' is missing");
    std::string relative =
        hierarchical_path(key, id.text(), name.is_null() ? std::string() : name.text());
    fs::path local = context.attachments_root / relative;
    std::error_code error;
    Value local_path = !context.attachments_root.empty() && fs::is_regular_file(local, error)
                           ? Value(fs::absolute(local).lexically_normal().string())
                           : Value();
    rows.push_back({id, key, name, local_path, relative, integer(member(&a, "size")),
                    text(member(&a, "mimeType")), email(member(&a, "author")),
                    timestamp(member(&a, "created")), text(member(&a, "content")),
                    text(member(&a, "thumbnail"))});
  });
}

void changelog_rows(const Json& document, const std::string& key, std::vector<Row>& rows) {
  for_each_object(path(&document, "changelog", "histories"), [&](const Json& history) {
    const Json* author = member(&history, "author");
    Value changed_at = timestamp(member(&history, "created"));
    for_each_object(member(&history, "items"), [&](const Json& item) {
      rows.push_back({text(member(&history, "id")), key, email(author), display_name(author),
                      text(member(&item, "field")), text(member(&item, "fieldtype")),
                      text(member(&item, "fromString")), text(member(&item, "toString")),
                      changed_at});
    });
  });
}

void issuelink_rows(const Json& f, const std::string& key, std::vector<Row>& rows) {
  for_each_object(member(&f, "issuelinks"), [&](const Json& link) {
    for (const char* direction : {"outward", "inward"}) {
      const Json* linked = member(&link, (std::string(direction) + "Issue").c_str());
      if (linked == nullptr) continue;
      rows.push_back({key, text(member(&link, "id")), text(path(&link, "type", "name")), direction,
                      text(member(linked, "key")), text(path(linked, "fields", "summary")),
                      text(path(linked, "fields", "status", "name")),
                      text(path(linked, "fields", "priority", "name"))});
    }
  });
}

void remote_link_rows(const Json& document, const std::string& key, std::vector<Row>& rows) {
  for_each_object(member(&document, "_remote_links"), [&](const Json& link) {
    rows.push_back({key, text(member(&link, "id")), text(path(&link, "object", "url")),
                    text(path(&link, "object", "title")), text(path(&link, "application", "name")),
                    text(path(&link, "application", "type"))});
  });
}

bool is_issue_key(const std::string& key) {
  size_t dash = key.rfind('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 == key.size()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    bool ok = i < dash ? (std::isalnum(static_cast<unsigned char>(c)) || c == '_')
                       : (i == dash || (c >= '0' && c <= '9'));
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string issue_month(const Json& document) {
  const Json* created = path(&document, "fields", "created");
  if (created != nullptr && created->is_string()) {
    if (auto time = parse_jira_time(created->get_ref<const std::string&>()))
      return month_key(time->local_month);
  }
  std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(now_utc())};
  return month_key(today.year() / today.month());
}

IssueRows issue_rows(const Json& document, const RowContext& context) {
  const Json* key = member(&document, "key");
  if (key == nullptr || !key->is_string() || !is_issue_key(key->get<std::string>())) {
    throw Error(ErrorKind::kData,
                "Jira document is not an issue: field 'key' is " +
                    (key == nullptr ? std::string("missing") : "'" + dump(*key) + "'") +
                    ", expected <PROJECT>-<number>");
  }
  IssueRows rows;
  rows.issue_key = key->get<std::string>();
  const Json* fields = member(&document, "fields");
  if (fields == nullptr || !fields->is_object()) {
    throw Error(ErrorKind::kData,
                "Jira document " + rows.issue_key +
                    " is not an issue: field 'fields' is missing or not an object");
  }
  rows.month = issue_month(document);
  rows.tables[kIssues].push_back(issue_row(document, *fields, rows.issue_key, context));
  comment_rows(*fields, rows.issue_key, rows.tables[kComments]);
  attachment_rows(*fields, rows.issue_key, context, rows.tables[kAttachments]);
  changelog_rows(document, rows.issue_key, rows.tables[kChangelog]);
  issuelink_rows(*fields, rows.issue_key, rows.tables[kIssueLinks]);
  remote_link_rows(document, rows.issue_key, rows.tables[kRemoteLinks]);
  return rows;
}

}  // namespace da::connectors::jira
