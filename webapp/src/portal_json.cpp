#include "da/web/portal_json.hpp"

#include "da/common/error.hpp"
#include "da/common/json_fields.hpp"

namespace da::web {

nlohmann::json parse_json_body(const Request& request) {
  std::string_view type = request.header("content-type");
  if (type.substr(0, 16) != "application/json")
    throw Error(ErrorKind::kRequest, "the request body must be JSON (Content-Type: application/json)");
  return parse_json_object(request.body, "the request body");
}

}  // namespace da::web
