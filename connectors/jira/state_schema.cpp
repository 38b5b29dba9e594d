// The connector's state: the durable queue of webhook events and the consistency checks' reports.
#include "da/store/schema_registry.hpp"

namespace da::connectors::jira {

namespace {

// One row per webhook delivery, stored before the webhook is answered. `action` is what the
// worker does with the issue: 'fetch' it again or 'delete' it (only jira:issue_deleted).
// Times are epoch microseconds; `claimed_until` is the lease of a worker's claim.
constexpr const char* kWebhookEvents = R"sql(
CREATE TABLE jira_webhook_events (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at     INTEGER NOT NULL,
  event           TEXT NOT NULL,
  action          TEXT NOT NULL CHECK (action IN ('fetch', 'delete')),
  issue_key       TEXT NOT NULL,
  body            TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'processing', 'done', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  claimed_until   INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  processed_at    INTEGER
);
CREATE INDEX jira_webhook_events_due ON jira_webhook_events (state, next_attempt_at);
CREATE INDEX jira_webhook_events_processed ON jira_webhook_events (state, processed_at);
)sql";

// One row per `da jira check` run (check/consistency_runs.cpp). The key lists are JSON arrays,
// capped; their counts are whole. Times are epoch microseconds.
constexpr const char* kConsistencyRuns = R"sql(
CREATE TABLE jira_consistency_runs (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at      INTEGER NOT NULL,
  finished_at     INTEGER NOT NULL,
  mode            TEXT NOT NULL CHECK (mode IN ('regular', 'deep')),
  dry_run         INTEGER NOT NULL,
  window_days     INTEGER NOT NULL,
  jira_count      INTEGER NOT NULL,
  stored_count    INTEGER NOT NULL,
  published_count INTEGER NOT NULL,
  missing_count   INTEGER NOT NULL,
  stale_count     INTEGER NOT NULL,
  gone_count      INTEGER NOT NULL,
  parquet_gap_count INTEGER NOT NULL,
  missing         TEXT NOT NULL,
  stale           TEXT NOT NULL,
  gone            TEXT NOT NULL,
  parquet_gap     TEXT NOT NULL,
  repaired        INTEGER NOT NULL,
  failed          TEXT NOT NULL,
  unrepaired      INTEGER NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('ok', 'repaired', 'failed', 'over_budget', 'dry_run')),
  error           TEXT
);
)sql";

}  // namespace

void register_state_schema(store::SchemaRegistry& registry) {
  registry.add({"jira",
                {},
                {
                    {"", 1, "the durable queue of Jira webhook events", kWebhookEvents, 0},
                    {"", 2, "the reports of the Jira consistency check", kConsistencyRuns, 0},
                }});
}

}  // namespace da::connectors::jira
