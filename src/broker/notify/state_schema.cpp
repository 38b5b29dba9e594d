// The notification outbox, Telegram links, notification scripts and their on-demand runs.
#include "da/store/schema_registry.hpp"

namespace da::notify {

namespace {

// The notification outbox: every notification once, and its delivery on each channel tracked
// on its own, so that one channel never waits for another. Delivery workers claim due rows with
// a lease, which lets several processes share the work.
constexpr const char* kNotifications = R"sql(
CREATE TABLE notifications (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title      TEXT NOT NULL DEFAULT '',
  message    TEXT NOT NULL DEFAULT '',
  image      TEXT,
  script     TEXT,
  source     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE TABLE notification_deliveries (
  notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  channel         TEXT NOT NULL CHECK (channel IN ('telegram', 'desktop')),
  status          TEXT NOT NULL
                  CHECK (status IN ('pending', 'sent', 'failed', 'acknowledged', 'expired')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  claimed_until   INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (notification_id, channel)
);
CREATE INDEX deliveries_due ON notification_deliveries (channel, status, next_attempt_at);
CREATE TABLE telegram_links (
  user_id   INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  chat_id   INTEGER NOT NULL,
  linked_at INTEGER NOT NULL
);
CREATE INDEX telegram_links_chat ON telegram_links (chat_id);
CREATE TABLE telegram_codes (
  code       TEXT PRIMARY KEY,
  chat_id    INTEGER NOT NULL UNIQUE,
  expires_at INTEGER NOT NULL
);
)sql";

// Analysts' notification scripts as the runner last saw them (what the bot's /status and the
// desktop app list without reading homes), and on-demand runs waiting for the runner.
constexpr const char* kNotificationScripts = R"sql(
CREATE TABLE notification_scripts (
  user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  script       TEXT NOT NULL,
  seen_at      INTEGER NOT NULL,
  last_run_at  INTEGER,
  last_sent_at INTEGER,
  last_status  TEXT,
  last_error   TEXT,
  PRIMARY KEY (user_id, script)
);
CREATE TABLE script_run_requests (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  script       TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  started_at   INTEGER,
  finished_at  INTEGER,
  outcome      TEXT
);
)sql";

// A channel is a name the channel modules register (see channel_registry.hpp), not a list the
// store keeps: the table is rebuilt without its CHECK, which SQLite cannot drop in place.
constexpr const char* kOpenChannels = R"sql(
CREATE TABLE notification_deliveries_rebuilt (
  notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  channel         TEXT NOT NULL,
  status          TEXT NOT NULL
                  CHECK (status IN ('pending', 'sent', 'failed', 'acknowledged', 'expired')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  claimed_until   INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (notification_id, channel)
);
INSERT INTO notification_deliveries_rebuilt (notification_id, channel, status, attempts,
  next_attempt_at, claimed_until, last_error, updated_at)
SELECT notification_id, channel, status, attempts, next_attempt_at, claimed_until, last_error,
  updated_at FROM notification_deliveries;
DROP TABLE notification_deliveries;
ALTER TABLE notification_deliveries_rebuilt RENAME TO notification_deliveries;
CREATE INDEX deliveries_due ON notification_deliveries (channel, status, next_attempt_at);
)sql";

}  // namespace

void register_state_schema(store::SchemaRegistry& registry) {
  registry.add({"notify",
                {"identity"},
                {
                    {"", 1, "notification outbox and Telegram links", kNotifications, 7},
                    {"", 2, "notification scripts and on-demand runs", kNotificationScripts, 8},
                    {"", 3, "channels are the registered ones, not a fixed list", kOpenChannels},
                }});
}

}  // namespace da::notify
