#include "da/identity/jwt.hpp"

#include <ctime>

#include "fakes/oidc/rsa_key.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"

namespace da::identity {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'700'000'000;
constexpr char kSecret[] = "a-long-enough-test-secret-of-32-bytes";

JwtCheck check_at(int64_t now = kNow) {
  JwtCheck check;
  check.now_seconds = now;
  return check;
}

json good_claims() {
  return {{"sub", "alice"}, {"exp", kNow + 600}, {"iat", kNow - 10}};
}

// A compact token with arbitrary header and payload, signed with `secret` (HS256 MAC).
std::string hs256_token(const json& header, const json& claims, std::string_view secret = kSecret) {
  std::string input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  return input + "." + base64url_encode(hmac_sha256(secret, input));
}

// Runs `verify` and returns the Error(kAuth) message; fails the test on success.
template <typename Verify>
std::string rejection(Verify verify) {
  try {
    verify();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kAuth) << error.what();
    return error.what();
  }
  ADD_FAILURE() << "the token was accepted";
  return "";
}

std::string hs_rejection(std::string_view token, const JwtCheck& check = check_at(),
                         std::string_view secret = kSecret) {
  return rejection([&] { jwt_verify_hs256(token, secret, check); });
}

// One key per test binary: 2048-bit generation takes a noticeable fraction of a second.
const fakes::RsaKey& provider_key() {
  static const fakes::RsaKey key("key-1");
  return key;
}

json jwks_of(std::initializer_list<const fakes::RsaKey*> keys) {
  json list = json::array();
  for (const auto* key : keys)
    list.push_back(key->public_jwk());
  return {{"keys", list}};
}

std::string rs_rejection(std::string_view token, const json& jwks,
                         const JwtCheck& check = check_at()) {
  return rejection([&] { jwt_verify_rs256(token, jwks, check); });
}

// --- HS256 ----------------------------------------------------------------------------------

TEST(Jwt, SignsAndVerifiesHs256) {
  std::string token = jwt_sign_hs256(good_claims(), kSecret);
  EXPECT_EQ(jwt_peek_header(token), (json{{"alg", "HS256"}, {"typ", "JWT"}}));
  json claims = jwt_verify_hs256(token, kSecret, check_at());
  EXPECT_EQ(claims, good_claims());
}

TEST(Jwt, Hs256MatchesAnIndependentlyComputedMac) {
  // The same header and claims MACed by hand give the same token as the library.
  json claims = good_claims();
  EXPECT_EQ(jwt_sign_hs256(claims, kSecret),
            hs256_token({{"alg", "HS256"}, {"typ", "JWT"}}, claims));
}

TEST(Jwt, VerifiesAgainstTheCurrentTimeWhenNowIsZero) {
  int64_t now = std::time(nullptr);
  std::string token = jwt_sign_hs256({{"exp", now + 60}}, kSecret);
  EXPECT_NO_THROW(jwt_verify_hs256(token, kSecret, JwtCheck{}));
  std::string old = jwt_sign_hs256({{"exp", now - 60}}, kSecret);
  EXPECT_NE(hs_rejection(old, JwtCheck{}).find("expired"), std::string::npos);
}

TEST(Jwt, RejectsAlgNone) {
  std::string token = base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                      base64url_encode(good_claims().dump()) + ".";
  EXPECT_NE(hs_rejection(token).find("algorithm"), std::string::npos);
  auto message = rs_rejection(token, jwks_of({&provider_key()}));
  EXPECT_NE(message.find("algorithm"), std::string::npos) << message;
}

TEST(Jwt, RejectsAMissingOrNonStringAlg) {
  EXPECT_NE(hs_rejection(hs256_token({{"typ", "JWT"}}, good_claims())).find("algorithm"),
            std::string::npos);
  EXPECT_NE(
      hs_rejection(hs256_token({{"alg", json::array({"HS256"})}}, good_claims())).find("algorithm"),
      std::string::npos);
  EXPECT_NE(hs_rejection(hs256_token({{"alg", "hs256"}}, good_claims())).find("algorithm"),
            std::string::npos);
}

TEST(Jwt, RejectsAnRs256TokenGivenToTheHs256Verifier) {
  std::string token = provider_key().sign(good_claims());
  EXPECT_NE(hs_rejection(token).find("algorithm"), std::string::npos);
}

TEST(Jwt, RejectsAnHs256TokenGivenToTheRs256Verifier) {
  // The classic confusion attack: the public key's bytes used as an HMAC secret.
  json jwk = provider_key().public_jwk();
  std::string token =
      hs256_token({{"alg", "HS256"}, {"kid", "key-1"}}, good_claims(), jwk["n"].get<std::string>());
  EXPECT_NE(rs_rejection(token, jwks_of({&provider_key()})).find("algorithm"), std::string::npos);
}

TEST(Jwt, RejectsAWrongHs256Signature) {
  std::string token = jwt_sign_hs256(good_claims(), "another-secret");
  EXPECT_NE(hs_rejection(token).find("bad signature"), std::string::npos);
}

TEST(Jwt, RejectsATamperedPayload) {
  std::string token = jwt_sign_hs256(good_claims(), kSecret);
  auto dot1 = token.find('.');
  auto dot2 = token.find('.', dot1 + 1);
  json claims = good_claims();
  claims["sub"] = "mallory";
  std::string forged =
      token.substr(0, dot1 + 1) + base64url_encode(claims.dump()) + token.substr(dot2);
  EXPECT_NE(hs_rejection(forged).find("bad signature"), std::string::npos);
}

TEST(Jwt, RejectsAnEmptyHs256Secret) {
  std::string token = hs256_token({{"alg", "HS256"}}, good_claims(), "");
  EXPECT_NE(hs_rejection(token, check_at(), "").find("empty secret"), std::string::npos);
  EXPECT_THROW(jwt_sign_hs256(good_claims(), ""), Error);
}

TEST(Jwt, RejectsAWrongSegmentCount) {
  std::string token = jwt_sign_hs256(good_claims(), kSecret);
  for (const std::string& bad :
       {std::string(""), std::string("abc"), token.substr(0, token.rfind('.')), token + ".",
        token + ".xyz", std::string("..")}) {
    EXPECT_NE(hs_rejection(bad).find("malformed"), std::string::npos) << bad;
  }
  EXPECT_THROW(jwt_peek_header("only-one-segment"), Error);
}

TEST(Jwt, RejectsBadBase64) {
  std::string token = jwt_sign_hs256(good_claims(), kSecret);
  auto dot1 = token.find('.');
  auto dot2 = token.find('.', dot1 + 1);
  EXPECT_NE(hs_rejection("e30!." + token.substr(dot1 + 1)).find("base64url"), std::string::npos);
  EXPECT_NE(hs_rejection(token.substr(0, dot2) + ".abc+/").find("base64url"), std::string::npos);
  // A payload that is not base64url, MACed correctly so that only the encoding is wrong.
  std::string input = token.substr(0, dot1) + ".e30*";
  std::string bad_payload = input + "." + base64url_encode(hmac_sha256(kSecret, input));
  EXPECT_NE(hs_rejection(bad_payload).find("malformed"), std::string::npos);
}

TEST(Jwt, RejectsBadJson) {
  std::string header_not_json =
      base64url_encode("{not json") + "." + base64url_encode(good_claims().dump()) + ".c2ln";
  EXPECT_NE(hs_rejection(header_not_json).find("malformed"), std::string::npos);
  EXPECT_THROW(jwt_peek_header(header_not_json), Error);
  std::string input = base64url_encode(R"({"alg":"HS256"})") + "." + base64url_encode("[1,2]");
  std::string payload_not_object = input + "." + base64url_encode(hmac_sha256(kSecret, input));
  EXPECT_NE(hs_rejection(payload_not_object).find("malformed"), std::string::npos);
}

TEST(Jwt, RejectsCriticalHeaderExtensions) {
  std::string token = hs256_token({{"alg", "HS256"}, {"crit", {"exp"}}}, good_claims());
  EXPECT_NE(hs_rejection(token).find("critical"), std::string::npos);
}

TEST(Jwt, RejectsAnExpiredToken) {
  std::string token = jwt_sign_hs256({{"exp", kNow}}, kSecret);
  EXPECT_NE(hs_rejection(token, check_at(kNow)).find("expired"), std::string::npos);
  EXPECT_NO_THROW(jwt_verify_hs256(token, kSecret, check_at(kNow - 1)));
}

TEST(Jwt, AcceptsAnExpiredTokenWithinTheLeeway) {
  std::string token = jwt_sign_hs256({{"exp", kNow - 30}}, kSecret);
  JwtCheck check = check_at(kNow);
  check.leeway_seconds = 31;
  EXPECT_NO_THROW(jwt_verify_hs256(token, kSecret, check));
  check.leeway_seconds = 30;
  EXPECT_NE(hs_rejection(token, check).find("expired"), std::string::npos);
}

TEST(Jwt, RejectsATokenNotYetValid) {
  std::string token = jwt_sign_hs256({{"exp", kNow + 600}, {"nbf", kNow + 60}}, kSecret);
  EXPECT_NE(hs_rejection(token).find("not yet valid"), std::string::npos);
  JwtCheck check = check_at();
  check.leeway_seconds = 60;
  EXPECT_NO_THROW(jwt_verify_hs256(token, kSecret, check));
}

TEST(Jwt, RejectsATokenIssuedInTheFuture) {
  std::string token = jwt_sign_hs256({{"exp", kNow + 600}, {"iat", kNow + 120}}, kSecret);
  EXPECT_NE(hs_rejection(token).find("future"), std::string::npos);
}

TEST(Jwt, RejectsAMissingExpiryWhenRequired) {
  std::string token = jwt_sign_hs256({{"sub", "alice"}}, kSecret);
  EXPECT_NE(hs_rejection(token).find("missing exp"), std::string::npos);
  JwtCheck check = check_at();
  check.require_expiry = false;
  EXPECT_EQ(jwt_verify_hs256(token, kSecret, check)["sub"], "alice");
}

TEST(Jwt, RejectsANonNumericExpiry) {
  std::string token = jwt_sign_hs256({{"exp", "tomorrow"}}, kSecret);
  EXPECT_NE(hs_rejection(token).find("malformed"), std::string::npos);
}

TEST(Jwt, AcceptsAFractionalExpiry) {
  std::string token = jwt_sign_hs256({{"exp", kNow + 0.5 + 10}}, kSecret);
  EXPECT_NO_THROW(jwt_verify_hs256(token, kSecret, check_at()));
}

TEST(Jwt, RejectsAWrongIssuer) {
  JwtCheck check = check_at();
  check.issuer = "https://issuer.example";
  json claims = good_claims();
  claims["iss"] = "https://evil.example";
  EXPECT_NE(hs_rejection(jwt_sign_hs256(claims, kSecret), check).find("wrong issuer"),
            std::string::npos);
  claims.erase("iss");
  EXPECT_NE(hs_rejection(jwt_sign_hs256(claims, kSecret), check).find("wrong issuer"),
            std::string::npos);
  claims["iss"] = "https://issuer.example";
  EXPECT_NO_THROW(jwt_verify_hs256(jwt_sign_hs256(claims, kSecret), kSecret, check));
}

TEST(Jwt, MatchesTheAudienceAsStringOrArray) {
  JwtCheck check = check_at();
  check.audience = "client-123";
  json claims = good_claims();
  claims["aud"] = "client-123";
  EXPECT_NO_THROW(jwt_verify_hs256(jwt_sign_hs256(claims, kSecret), kSecret, check));
  claims["aud"] = {"other", "client-123"};
  EXPECT_NO_THROW(jwt_verify_hs256(jwt_sign_hs256(claims, kSecret), kSecret, check));
}

TEST(Jwt, RejectsANonMatchingAudience) {
  JwtCheck check = check_at();
  check.audience = "client-123";
  json claims = good_claims();
  for (const json& aud :
       {json("client-1234"), json::array({"other", "client"}), json::array(), json(123)}) {
    claims["aud"] = aud;
    EXPECT_NE(hs_rejection(jwt_sign_hs256(claims, kSecret), check).find("wrong audience"),
              std::string::npos)
        << aud.dump();
  }
  claims.erase("aud");
  EXPECT_NE(hs_rejection(jwt_sign_hs256(claims, kSecret), check).find("wrong audience"),
            std::string::npos);
}

TEST(Jwt, PeeksAtTheHeaderWithoutVerifying) {
  std::string token = provider_key().sign(good_claims(), {{"typ", "at+jwt"}});
  json header = jwt_peek_header(token);
  EXPECT_EQ(header["alg"], "RS256");
  EXPECT_EQ(header["kid"], "key-1");
  EXPECT_EQ(header["typ"], "at+jwt");
}

// --- RS256 ----------------------------------------------------------------------------------

TEST(Jwt, VerifiesAnRs256TokenFromTheJwks) {
  JwtCheck check = check_at();
  check.issuer = "https://accounts.example";
  check.audience = "client-123";
  json claims = good_claims();
  claims["iss"] = check.issuer;
  claims["aud"] = check.audience;
  std::string token = provider_key().sign(claims);
  EXPECT_EQ(jwt_verify_rs256(token, jwks_of({&provider_key()}), check), claims);
}

TEST(Jwt, ChoosesTheRs256KeyByKid) {
  fakes::RsaKey other("key-2");
  json jwks = jwks_of({&provider_key(), &other});
  EXPECT_EQ(jwt_verify_rs256(other.sign(good_claims()), jwks, check_at()), good_claims());
  EXPECT_EQ(jwt_verify_rs256(provider_key().sign(good_claims()), jwks, check_at()), good_claims());
  // A token signed by key-2 but naming key-1 is checked against key-1, and fails.
  std::string mislabelled = other.sign(good_claims(), {{"kid", "key-1"}});
  EXPECT_NE(rs_rejection(mislabelled, jwks).find("bad signature"), std::string::npos);
}

TEST(Jwt, UsesTheOnlyRsaKeyWhenTheTokenHasNoKid) {
  std::string token = provider_key().sign(good_claims(), {{"kid", nullptr}});
  ASSERT_FALSE(jwt_peek_header(token).contains("kid"));
  json jwks = jwks_of({&provider_key()});
  jwks["keys"].push_back(
      {{"kty", "EC"}, {"kid", "ec-1"}, {"crv", "P-256"}, {"x", "AA"}, {"y", "AA"}});
  EXPECT_EQ(jwt_verify_rs256(token, jwks, check_at()), good_claims());
}

TEST(Jwt, RejectsAMissingKidWhenTheJwksHasSeveralKeys) {
  fakes::RsaKey other("key-2");
  std::string token = provider_key().sign(good_claims(), {{"kid", nullptr}});
  EXPECT_NE(rs_rejection(token, jwks_of({&provider_key(), &other})).find("unknown key"),
            std::string::npos);
}

TEST(Jwt, RejectsAnUnknownKid) {
  std::string token = provider_key().sign(good_claims(), {{"kid", "rotated-away"}});
  EXPECT_NE(rs_rejection(token, jwks_of({&provider_key()})).find("unknown key"), std::string::npos);
  EXPECT_NE(rs_rejection(token, json::object()).find("unknown key"), std::string::npos);
}

TEST(Jwt, RejectsAKeyMeantForAnotherAlgorithm) {
  json jwks = jwks_of({&provider_key()});
  jwks["keys"][0]["alg"] = "RS512";
  EXPECT_NE(rs_rejection(provider_key().sign(good_claims()), jwks).find("unknown key"),
            std::string::npos);
}

TEST(Jwt, RejectsAnRs256SignatureFromAnotherKey) {
  fakes::RsaKey impostor("key-1");
  std::string token = impostor.sign(good_claims());
  EXPECT_NE(rs_rejection(token, jwks_of({&provider_key()})).find("bad signature"),
            std::string::npos);
}

TEST(Jwt, RejectsATamperedRs256Payload) {
  std::string token = provider_key().sign(good_claims());
  auto dot1 = token.find('.');
  auto dot2 = token.find('.', dot1 + 1);
  json claims = good_claims();
  claims["sub"] = "mallory";
  std::string forged =
      token.substr(0, dot1 + 1) + base64url_encode(claims.dump()) + token.substr(dot2);
  EXPECT_NE(rs_rejection(forged, jwks_of({&provider_key()})).find("bad signature"),
            std::string::npos);
  std::string truncated = token.substr(0, token.size() - 4);
  EXPECT_FALSE(rs_rejection(truncated, jwks_of({&provider_key()})).empty());
}

TEST(Jwt, AppliesClaimChecksToRs256Tokens) {
  json jwks = jwks_of({&provider_key()});
  std::string expired = provider_key().sign({{"exp", kNow - 1}});
  EXPECT_NE(rs_rejection(expired, jwks).find("expired"), std::string::npos);
  JwtCheck check = check_at();
  check.audience = "client-123";
  json claims = good_claims();
  claims["aud"] = {"someone-else"};
  EXPECT_NE(rs_rejection(provider_key().sign(claims), jwks, check).find("wrong audience"),
            std::string::npos);
}

}  // namespace
}  // namespace da::identity
