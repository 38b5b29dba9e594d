// Calls to the OpenID provider: every request has short connect and total timeouts, and what
// the provider says about a failure is made safe to show and log.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "da/net/http_client.hpp"

namespace da::auth::oidc {

// `request` with the timeouts every call to the provider uses.
net::HttpRequest provider_request(std::string url);

// GETs a JSON object (discovery document, JWKS, userinfo with `bearer`). Throws Error(kSource)
// naming `what`, the URL and the status (and the provider's error text) otherwise.
nlohmann::json fetch_json(const std::string& url, const std::string& what,
                          const std::string& bearer = {});

// "code: description" from an OAuth error (a callback's query or a JSON error body), with
// control characters removed and the length bounded; empty when there is no error code.
std::string oauth_error_text(std::string_view code, std::string_view description);
std::string oauth_error_text(const nlohmann::json& body);

}  // namespace da::auth::oidc
