#include "jira/webhook/queue_report.hpp"

#include <optional>

#include "da/common/time.hpp"

namespace da::connectors::jira {

namespace {

using Json = nlohmann::json;

Json iso_or_null(std::optional<int64_t> micros) {
  return micros ? Json(format_iso8601(from_epoch_micros(*micros))) : Json(nullptr);
}

Json age_or_null(std::optional<int64_t> micros, int64_t now) {
  return micros ? Json((now - *micros) / 1'000'000) : Json(nullptr);
}

}  // namespace

Json queue_health_json(const QueueHealth& health, int64_t now) {
  return {{"status", health.failed > 0 ? "degraded" : "ok"},
          {"queue",
           {{"pending", health.pending},
            {"processing", health.processing},
            {"done", health.done},
            {"failed", health.failed}}},
          {"newest_event_at", iso_or_null(health.newest_received_at)},
          {"newest_event_age_seconds", age_or_null(health.newest_received_at, now)},
          {"oldest_pending_age_seconds", age_or_null(health.oldest_pending_received_at, now)},
          {"last_error", health.last_error ? event_json(*health.last_error) : Json(nullptr)}};
}

Json event_json(const EventRecord& record) {
  return {{"id", record.id},
          {"received_at", iso_or_null(record.received_at)},
          {"event", record.event},
          {"action", to_string(record.action)},
          {"issue", record.issue_key},
          {"state", record.state},
          {"attempts", record.attempts},
          {"next_attempt_at", iso_or_null(record.next_attempt_at)},
          {"last_error", record.last_error ? Json(*record.last_error) : Json(nullptr)},
          {"processed_at", iso_or_null(record.processed_at)}};
}

}  // namespace da::connectors::jira
