// The table registry (da tables), its folder mapping and audit trail.
#include "da/store/schema_registry.hpp"

namespace da::registry {

namespace {

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

}  // namespace

void register_state_schema(store::SchemaRegistry& registry) {
  registry.add(
      {"registry",
       {},
       {
           {"", 1, "table registry, folder mapping and their audit trail", kRegistryTables, 2},
       }});
}

}  // namespace da::registry
