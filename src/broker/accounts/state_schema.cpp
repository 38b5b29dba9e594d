// Analyst accounts: rsync filter refreshes waiting for a retry.
#include "da/store/schema_registry.hpp"

namespace da::accounts {

namespace {

constexpr const char* kPendingFilterRefreshes = R"sql(
CREATE TABLE pending_filter_refreshes (
  username         TEXT PRIMARY KEY,
  error            TEXT NOT NULL,
  first_failed_at  INTEGER NOT NULL,
  last_attempt_at  INTEGER NOT NULL,
  attempts         INTEGER NOT NULL
);
)sql";

}  // namespace

void register_state_schema(store::SchemaRegistry& registry) {
  registry.add({"accounts",
                {},
                {
                    {"", 1, "rsync filter refreshes that failed and wait for a retry",
                     kPendingFilterRefreshes, 10},
                }});
}

}  // namespace da::accounts
