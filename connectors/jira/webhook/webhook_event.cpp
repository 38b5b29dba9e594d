#include "jira/webhook/webhook_event.hpp"

#include "jira/raw/issue_store.hpp"
#include <nlohmann/json.hpp>

namespace da::connectors::jira {

namespace {

using Json = nlohmann::json;

// The issue key the payload names, or nullptr.
const Json* issue_key_of(const Json& payload) {
  auto issue = payload.find("issue");
  if (issue != payload.end() && issue->is_object()) {
    auto key = issue->find("key");
    if (key != issue->end()) return &*key;
  }
  auto key = payload.find("issue_key");
  return key != payload.end() ? &*key : nullptr;
}

// "parse error at line 1, column 2: ..." without nlohmann's "[json.exception...] " prefix.
std::string parse_problem(const Json::parse_error& error) {
  std::string text = error.what();
  auto start = text.find("] ");
  return start == std::string::npos ? text : text.substr(start + 2);
}

}  // namespace

EventAction action_for(std::string_view webhook_event) {
  return webhook_event == "jira:issue_deleted" ? EventAction::kDelete : EventAction::kFetch;
}

ParsedEvent parse_webhook_event(std::string body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    return {std::nullopt, "empty body: Jira sends each event as a JSON object"};
  Json payload;
  try {
    payload = Json::parse(body);
  } catch (const Json::parse_error& error) {
    return {std::nullopt, "invalid JSON payload: " + parse_problem(error)};
  }
  if (!payload.is_object())
    return {std::nullopt,
            std::string("invalid JSON payload: expected an object, found ") + payload.type_name()};
  NewEvent event;
  auto name = payload.find("webhookEvent");
  if (name != payload.end()) {
    if (!name->is_string()) return {std::nullopt, "webhookEvent is not a string"};
    event.event = name->get<std::string>();
  }
  const Json* key = issue_key_of(payload);
  if (key == nullptr)
    return {std::nullopt, "the event names no issue (neither issue.key nor issue_key)"};
  if (!key->is_string() || !is_issue_key(key->get<std::string>())) {
    std::string shown = key->dump();
    return {std::nullopt, "the issue key " + (shown.size() <= 64 ? shown + " " : std::string()) +
                              "is not of the form PROJECT-123"};
  }
  event.issue_key = key->get<std::string>();
  event.action = action_for(event.event);
  event.body = std::move(body);
  return {std::move(event), {}};
}

}  // namespace da::connectors::jira
