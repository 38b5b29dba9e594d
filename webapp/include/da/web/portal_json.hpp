// The JSON body of an API request, for the routes of every portal feature.
#pragma once

#include <nlohmann/json.hpp>

#include "da/web/request.hpp"

namespace da::web {

// The request's body as a JSON object. Throws Error(kRequest) (a 400) when the Content-Type is
// not application/json or the body is not an object.
nlohmann::json parse_json_body(const Request& request);

}  // namespace da::web
