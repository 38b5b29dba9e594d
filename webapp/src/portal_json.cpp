#include "portal_json.hpp"

#include "da/common/error.hpp"

namespace da::web {

nlohmann::json parse_json_body(const Request& request) {
  std::string_view type = request.header("content-type");
  if (type.substr(0, 16) != "application/json")
    throw Error(ErrorKind::kData, "the request body must be JSON (Content-Type: application/json)");
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    throw Error(ErrorKind::kData, "the request body is not a JSON object");
  return body;
}

}  // namespace da::web
