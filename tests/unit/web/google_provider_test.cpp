// Google sign-in against the fake OpenID provider: the whole redirect dance over real HTTP, and
// every kind of bad id_token or callback refused.
#include "fakes/oidc/fake_oidc_provider.hpp"
#include "portal_fixture.hpp"

#include "da/common/crypto.hpp"

namespace da::web {
namespace {

using Json = nlohmann::json;

class GoogleProviderTest : public PortalFixture {
 protected:
  std::string auth_yaml() const override {
    return "  google_client_id: test-client.apps\n  google_client_secret: test-secret\n"
           "  google_discovery_url: " +
           oidc_.discovery_url() + "\n";
  }
  void SetUp() override {
    oidc_.set_identity({{"sub", "1234"},
                        {"email", "ana@example.com"},
                        {"email_verified", true},
                        {"name", "Ana Lytic"},
                        {"picture", "https://example.com/ana.png"}});
    PortalFixture::SetUp();
  }

  struct Outcome {
    net::HttpResponse callback;  // the portal's answer to /authorize
    std::string bind;
    std::string callback_path;
  };
  // Clicks "Sign in with Google", lets the fake consent, and follows it back to the portal.
  Outcome sign_in_with_google() {
    auto start = call("GET", "/login/google");
    EXPECT_EQ(start.status, 302);
    Outcome outcome;
    outcome.bind = cookie_value(start, "da_bind");
    net::HttpRequest consent;
    consent.url = start.header("location");
    auto back = net::HttpClient().send(consent);
    EXPECT_EQ(back.status, 302) << back.body;
    std::string location = back.header("location");
    EXPECT_EQ(location.rfind(url("/authorize?"), 0), 0u) << location;
    outcome.callback_path = location.substr(url("").size());
    outcome.callback = call("GET", outcome.callback_path, "da_bind=" + outcome.bind);
    return outcome;
  }

  fakes::FakeOidcProvider oidc_{"test-client.apps", "test-secret"};
};

TEST_F(GoogleProviderTest, AConsentingUserIsSignedInWithTheirProfile) {
  auto outcome = sign_in_with_google();
  EXPECT_EQ(outcome.callback.status, 303);
  EXPECT_EQ(outcome.callback.header("location"), "/dashboard");
  std::string session = cookie_value(outcome.callback, "da_session");
  auto me = Json::parse(call("GET", "/api/me", "da_session=" + session).body);
  EXPECT_EQ(me["email"], "ana@example.com");
  EXPECT_EQ(me["name"], "Ana Lytic");
  EXPECT_EQ(oidc_.refused_token_requests(), 0);  // client secret, redirect URI and PKCE were right
}

TEST_F(GoogleProviderTest, TheCallbackCannotBeReplayedOrUsedInAnotherBrowser) {
  auto outcome = sign_in_with_google();
  ASSERT_EQ(outcome.callback.status, 303);
  auto replay = call("GET", outcome.callback_path, "da_bind=" + outcome.bind);
  EXPECT_EQ(replay.status, 403);
  EXPECT_TRUE(cookie_value(replay, "da_session").empty());

  auto start = call("GET", "/login/google");
  net::HttpRequest consent;
  consent.url = start.header("location");
  std::string callback = net::HttpClient().send(consent).header("location").substr(url("").size());
  auto stolen = call("GET", callback, "da_bind=an-attackers-own-browser-binding-0123456789");
  EXPECT_EQ(stolen.status, 403);
}

struct BadToken {
  const char* name;
  fakes::FakeOidcProvider::Tamper tamper;
  const char* message = "Google sign-in failed";  // shown on the login page
};

class GoogleBadTokenTest : public GoogleProviderTest,
                           public ::testing::WithParamInterface<BadToken> {};

TEST_P(GoogleBadTokenTest, IsRefusedWithoutASession) {
  oidc_.set_tamper(GetParam().tamper);
  auto outcome = sign_in_with_google();
  EXPECT_EQ(outcome.callback.status, 403) << GetParam().name;
  EXPECT_TRUE(cookie_value(outcome.callback, "da_session").empty());
  EXPECT_NE(outcome.callback.body.find(GetParam().message), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Tokens, GoogleBadTokenTest,
    ::testing::Values(
        BadToken{"expired",
                 [](Json& c, Json&, std::string&) { c["exp"] = c["iat"].get<int64_t>() - 600; }},
        BadToken{"wrong_audience",
                 [](Json& c, Json&, std::string&) { c["aud"] = "another-client"; }},
        BadToken{"wrong_issuer",
                 [](Json& c, Json&, std::string&) { c["iss"] = "https://evil.example"; }},
        BadToken{"wrong_nonce",
                 [](Json& c, Json&, std::string&) { c["nonce"] = "replayed-nonce"; }},
        BadToken{"unverified_email",
                 [](Json& c, Json&, std::string&) { c["email_verified"] = false; }},
        BadToken{"email_outside_domains",
                 [](Json& c, Json&, std::string&) { c["email"] = "x@evil.com"; },
                 "Only @example.com email addresses are allowed"},
        BadToken{"forged_signature",
                 [](Json& c, Json& h, std::string& token) {
                   fakes::RsaKey other("fake-key-1");  // same kid, different key
                   token = other.sign(c, h);
                 }},
        BadToken{"alg_none",
                 [](Json& c, Json&, std::string& token) {
                   token = base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                           base64url_encode(c.dump()) + ".";
                 }}),
    [](const ::testing::TestParamInfo<BadToken>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace da::web
