// The portal's mail and its delivery.
#include "da/store/schema_registry.hpp"

namespace da::mail {

namespace {

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

}  // namespace

void register_state_schema(store::SchemaRegistry& registry) {
  registry.add({"mail",
                {},
                {
                    {"", 1, "deliveries of the portal's mail", kMailDeliveries, 9},
                }});
}

}  // namespace da::mail
