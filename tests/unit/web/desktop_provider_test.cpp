// The desktop app's tokens over real HTTP: linking, access JWTs on the API, refresh rotation
// with reuse detection, unlinking, disabled accounts and tokens that must not pass.
#include "portal_fixture.hpp"

#include "da/common/crypto.hpp"
#include "da/identity/jwt.hpp"
#include "da/identity/user_store.hpp"
#include "da/store/state_store.hpp"

namespace da::web {
namespace {

using Json = nlohmann::json;
constexpr const char* kSecret = "desktop-secret-0123456789abcdef0123456789";

class DesktopProviderTest : public PortalFixture {
 protected:
  std::string extra_yaml() const override {
    return std::string("desktop: {jwt_issuer: da-test, url_scheme: da-test, jwt_secret: ") +
           kSecret + "}\n";
  }

  // A signed-in browser session (magic link in dev mode) and its CSRF token.
  std::pair<std::string, std::string> browser(const std::string& email) {
    auto form = call("GET", "/login/email");
    std::string bind = cookie_value(form, "da_bind");
    std::smatch match;
    EXPECT_TRUE(
        std::regex_search(form.body, match, std::regex("name=\"csrf_token\" value=\"([^\"]+)\"")));
    auto sent = call("POST", "/login/email/send", "da_bind=" + bind,
                     "email=" + net::url_encode(email) + "&csrf_token=" + match[1].str(),
                     "application/x-www-form-urlencoded");
    EXPECT_TRUE(
        std::regex_search(sent.body, match, std::regex("href=\"(/login/email/verify/[^\"]+)\"")));
    auto verified = call("GET", match[1].str(), "da_bind=" + bind);
    std::string cookies = "da_session=" + cookie_value(verified, "da_session");
    auto page = call("GET", "/dashboard", cookies);
    EXPECT_TRUE(std::regex_search(page.body, match, std::regex("data-csrf=\"([^\"]+)\"")));
    return {cookies, match[1].str()};
  }

  Json authorize(const std::pair<std::string, std::string>& session) {
    auto answer = call("POST", "/api/desktop/authorize", session.first, "{}", "application/json",
                       {{"X-CSRF-Token", session.second}});
    EXPECT_EQ(answer.status, 200) << answer.body;
    return Json::parse(answer.body);
  }

  int with_access(const std::string& token) {
    return call("GET", "/api/me", "", "", "", {{"Authorization", "Bearer " + token}}).status;
  }

  net::HttpResponse refresh(const std::string& token) {
    return call("POST", "/api/desktop/refresh", "", Json{{"refresh_token", token}}.dump(),
                "application/json");
  }
};

TEST_F(DesktopProviderTest, LinkingGivesAnAccessTokenForTheApiAndAnAppUrl) {
  auto session = browser("ana@example.com");
  auto page = call("GET", "/desktop/link", session.first);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"desktop-authorize\""), std::string::npos);
  Json tokens = authorize(session);
  EXPECT_EQ(tokens["url"].get<std::string>().rfind("da-test://auth?token=", 0), 0u);
  EXPECT_EQ(tokens["expires_in"], 900);
  EXPECT_EQ(with_access(tokens["access_token"]), 200);
  Json claims = identity::jwt_verify_hs256(tokens["access_token"].get<std::string>(), kSecret,
                                           {"da-test", "", 0, 0, true});
  EXPECT_EQ(claims["sub"], "ana_example_com");
  EXPECT_TRUE(claims.contains("jti"));
}

TEST_F(DesktopProviderTest, RefreshRotatesAndAReusedTokenRevokesTheWholeLink) {
  Json first = authorize(browser("ana@example.com"));
  auto second = refresh(first["refresh_token"]);
  ASSERT_EQ(second.status, 200);
  Json rotated = Json::parse(second.body);
  EXPECT_NE(rotated["refresh_token"], first["refresh_token"]);
  EXPECT_EQ(with_access(rotated["access_token"]), 200);
  // The old refresh token comes back (stolen): refused, and the family dies with it.
  EXPECT_EQ(refresh(first["refresh_token"]).status, 401);
  EXPECT_EQ(refresh(rotated["refresh_token"]).status, 401);
  EXPECT_EQ(with_access(rotated["access_token"]), 401);
}

TEST_F(DesktopProviderTest, UnlinkingAndDisablingCutTheAppOffAtOnce) {
  auto session = browser("ana@example.com");
  Json tokens = authorize(session);
  auto unlink = call("POST", "/api/desktop/unlink", session.first, "{}", "application/json",
                     {{"X-CSRF-Token", session.second}});
  EXPECT_EQ(unlink.status, 200);
  EXPECT_EQ(with_access(tokens["access_token"]), 401);
  EXPECT_EQ(refresh(tokens["refresh_token"]).status, 401);

  Json again = authorize(session);
  store::StateStore store(config_.paths.state_db);
  identity::UserStore(store.database()).set_disabled("ana@example.com", true);
  EXPECT_EQ(with_access(again["access_token"]), 401);
}

TEST_F(DesktopProviderTest, ForgedExpiredAndAlgNoneTokensAreRefused) {
  Json tokens = authorize(browser("ana@example.com"));
  Json claims = identity::jwt_verify_hs256(tokens["access_token"].get<std::string>(), kSecret,
                                           {"da-test", "", 0, 0, true});
  EXPECT_EQ(with_access(identity::jwt_sign_hs256(claims, "another-secret-0123456789abcdef0123")),
            401);
  Json expired = claims;
  expired["exp"] = claims["iat"].get<int64_t>() - 10;
  EXPECT_EQ(with_access(identity::jwt_sign_hs256(expired, kSecret)), 401);
  Json other_issuer = claims;
  other_issuer["iss"] = "someone-else";
  EXPECT_EQ(with_access(identity::jwt_sign_hs256(other_issuer, kSecret)), 401);
  std::string none = base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                     base64url_encode(claims.dump()) + ".";
  EXPECT_EQ(with_access(none), 401);
}

TEST_F(DesktopProviderTest, ARefreshTokenOfTheWrongTypeIsABadRequestNamingTheField) {
  for (const char* body : {R"({"refresh_token": 123})", R"({"refresh_token": ["x"]})"}) {
    auto answer = call("POST", "/api/desktop/refresh", "", body, "application/json");
    EXPECT_EQ(answer.status, 400) << body;
    EXPECT_EQ(Json::parse(answer.body)["error"],
              std::string("field 'refresh_token' must be a string, not ") +
                  (body[18] == '1' ? "a number" : "an array"));
  }
  auto broken = call("POST", "/api/desktop/refresh", "", "{\"refresh", "application/json");
  EXPECT_EQ(broken.status, 400);
  EXPECT_EQ(Json::parse(broken.body)["error"], "the request body is not valid JSON");
}

}  // namespace
}  // namespace da::web
