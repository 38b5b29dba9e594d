#include "jira/webhook/event_queue.hpp"

#include <algorithm>
#include <utility>

#include "da/common/time.hpp"

namespace da::connectors::jira {

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

constexpr const char* kRecordColumns =
    "id, received_at, event, action, issue_key, state, attempts, next_attempt_at, last_error, "
    "processed_at";

EventAction action_of(const std::string& text) {
  return text == "delete" ? EventAction::kDelete : EventAction::kFetch;
}

EventRecord record_of(store::SqliteStatement& row) {
  EventRecord record;
  record.id = row.column_int(0);
  record.received_at = row.column_int(1);
  record.event = row.column_text(2);
  record.action = action_of(row.column_text(3));
  record.issue_key = row.column_text(4);
  record.state = row.column_text(5);
  record.attempts = static_cast<int>(row.column_int(6));
  record.next_attempt_at = row.column_int(7);
  record.last_error = row.column_optional_text(8);
  record.processed_at = row.column_optional_int(9);
  return record;
}

}  // namespace

const char* to_string(EventAction action) {
  return action == EventAction::kDelete ? "delete" : "fetch";
}

EventQueue::EventQueue(store::SqliteDatabase& database, QueuePolicy policy)
    : database_(database), policy_(std::move(policy)) {}

int64_t EventQueue::now() const {
  return policy_.now ? policy_.now() : now_micros();
}

int64_t EventQueue::enqueue(const NewEvent& event) {
  int64_t received = now();
  return database_.write_transaction([&] {
    database_
        .prepare(
            "INSERT INTO jira_webhook_events (received_at, event, action, issue_key, body, "
            "next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind_all(received, event.event, to_string(event.action), event.issue_key, event.body,
                  received)
        .run();
    return database_.last_insert_rowid();
  });
}

void EventQueue::release_expired_leases(int64_t now) {
  database_
      .prepare(
          "UPDATE jira_webhook_events SET state = 'failed', claimed_until = 0, processed_at = ?1, "
          "last_error = 'the worker stopped while processing it, ' || attempts || ' time(s)' "
          "WHERE state = 'processing' AND claimed_until <= ?1 AND attempts >= ?2")
      .bind_all(now, static_cast<int64_t>(policy_.max_attempts))
      .run();
  database_
      .prepare(
          "UPDATE jira_webhook_events SET state = 'pending', claimed_until = 0, "
          "next_attempt_at = ?1, last_error = 'the worker stopped while processing it' "
          "WHERE state = 'processing' AND claimed_until <= ?1")
      .bind(1, now)
      .run();
}

std::vector<QueuedEvent> EventQueue::claim(int limit) {
  int64_t at = now();
  return database_.write_transaction([&] {
    release_expired_leases(at);
    std::vector<QueuedEvent> claimed;
    auto due = database_.prepare(
        "SELECT id, received_at, event, action, issue_key, attempts FROM "
        "jira_webhook_events WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id "
        "LIMIT ?");
    due.bind_all(at, static_cast<int64_t>(limit));
    while (due.step()) {
      QueuedEvent event;
      event.id = due.column_int(0);
      event.received_at = due.column_int(1);
      event.event = due.column_text(2);
      event.action = action_of(due.column_text(3));
      event.issue_key = due.column_text(4);
      event.attempts = static_cast<int>(due.column_int(5)) + 1;
      claimed.push_back(std::move(event));
    }
    auto lease = database_.prepare(
        "UPDATE jira_webhook_events SET state = 'processing', attempts = attempts + 1, "
        "claimed_until = ? WHERE id = ?");
    for (const QueuedEvent& event : claimed) {
      lease.bind_all(at + policy_.lease.count() * kMicrosPerSecond, event.id);
      lease.run();
      lease.reset();
    }
    return claimed;
  });
}

void EventQueue::complete(const std::vector<int64_t>& ids) {
  int64_t at = now();
  database_.write_transaction([&] {
    auto done = database_.prepare(
        "UPDATE jira_webhook_events SET state = 'done', claimed_until = 0, last_error = NULL, "
        "processed_at = ? WHERE id = ? AND state = 'processing'");
    for (int64_t id : ids) {
      done.bind_all(at, id);
      done.run();
      done.reset();
    }
  });
}

void EventQueue::fail(const std::vector<int64_t>& ids, const std::string& error) {
  int64_t at = now();
  database_.write_transaction([&] {
    auto attempts_of = database_.prepare(
        "SELECT attempts FROM jira_webhook_events WHERE id = ? AND state = 'processing'");
    auto give_up = database_.prepare(
        "UPDATE jira_webhook_events SET state = 'failed', claimed_until = 0, last_error = ?, "
        "processed_at = ? WHERE id = ?");
    auto retry = database_.prepare(
        "UPDATE jira_webhook_events SET state = 'pending', claimed_until = 0, last_error = ?, "
        "next_attempt_at = ? WHERE id = ?");
    for (int64_t id : ids) {
      attempts_of.bind(1, id);
      bool found = attempts_of.step();
      int attempts = found ? static_cast<int>(attempts_of.column_int(0)) : 0;
      attempts_of.reset();
      if (!found) continue;
      if (attempts >= policy_.max_attempts) {
        give_up.bind_all(error, at, id);
        give_up.run();
        give_up.reset();
        continue;
      }
      int64_t delay = policy_.first_retry.count() * kMicrosPerSecond << std::min(attempts - 1, 20);
      delay = std::min(delay, static_cast<int64_t>(policy_.max_retry.count()) * kMicrosPerSecond);
      retry.bind_all(error, at + delay, id);
      retry.run();
      retry.reset();
    }
  });
}

int EventQueue::retry_failed() {
  int64_t at = now();
  return database_.write_transaction([&] {
    database_
        .prepare(
            "UPDATE jira_webhook_events SET state = 'pending', attempts = 0, next_attempt_at = ?, "
            "processed_at = NULL WHERE state = 'failed'")
        .bind(1, at)
        .run();
    return database_.changes();
  });
}

int EventQueue::prune_done(std::chrono::seconds age) {
  int64_t cutoff = now() - age.count() * kMicrosPerSecond;
  return database_.write_transaction([&] {
    database_.prepare("DELETE FROM jira_webhook_events WHERE state = 'done' AND processed_at < ?")
        .bind(1, cutoff)
        .run();
    return database_.changes();
  });
}

QueueHealth EventQueue::health() {
  QueueHealth health;
  auto counts = database_.prepare("SELECT state, COUNT(*) FROM jira_webhook_events GROUP BY state");
  while (counts.step()) {
    std::string state = counts.column_text(0);
    int64_t count = counts.column_int(1);
    if (state == "pending") health.pending = count;
    if (state == "processing") health.processing = count;
    if (state == "done") health.done = count;
    if (state == "failed") health.failed = count;
  }
  auto times = database_.prepare(
      "SELECT MAX(received_at), (SELECT MIN(received_at) FROM jira_webhook_events WHERE state = "
      "'pending') FROM jira_webhook_events");
  if (times.step()) {
    health.newest_received_at = times.column_optional_int(0);
    health.oldest_pending_received_at = times.column_optional_int(1);
  }
  auto error = database_.prepare(std::string("SELECT ") + kRecordColumns +
                                 " FROM jira_webhook_events WHERE last_error IS NOT NULL AND "
                                 "state IN ('pending', 'failed') ORDER BY id DESC LIMIT 1");
  if (error.step()) health.last_error = record_of(error);
  return health;
}

std::vector<EventRecord> EventQueue::recent(int limit) {
  auto rows = database_.prepare(std::string("SELECT ") + kRecordColumns +
                                " FROM jira_webhook_events ORDER BY id DESC LIMIT ?");
  rows.bind(1, static_cast<int64_t>(limit));
  std::vector<EventRecord> records;
  while (rows.step())
    records.push_back(record_of(rows));
  return records;
}

std::optional<int64_t> EventQueue::next_due() {
  auto row = database_.prepare(
      "SELECT MIN(next_attempt_at) FROM jira_webhook_events WHERE state = 'pending'");
  if (!row.step()) return std::nullopt;
  return row.column_optional_int(0);
}

}  // namespace da::connectors::jira
