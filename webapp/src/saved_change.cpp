#include "da/web/saved_change.hpp"

#include <nlohmann/json.hpp>

namespace da::web {

Response saved(const std::string& message, const std::optional<std::string>& warning) {
  nlohmann::json body = {{"ok", true}, {"message", warning.value_or(message)}};
  body["filters_refreshed"] = !warning.has_value();
  if (warning) body["warning"] = *warning;
  return Response::json(200, body);
}

Response saved_version(int64_t version, const std::optional<std::string>& warning) {
  nlohmann::json body = {
      {"ok", true}, {"version", version}, {"filters_refreshed", !warning.has_value()}};
  if (warning) body["warning"] = *warning;
  return Response::json(200, body);
}

}  // namespace da::web
