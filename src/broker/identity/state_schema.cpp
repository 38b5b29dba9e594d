// Users, sessions, sign-in and API tokens, rate limits.
#include "da/store/schema_registry.hpp"

namespace da::identity {

namespace {

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
)sql";

}  // namespace

void register_state_schema(store::SchemaRegistry& registry) {
  registry.add({"identity",
                {},
                {
                    {"", 1, "users, sessions, sign-in tokens and rate limits", kIdentityTables, 3},
                }});
}

}  // namespace da::identity
