#include "da/net/origin.hpp"

#include "da/common/strings.hpp"

namespace da::net {

std::string origin_of(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return {};
  auto authority_end = url.find_first_of("/?#", scheme_end + 3);
  return to_lower(url.substr(0, authority_end));
}

bool same_origin(std::string_view header, std::string_view origin) {
  return !origin.empty() && origin_of(header) == origin;
}

}  // namespace da::net
