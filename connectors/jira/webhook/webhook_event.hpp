// What a webhook delivery asks of the connector: which event, which issue, and whether the
// issue is to be fetched again or deleted.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "jira/webhook/event_queue.hpp"

namespace da::connectors::jira {

// Only "jira:issue_deleted" deletes the issue. comment_deleted, issuelink_deleted,
// attachment_deleted, worklog_deleted, ... delete a part of it: the issue is fetched again
// (the original deleted the whole issue on any event whose name contained "deleted").
EventAction action_for(std::string_view webhook_event);

struct ParsedEvent {
  std::optional<NewEvent> event;  // set when the body can be queued
  std::string problem;            // otherwise why not, for the 400 answer
};

// Reads `body` (the raw request body, kept as the event's body): a JSON object with the issue
// key in issue.key, or at the top level in issue_key (Jira Automation's web requests), and
// the event name in webhookEvent (optional: without one the issue is fetched).
ParsedEvent parse_webhook_event(std::string body);

}  // namespace da::connectors::jira
