#include "da/identity/jwt.hpp"

#include <cmath>
#include <ctime>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"

namespace da::identity {

namespace {

using nlohmann::json;

[[noreturn]] void reject(const std::string& reason) {
  throw Error(ErrorKind::kAuth, "JWT rejected: " + reason);
}

struct Segments {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
  std::string_view signing_input;  // "header.payload", what the signature covers
};

Segments split(std::string_view token) {
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    reject("malformed: a compact JWT has exactly three dot-separated segments");
  return {token.substr(0, first), token.substr(first + 1, second - first - 1),
          token.substr(second + 1), token.substr(0, second)};
}

std::string decode(std::string_view segment, const char* what) {
  auto bytes = base64url_decode(segment);
  if (!bytes) reject(std::string("malformed: the ") + what + " is not base64url");
  return std::move(*bytes);
}

json parse_object(std::string_view segment, const char* what) {
  json value = json::parse(decode(segment, what), nullptr, false);
  if (value.is_discarded() || !value.is_object())
    reject(std::string("malformed: the ") + what + " is not a JSON object");
  return value;
}

std::string short_text(const json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  return text.size() > 32 ? text.substr(0, 32) + "..." : text;
}

// Returns the header once it names exactly the algorithm the caller pinned.
json checked_header(const Segments& segments, std::string_view algorithm) {
  json header = parse_object(segments.header, "header");
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get<std::string>() != algorithm)
    reject("unexpected algorithm " + (alg == header.end() ? "(none given)" : short_text(*alg)) +
           ", only " + std::string(algorithm) + " is accepted");
  // RFC 7515 §4.1.11: extensions we do not implement must make the token invalid.
  if (header.contains("crit")) reject("malformed: unsupported critical header extensions");
  return header;
}

// A NumericDate claim in whole seconds; fractions are dropped.
std::optional<int64_t> numeric_date(const json& claims, const char* name) {
  auto found = claims.find(name);
  if (found == claims.end()) return std::nullopt;
  if (found->is_number_unsigned()) {
    auto value = found->get<uint64_t>();
    return value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
               ? std::numeric_limits<int64_t>::max()
               : static_cast<int64_t>(value);
  }
  if (found->is_number_integer()) return found->get<int64_t>();
  if (found->is_number_float()) {
    double value = std::floor(found->get<double>());
    if (std::isfinite(value) && std::abs(value) < 9e18) return static_cast<int64_t>(value);
  }
  reject(std::string("malformed: the ") + name + " claim is not a number of seconds");
}

void check_times(const json& claims, const JwtCheck& check) {
  int64_t now =
      check.now_seconds != 0 ? check.now_seconds : static_cast<int64_t>(std::time(nullptr));
  auto exp = numeric_date(claims, "exp");
  if (!exp && check.require_expiry) reject("missing exp: the token does not expire");
  if (exp && *exp <= now - check.leeway_seconds) reject("expired");
  if (auto nbf = numeric_date(claims, "nbf"); nbf && *nbf > now + check.leeway_seconds)
    reject("not yet valid (nbf is in the future)");
  if (auto iat = numeric_date(claims, "iat"); iat && *iat > now + check.leeway_seconds)
    reject("issued in the future (iat); check the clocks");
}

bool audience_matches(const json& aud, const std::string& expected) {
  if (aud.is_string()) return aud.get<std::string>() == expected;
  if (!aud.is_array()) return false;
  for (const auto& entry : aud)
    if (entry.is_string() && entry.get<std::string>() == expected) return true;
  return false;
}

void check_claims(const json& claims, const JwtCheck& check) {
  check_times(claims, check);
  if (!check.issuer.empty()) {
    auto iss = claims.find("iss");
    if (iss == claims.end() || !iss->is_string() || iss->get<std::string>() != check.issuer)
      reject("wrong issuer, expected \"" + check.issuer + "\"");
  }
  if (!check.audience.empty()) {
    auto aud = claims.find("aud");
    if (aud == claims.end() || !audience_matches(*aud, check.audience))
      reject("wrong audience, expected \"" + check.audience + "\"");
  }
}

json verified_claims(const Segments& segments, const JwtCheck& check) {
  json claims = parse_object(segments.payload, "payload");
  check_claims(claims, check);
  return claims;
}

// --- RS256 -----------------------------------------------------------------------------------

struct OpenSslFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, OpenSslFree>;

// A signature must not be accepted because of a half-read JWKS; weak keys are refused too.
constexpr int kMinimumRsaBits = 2048;

std::string jwk_string(const json& jwk, const char* name) {
  auto found = jwk.find(name);
  return found != jwk.end() && found->is_string() ? found->get<std::string>() : std::string();
}

bool usable_rsa_key(const json& jwk) {
  if (!jwk.is_object() || jwk_string(jwk, "kty") != "RSA") return false;
  std::string use = jwk_string(jwk, "use");
  std::string alg = jwk_string(jwk, "alg");
  return (use.empty() || use == "sig") && (alg.empty() || alg == "RS256");
}

const json& select_key(const json& jwks, const json& header) {
  if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array())
    reject("unknown key: the JWKS document has no \"keys\" array");
  std::vector<const json*> candidates;
  for (const auto& jwk : jwks["keys"])
    if (usable_rsa_key(jwk)) candidates.push_back(&jwk);
  auto kid = header.find("kid");
  if (kid != header.end()) {
    if (!kid->is_string()) reject("malformed: the kid header is not a string");
    for (const json* jwk : candidates)
      if (jwk_string(*jwk, "kid") == kid->get<std::string>()) return *jwk;
    reject("unknown key: no RS256 key with kid " + short_text(*kid) + " in the JWKS");
  }
  if (candidates.size() != 1)
    reject("unknown key: the token names no kid and the JWKS has " +
           std::to_string(candidates.size()) + " RS256 keys");
  return *candidates.front();
}

Owned<BIGNUM> jwk_number(const json& jwk, const char* name) {
  auto bytes = base64url_decode(jwk_string(jwk, name));
  if (!bytes || bytes->empty())
    reject(std::string("unknown key: the JWK's ") + name + " is invalid");
  Owned<BIGNUM> number(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes->data()),
                                 static_cast<int>(bytes->size()), nullptr));
  if (!number) throw Error(ErrorKind::kInternal, "OpenSSL could not allocate a BIGNUM");
  return number;
}

Owned<EVP_PKEY> public_key(const json& jwk) {
  Owned<BIGNUM> n = jwk_number(jwk, "n");
  Owned<BIGNUM> e = jwk_number(jwk, "e");
  Owned<OSSL_PARAM_BLD> builder(OSSL_PARAM_BLD_new());
  if (!builder || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()))
    throw Error(ErrorKind::kInternal, "OpenSSL could not build RSA key parameters");
  Owned<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(builder.get()));
  Owned<EVP_PKEY_CTX> context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    reject("unknown key: the JWK is not a valid RSA public key");
  }
  Owned<EVP_PKEY> key(raw);
  if (EVP_PKEY_get_bits(key.get()) < kMinimumRsaBits)
    reject("unknown key: the RSA key is shorter than 2048 bits");
  return key;
}

bool rsa_signature_valid(EVP_PKEY* key, std::string_view data, std::string_view signature) {
  Owned<EVP_MD_CTX> context(EVP_MD_CTX_new());
  if (!context || EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key) != 1)
    throw Error(ErrorKind::kInternal, "OpenSSL could not start an RS256 verification");
  int result = EVP_DigestVerify(
      context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(data.data()), data.size());
  // A failed verification leaves entries that would confuse the next OpenSSL caller.
  ERR_clear_error();
  return result == 1;
}

}  // namespace

std::string jwt_sign_hs256(const nlohmann::json& claims, std::string_view secret) {
  if (secret.empty())
    throw Error(ErrorKind::kInternal, "refusing to sign a JWT with an empty secret");
  if (!claims.is_object()) throw Error(ErrorKind::kInternal, "JWT claims must be a JSON object");
  std::string input = base64url_encode(json{{"alg", "HS256"}, {"typ", "JWT"}}.dump()) + "." +
                      base64url_encode(claims.dump());
  return input + "." + base64url_encode(hmac_sha256(secret, input));
}

nlohmann::json jwt_verify_hs256(std::string_view token, std::string_view secret,
                                const JwtCheck& check) {
  if (secret.empty()) reject("empty secret: HS256 verification needs a configured secret");
  Segments segments = split(token);
  checked_header(segments, "HS256");
  std::string signature = decode(segments.signature, "signature");
  if (!constant_time_equal(signature, hmac_sha256(secret, segments.signing_input)))
    reject("bad signature");
  return verified_claims(segments, check);
}

nlohmann::json jwt_verify_rs256(std::string_view token, const nlohmann::json& jwks,
                                const JwtCheck& check) {
  Segments segments = split(token);
  json header = checked_header(segments, "RS256");
  std::string signature = decode(segments.signature, "signature");
  Owned<EVP_PKEY> key = public_key(select_key(jwks, header));
  if (!rsa_signature_valid(key.get(), segments.signing_input, signature)) reject("bad signature");
  return verified_claims(segments, check);
}

nlohmann::json jwt_peek_header(std::string_view token) {
  return parse_object(split(token).header, "header");
}

}  // namespace da::identity
