// The durable queue of Jira webhook events (the table jira_webhook_events): the webhook route
// stores each delivery here before it answers, and the worker (`da jira worker`) drains it.
//
// A claim marks events `processing` with a lease: if the worker dies, its events are pending
// again once the lease runs out (and count an attempt). A failed attempt puts the events back
// with a growing delay; after max_attempts they stay `failed` for an administrator to see
// (`da jira status`, /webhooks/jira/health) and requeue (`da jira retry-failed`). Done events
// are kept for a while for the record, then pruned. Times are epoch microseconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "da/store/sqlite_database.hpp"

namespace da::connectors::jira {

// What the worker does with the event's issue. Only jira:issue_deleted deletes it; every other
// event (comment_deleted, issuelink_deleted, ... included) fetches it again.
enum class EventAction { kFetch, kDelete };

// "fetch" | "delete"
const char* to_string(EventAction action);

struct NewEvent {
  std::string event;  // webhookEvent as sent ("" when the payload has none)
  EventAction action = EventAction::kFetch;
  std::string issue_key;
  std::string body;  // the raw request body
};

// A claimed event, without its body: the worker fetches the issue anyway, and a batch of
// thousands stays small.
struct QueuedEvent {
  int64_t id = 0;
  int64_t received_at = 0;
  std::string event;
  EventAction action = EventAction::kFetch;
  std::string issue_key;
  int attempts = 0;  // this one included
};

// An event as `da jira status` shows it (without its body).
struct EventRecord {
  int64_t id = 0;
  int64_t received_at = 0;
  std::string event;
  EventAction action = EventAction::kFetch;
  std::string issue_key;
  std::string state;  // pending | processing | done | failed
  int attempts = 0;
  int64_t next_attempt_at = 0;
  std::optional<std::string> last_error;
  std::optional<int64_t> processed_at;
};

struct QueueHealth {
  int64_t pending = 0;
  int64_t processing = 0;
  int64_t done = 0;
  int64_t failed = 0;
  std::optional<int64_t> newest_received_at;          // of any event
  std::optional<int64_t> oldest_pending_received_at;  // how far behind the worker is
  std::optional<EventRecord> last_error;              // the newest event still carrying one
};

struct QueuePolicy {
  int max_attempts = 8;
  std::chrono::seconds first_retry{30};  // doubled after each failure, up to max_retry
  std::chrono::seconds max_retry{3600};
  std::chrono::seconds lease{600};  // longer than a batch takes
  std::function<int64_t()> now;     // epoch microseconds; the system clock when empty
};

class EventQueue {
 public:
  explicit EventQueue(store::SqliteDatabase& database, QueuePolicy policy = {});

  // Stores the event, pending and due now; it is committed when this returns. Returns its id.
  int64_t enqueue(const NewEvent& event);
  // Up to `limit` due events, oldest first, marked processing (one attempt more) and leased to
  // the caller. First returns expired leases to pending, or to failed when their attempts are
  // used up.
  std::vector<QueuedEvent> claim(int limit);
  // The events were applied: done.
  void complete(const std::vector<int64_t>& ids);
  // An attempt failed with `error`: pending again after the backoff, or failed once
  // max_attempts are used.
  void fail(const std::vector<int64_t>& ids, const std::string& error);
  // Every failed event pending again, due now, with its attempts reset. Returns how many.
  int retry_failed();
  // Deletes done events processed more than `age` ago. Returns how many.
  int prune_done(std::chrono::seconds age);

  QueueHealth health();
  // The newest `limit` events, newest first.
  std::vector<EventRecord> recent(int limit);
  // When the next pending event is due, if any is pending.
  std::optional<int64_t> next_due();

 private:
  int64_t now() const;
  void release_expired_leases(int64_t now);

  store::SqliteDatabase& database_;
  QueuePolicy policy_;
};

}  // namespace da::connectors::jira
