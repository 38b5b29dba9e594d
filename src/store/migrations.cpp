#include "da/store/migrations.hpp"

#include "da/common/error.hpp"
#include "da/common/time.hpp"

namespace da::store {

namespace {

constexpr const char* kSyncTables = R"sql(
CREATE TABLE sync_runs (
  id               INTEGER PRIMARY KEY,
  started_at       TEXT NOT NULL,
  finished_at      TEXT,
  status           TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
  trigger          TEXT NOT NULL,
  host             TEXT NOT NULL,
  pid              INTEGER NOT NULL,
  tables_requested INTEGER NOT NULL DEFAULT 0,
  tables_succeeded INTEGER NOT NULL DEFAULT 0,
  tables_failed    INTEGER NOT NULL DEFAULT 0,
  error            TEXT
);
CREATE INDEX sync_runs_started ON sync_runs (started_at);

CREATE TABLE sync_table_results (
  run_id       INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
  table_id     TEXT NOT NULL,
  table_name   TEXT NOT NULL,
  strategy     TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  rows_read    INTEGER NOT NULL DEFAULT 0,
  rows_total   INTEGER NOT NULL DEFAULT 0,
  bytes_total  INTEGER NOT NULL DEFAULT 0,
  added        INTEGER NOT NULL DEFAULT 0,
  updated      INTEGER NOT NULL DEFAULT 0,
  unchanged    INTEGER NOT NULL DEFAULT 0,
  bad_values   INTEGER NOT NULL DEFAULT 0,
  null_partition_rows INTEGER NOT NULL DEFAULT 0,
  partitions_written  INTEGER NOT NULL DEFAULT 0,
  duration_ms  INTEGER NOT NULL DEFAULT 0,
  error        TEXT,
  PRIMARY KEY (run_id, table_id)
);
CREATE INDEX sync_table_results_table ON sync_table_results (table_id, started_at);

CREATE TABLE sync_state (
  table_id               TEXT PRIMARY KEY,
  table_name             TEXT NOT NULL,
  strategy               TEXT NOT NULL,
  status                 TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
  error                  TEXT,
  last_sync              TEXT,
  last_export_started_at TEXT,
  watermark              TEXT,
  rows                   INTEGER NOT NULL DEFAULT 0,
  columns                INTEGER NOT NULL DEFAULT 0,
  file_size_bytes        INTEGER NOT NULL DEFAULT 0,
  uncompressed_bytes     INTEGER NOT NULL DEFAULT 0,
  schema_json            TEXT,
  source_files_json      TEXT,
  resume_json            TEXT,
  updated_at             TEXT NOT NULL
);
)sql";

constexpr const char* kRegistryTables = R"sql(
CREATE TABLE registry_meta (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  version       INTEGER NOT NULL,
  migrated_from TEXT,
  updated_at    TEXT NOT NULL
);
INSERT INTO registry_meta (id, version, updated_at) VALUES (1, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

CREATE TABLE registry_tables (
  table_id      TEXT PRIMARY KEY,
  position      INTEGER NOT NULL,
  definition    TEXT NOT NULL,
  registered_at TEXT NOT NULL,
  registered_by TEXT NOT NULL,
  updated_at    TEXT,
  updated_by    TEXT
);

CREATE TABLE registry_folder_mapping (
  bucket TEXT PRIMARY KEY,
  folder TEXT NOT NULL
);

CREATE TABLE registry_audit (
  id       INTEGER PRIMARY KEY,
  at       TEXT NOT NULL,
  actor    TEXT NOT NULL,
  action   TEXT NOT NULL,
  table_id TEXT,
  before   TEXT,
  after    TEXT,
  version  INTEGER NOT NULL
);
CREATE INDEX registry_audit_table ON registry_audit (table_id, id);
)sql";

// Times in these tables are epoch microseconds (UTC). Tokens are stored only as the hex
// SHA-256 of the value handed out.
constexpr const char* kIdentityTables = R"sql(
CREATE TABLE users (
  id                  INTEGER PRIMARY KEY,
  email               TEXT NOT NULL UNIQUE,
  username            TEXT NOT NULL UNIQUE,
  name                TEXT NOT NULL DEFAULT '',
  picture             TEXT NOT NULL DEFAULT '',
  roles               TEXT NOT NULL DEFAULT 'analyst',
  disabled            INTEGER NOT NULL DEFAULT 0,
  created_at          INTEGER NOT NULL,
  last_login_at       INTEGER,
  password_hash       TEXT,
  password_changed_at INTEGER,
  ssh_public_key      TEXT,
  ssh_key_added_at    INTEGER
);

CREATE TABLE sessions (
  id_hash      TEXT PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token   TEXT NOT NULL,
  provider     TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  ip           TEXT NOT NULL DEFAULT '',
  user_agent   TEXT NOT NULL DEFAULT '',
  revoked_at   INTEGER
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE one_time_tokens (
  token_hash   TEXT PRIMARY KEY,
  purpose      TEXT NOT NULL,
  subject      TEXT NOT NULL,
  binding_hash TEXT,
  data         TEXT NOT NULL DEFAULT '{}',
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  used_at      INTEGER
);
CREATE INDEX one_time_tokens_subject ON one_time_tokens (purpose, subject);
CREATE INDEX one_time_tokens_expiry ON one_time_tokens (expires_at);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,
  user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind         TEXT NOT NULL CHECK (kind IN ('personal', 'desktop_refresh')),
  name         TEXT NOT NULL,
  family       TEXT,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER,
  last_used_at INTEGER,
  revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, kind);
CREATE INDEX api_tokens_family ON api_tokens (family);

CREATE TABLE rate_limit_events (
  bucket TEXT NOT NULL,
  at     INTEGER NOT NULL
);
CREATE INDEX rate_limit_events_bucket ON rate_limit_events (bucket, at);

CREATE TABLE user_sync_settings (
  user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  datasets   TEXT NOT NULL DEFAULT '{}',
  table_mode TEXT NOT NULL DEFAULT 'all' CHECK (table_mode IN ('all', 'explicit')),
  tables     TEXT NOT NULL DEFAULT '{}',
  updated_at INTEGER
);
)sql";

// Metadata a connector fetched from its source (table definitions, column types), kept for a
// time so that catalog pages and schema.yml do not call the source each time.
constexpr const char* kSourceMetadataCache = R"sql(
CREATE TABLE source_metadata_cache (
  source     TEXT NOT NULL,
  item       TEXT NOT NULL,
  fetched_at INTEGER NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (source, item)
);
)sql";

// SHA-256 of the files the portal hands out, keyed by what changes when a file does, so that
// a manifest of hundreds of tables is served without reading them.
constexpr const char* kFileDigests = R"sql(
CREATE TABLE file_digests (
  path     TEXT PRIMARY KEY,
  size     INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  sha256   TEXT NOT NULL
);
)sql";

// Each analyst's last completed pull, shown on their dashboard.
constexpr const char* kUserPulls = R"sql(
CREATE TABLE user_pulls (
  user_id   INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  pulled_at INTEGER NOT NULL,
  files     INTEGER NOT NULL,
  bytes     INTEGER NOT NULL
);
)sql";

// The notification outbox: every notification once, and its delivery on each channel
// (Telegram, desktop) tracked on its own, so that one channel never waits for another.
// Delivery workers claim due rows with a lease, which lets several processes share the work.
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
CREATE TABLE service_state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
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

constexpr const char* kMailDeliveries = R"sql(
CREATE TABLE mail_deliveries (
  id          INTEGER PRIMARY KEY,
  recipient   TEXT NOT NULL,
  subject     TEXT NOT NULL,
  purpose     TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX mail_deliveries_status ON mail_deliveries (status, updated_at);
)sql";

constexpr const char* kPendingFilterRefreshes = R"sql(
CREATE TABLE pending_filter_refreshes (
  username         TEXT PRIMARY KEY,
  error            TEXT NOT NULL,
  first_failed_at  INTEGER NOT NULL,
  last_attempt_at  INTEGER NOT NULL,
  attempts         INTEGER NOT NULL
);
)sql";

void ensure_migrations_table(SqliteDatabase& database) {
  database.execute(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
}

bool has_migrations_table(SqliteDatabase& database) {
  SqliteStatement statement = database.prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  statement.step();
  return statement.column_int(0) > 0;
}

int read_version(SqliteDatabase& database) {
  SqliteStatement statement =
      database.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  statement.step();
  return static_cast<int>(statement.column_int(0));
}

// A database migrated by a newer da: name its newest migration, so that whoever rolled back
// sees what the store needs.
[[noreturn]] void throw_newer_than_known(SqliteDatabase& database, int current, int known) {
  std::string newest;
  SqliteStatement statement =
      database.prepare("SELECT name, applied_at FROM schema_migrations WHERE version = ?");
  statement.bind(1, current);
  if (statement.step())
    newest = " (\"" + statement.column_text(0) + "\", applied " + statement.column_text(1) + ")";
  throw Error(ErrorKind::kConfig,
              "state database " + database.path().string() + " has schema version " +
                  std::to_string(current) + newest + ", newer than this da knows (" +
                  std::to_string(known) +
                  "): run the da version that migrated it, or restore a backup taken before the "
                  "upgrade (da restore --from DIR)");
}

int known_version(const std::vector<Migration>& migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

std::vector<Migration> newer_than(const std::vector<Migration>& migrations, int current) {
  std::vector<Migration> newer;
  for (const Migration& migration : migrations) {
    if (migration.version > current) newer.push_back(migration);
  }
  return newer;
}

}  // namespace

const std::vector<Migration>& state_migrations() {
  static const std::vector<Migration> migrations = {
      {1, "sync runs, per-table results and sync state", kSyncTables},
      {2, "table registry, folder mapping and their audit trail", kRegistryTables},
      {3, "users, sessions, sign-in tokens, rate limits and sync settings", kIdentityTables},
      {4, "cache of source metadata", kSourceMetadataCache},
      {5, "digests of distributed files", kFileDigests},
      {6, "last pull of each analyst", kUserPulls},
      {7, "notification outbox, Telegram links and service state", kNotifications},
      {8, "notification scripts and on-demand runs", kNotificationScripts},
      {9, "deliveries of the portal's mail", kMailDeliveries},
      {10, "rsync filter refreshes that failed and wait for a retry", kPendingFilterRefreshes},
  };
  return migrations;
}

int schema_version(SqliteDatabase& database) {
  return has_migrations_table(database) ? read_version(database) : 0;
}

std::vector<Migration> pending_migrations(SqliteDatabase& database,
                                          const std::vector<Migration>& migrations) {
  int current = schema_version(database);
  if (current > known_version(migrations))
    throw_newer_than_known(database, current, known_version(migrations));
  return newer_than(migrations, current);
}

std::vector<Migration> apply_migrations(SqliteDatabase& database,
                                        const std::vector<Migration>& migrations) {
  return database.write_transaction([&] {
    ensure_migrations_table(database);
    int current = read_version(database);
    if (current > known_version(migrations))
      throw_newer_than_known(database, current, known_version(migrations));
    std::vector<Migration> applied = newer_than(migrations, current);
    for (const Migration& migration : applied) {
      database.execute(migration.sql);
      database.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
          .bind_all(migration.version, migration.name, format_iso8601(now_utc()))
          .run();
    }
    return applied;
  });
}

}  // namespace da::store
