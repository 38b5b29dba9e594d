// Each analyst's selection, the digests of the files handed out and each analyst's last pull.
#include "da/store/schema_registry.hpp"

namespace da::distribution {

namespace {

// Which datasets and tables each analyst receives (epoch microseconds).
constexpr const char* kSelections = R"sql(
CREATE TABLE user_sync_settings (
  user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  datasets   TEXT NOT NULL DEFAULT '{}',
  table_mode TEXT NOT NULL DEFAULT 'all' CHECK (table_mode IN ('all', 'explicit')),
  tables     TEXT NOT NULL DEFAULT '{}',
  updated_at INTEGER
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

// "sync" is the broker's run only; what an analyst receives is their selection.
constexpr const char* kRenameSelections = R"sql(
ALTER TABLE user_sync_settings RENAME TO user_selections;
)sql";

}  // namespace

void register_state_schema(store::SchemaRegistry& registry) {
  registry.add({"distribution",
                {"identity"},
                {
                    {"", 1, "datasets and tables each analyst receives", kSelections, 3},
                    {"", 2, "digests of distributed files", kFileDigests, 5},
                    {"", 3, "last pull of each analyst", kUserPulls, 6},
                    {"", 4, "user_sync_settings renamed user_selections", kRenameSelections},
                }});
}

}  // namespace da::distribution
