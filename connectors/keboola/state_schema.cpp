// The cache of metadata fetched from Keboola Storage.
#include "da/store/schema_registry.hpp"

namespace da::connectors::keboola {

namespace {

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

}  // namespace

void register_state_schema(store::SchemaRegistry& registry) {
  registry.add({"keboola",
                {},
                {
                    {"", 1, "cache of source metadata", kSourceMetadataCache, 4},
                }});
}

}  // namespace da::connectors::keboola
