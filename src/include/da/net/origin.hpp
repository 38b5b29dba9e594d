// Web origins (RFC 6454): what the portal and the WebSocket gateway compare a browser's Origin
// header against. Scheme and host are case-insensitive, so both sides are lower-cased here.
#pragma once

#include <string>
#include <string_view>

namespace da::net {

// "scheme://host[:port]" of `url` in lower case, without path, query or trailing slash;
// "" when `url` has no scheme (such as the "null" origin of a sandboxed page).
std::string origin_of(std::string_view url);

// Whether the Origin header `header` names `origin` (an origin_of() value). An empty header
// or an empty `origin` never matches.
bool same_origin(std::string_view header, std::string_view origin);

}  // namespace da::net
