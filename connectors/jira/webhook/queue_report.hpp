// The queue's state as JSON, for /webhooks/jira/health and `da jira status --json`.
#pragma once

#include <cstdint>

#include "jira/webhook/event_queue.hpp"
#include <nlohmann/json.hpp>

namespace da::connectors::jira {

// {"status": "ok" | "degraded" (failed events wait for an administrator),
//  "queue": {"pending","processing","done","failed"}, "newest_event_at": ISO | null,
//  "newest_event_age_seconds", "oldest_pending_age_seconds": n | null,
//  "last_error": event_json() | null}, ages as of `now` (epoch microseconds).
nlohmann::json queue_health_json(const QueueHealth& health, int64_t now);
// {"id","received_at","event","action","issue","state","attempts","next_attempt_at",
//  "last_error","processed_at"}; times ISO-8601 or null.
nlohmann::json event_json(const EventRecord& record);

}  // namespace da::connectors::jira
