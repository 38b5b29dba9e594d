// The bot's own state (the offset of the updates it has read).
#include "da/store/schema_registry.hpp"

namespace da::services::telegram_bot {

namespace {

constexpr const char* kServiceState = R"sql(
CREATE TABLE service_state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql";

}  // namespace

void register_state_schema(store::SchemaRegistry& registry) {
  registry.add({"telegram_bot",
                {},
                {
                    {"", 1, "service state (the offset of the updates read)", kServiceState, 7},
                }});
}

}  // namespace da::services::telegram_bot
