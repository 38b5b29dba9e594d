// An HTTP request as the portal's handlers see it: the server (http_server.cpp) fills it,
// nothing else in the portal knows about Boost.Beast.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace da::web {

struct Request {
  std::string method;  // "GET", "POST", ... as sent
  std::string target;  // the raw request target ("/catalog?x=1")
  std::string path;    // percent-decoded path without the query ("/catalog")
  // The portal's sub-path ("/tools/da") when it was removed from `target` and `path`, which
  // are then site-local (da/web/sub_path.hpp); "" otherwise.
  std::string base_path;
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string remote_address;  // peer IP ("unix" for a Unix socket)
  // The client's address as the server worked it out (the peer, or what a trusted proxy said);
  // empty when the request did not come through the server.
  std::string client_address;

  // Filled by the router: the values of the route's {placeholders}.
  std::map<std::string, std::string, std::less<>> params;

  // The first header of that name (any case), or "".
  std::string_view header(std::string_view name) const;
  std::optional<std::string> query_param(std::string_view name) const;
  std::optional<std::string> cookie(std::string_view name) const;
  // The body as application/x-www-form-urlencoded fields (first value wins); empty when the
  // content type is something else.
  const std::map<std::string, std::string, std::less<>>& form() const;
  std::string form_value(std::string_view name) const;
  std::string param(std::string_view name) const;
  bool is_api() const;  // the path is /api or under /api/
  // The client address to rate-limit by: client_address, else the peer.
  std::string client_ip() const;
  // The public path for log lines (base_path + path): the values of route placeholders that carry
  // secrets ({token}, {code}, ...) and any segment that looks like a token (32+ base64url
  // characters) replaced by "***".
  std::string path_for_log() const;

 private:
  mutable std::optional<std::map<std::string, std::string, std::less<>>> form_;
};

// Decodes %XX escapes (and '+' as space when `plus_is_space`). Invalid escapes are kept as is.
std::string percent_decode(std::string_view text, bool plus_is_space);
// `next` if it is a path on this site ("/catalog?x=1"), else "" (no open redirects).
std::string safe_local_path(std::string_view next);
// Splits "a=1&b=2" into decoded pairs.
std::vector<std::pair<std::string, std::string>> parse_query_string(std::string_view text);

}  // namespace da::web
