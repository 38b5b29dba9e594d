// JSON Web Tokens with the algorithm pinned by the caller: HS256 for our own desktop tokens,
// RS256 against a JWKS for OpenID Connect id_tokens. A token whose header names any other
// algorithm ("none" included) is rejected before its signature is looked at.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace da::identity {

// Signs `claims` as a compact HS256 JWT.
std::string jwt_sign_hs256(const nlohmann::json& claims, std::string_view secret);

struct JwtCheck {
  std::string issuer;          // required `iss` when not empty
  std::string audience;        // required `aud` (string or array) when not empty
  int64_t now_seconds = 0;     // 0: the current time
  int64_t leeway_seconds = 0;  // accepted clock skew on exp / nbf / iat
  bool require_expiry = true;  // `exp` must be present
};

// Verifies an HS256 token: header alg == "HS256", signature with `secret` (an empty secret is
// refused), exp/nbf against `check`, iss/aud when asked. Returns the claims; throws
// Error(kAuth) whose message names the reason.
nlohmann::json jwt_verify_hs256(std::string_view token, std::string_view secret,
                                const JwtCheck& check);

// Verifies an RS256 token against a JWKS document ({"keys":[{kty:"RSA",kid,n,e,...}]}): the
// key is chosen by the header's `kid` (or the only RSA key when the token has none). Same
// claim checks as above. Throws Error(kAuth) naming the reason.
nlohmann::json jwt_verify_rs256(std::string_view token, const nlohmann::json& jwks,
                                const JwtCheck& check);

// The decoded header of a compact JWT, without verifying anything. Throws Error(kAuth).
nlohmann::json jwt_peek_header(std::string_view token);

}  // namespace da::identity
