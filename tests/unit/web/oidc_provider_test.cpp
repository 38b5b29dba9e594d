// OpenID Connect sign-in against the fake provider: the whole redirect dance over real HTTP,
// with the Google preset (the auth.google_* keys) and a generic provider (auth.oidc); every
// kind of bad id_token, userinfo answer or callback refused; signing keys that rotate.
#include "fakes/oidc/fake_oidc_provider.hpp"
#include "portal_fixture.hpp"

#include "da/common/crypto.hpp"

namespace da::web {
namespace {

using Json = nlohmann::json;

class OidcProviderTest : public PortalFixture {
 protected:
  // The Google preset, pointed at the fake provider.
  std::string auth_yaml() const override {
    return "  oidc:\n    preset: google\n    client_id: test-client.apps\n"
           "    client_secret: test-secret\n    discovery_url: " +
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
  // Clicks the sign-in button, lets the fake consent, and follows it back to the portal.
  Outcome sign_in_with_provider() {
    auto start = call("GET", "/login/oidc");
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

TEST_F(OidcProviderTest, AConsentingUserIsSignedInWithTheirProfile) {
  auto outcome = sign_in_with_provider();
  EXPECT_EQ(outcome.callback.status, 303);
  EXPECT_EQ(outcome.callback.header("location"), "/dashboard");
  std::string session = cookie_value(outcome.callback, "da_session");
  auto me = Json::parse(call("GET", "/api/me", "da_session=" + session).body);
  EXPECT_EQ(me["email"], "ana@example.com");
  EXPECT_EQ(me["name"], "Ana Lytic");
  EXPECT_EQ(oidc_.refused_token_requests(), 0);  // client secret, redirect URI and PKCE were right
  EXPECT_EQ(oidc_.userinfo_requests(), 0);       // the id_token had a verified email
}

TEST_F(OidcProviderTest, TheGooglePresetAsksToChooseAnAccountAlsoAtItsOldAddress) {
  EXPECT_NE(call("GET", "/login").body.find("Sign in with Google"), std::string::npos);
  auto start = call("GET", "/login/google");
  ASSERT_EQ(start.status, 302);
  EXPECT_NE(start.header("location").find("&prompt=select_account"), std::string::npos);
  EXPECT_NE(start.header("location").find("&code_challenge_method=S256"), std::string::npos);
}

TEST_F(OidcProviderTest, TheProvidersErrorDescriptionIsShownEscaped) {
  oidc_.set_authorization_error("access_denied", "The user <b>cancelled</b>\nthe sign-in");
  auto outcome = sign_in_with_provider();
  EXPECT_EQ(outcome.callback.status, 403);
  EXPECT_NE(outcome.callback.body.find(
                "Google sign-in failed: the provider answered access_denied: The user "
                "&lt;b&gt;cancelled&lt;/b&gt; the sign-in"),
            std::string::npos)
      << outcome.callback.body;
  EXPECT_EQ(outcome.callback.body.find("<b>cancelled"), std::string::npos);
}

TEST_F(OidcProviderTest, AForgedErrorCallbackShowsNoTextOfTheAttackers) {
  auto forged = call("GET",
                     "/authorize?error=access_denied&error_description=Your+account+is+suspended,"
                     "+call+%2B1+555+0100&state=made-up");
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(forged.body.find("suspended"), std::string::npos);
  EXPECT_NE(forged.body.find("expired or came from another browser"), std::string::npos);
}

TEST_F(OidcProviderTest, ARotatedSigningKeyIsFetchedAtOnce) {
  ASSERT_EQ(sign_in_with_provider().callback.status, 303);
  oidc_.rotate_key();
  auto outcome = sign_in_with_provider();
  EXPECT_EQ(outcome.callback.status, 303) << outcome.callback.body;
  EXPECT_EQ(oidc_.jwks_requests(), 2);
}

TEST_F(OidcProviderTest, TokensNamingAnUnknownKidRefetchTheKeysAtMostOncePerKid) {
  auto forged_kid = [](const char* kid) {
    return [kid](Json&, Json& header, std::string&) { header["kid"] = kid; };
  };
  ASSERT_EQ(sign_in_with_provider().callback.status, 303);
  EXPECT_EQ(oidc_.jwks_requests(), 1);
  oidc_.set_tamper(forged_kid("made-up-1"));
  EXPECT_EQ(sign_in_with_provider().callback.status, 403);
  EXPECT_EQ(oidc_.jwks_requests(), 2);  // an unknown kid: refetched at once
  EXPECT_EQ(sign_in_with_provider().callback.status, 403);
  EXPECT_EQ(oidc_.jwks_requests(), 2);  // the same kid within the interval: no refetch
  oidc_.set_tamper(forged_kid("made-up-2"));
  EXPECT_EQ(sign_in_with_provider().callback.status, 403);
  EXPECT_EQ(sign_in_with_provider().callback.status, 403);
  EXPECT_EQ(oidc_.jwks_requests(), 3);  // another kid: one more refetch
}

TEST_F(OidcProviderTest, TheCallbackCannotBeReplayedOrUsedInAnotherBrowser) {
  auto outcome = sign_in_with_provider();
  ASSERT_EQ(outcome.callback.status, 303);
  auto replay = call("GET", outcome.callback_path, "da_bind=" + outcome.bind);
  EXPECT_EQ(replay.status, 403);
  EXPECT_TRUE(cookie_value(replay, "da_session").empty());

  auto start = call("GET", "/login/oidc");
  net::HttpRequest consent;
  consent.url = start.header("location");
  std::string callback = net::HttpClient().send(consent).header("location").substr(url("").size());
  auto stolen = call("GET", callback, "da_bind=an-attackers-own-browser-binding-0123456789");
  EXPECT_EQ(stolen.status, 403);
}

// Under a sub-path the provider is told to come back under it, and the user lands there.
class OidcUnderSubPath : public OidcProviderTest {
 protected:
  std::string sub_path() const override { return "/tools/da"; }
};

TEST_F(OidcUnderSubPath, TheRedirectUriCarriesTheSubPathAndTheUserLandsUnderIt) {
  auto start = call("GET", "/login/oidc");
  ASSERT_EQ(start.status, 302);
  EXPECT_NE(start.header("location").find("redirect_uri=" + net::url_encode(url("/authorize"))),
            std::string::npos)
      << start.header("location");
  EXPECT_NE(start.header("set-cookie").find("; Path=/tools/da;"), std::string::npos);
  auto outcome = sign_in_with_provider();  // the fake came back to url("/authorize?...")
  EXPECT_EQ(outcome.callback.status, 303) << outcome.callback.body;
  EXPECT_EQ(outcome.callback.header("location"), "/tools/da/dashboard");
  EXPECT_EQ(oidc_.refused_token_requests(), 0);  // the same redirect_uri in the code exchange
}

// A standard provider configured through auth.oidc: its own prompt and name, and the email
// only in the userinfo answer, as in the code flow of most providers.
class OidcGenericProviderTest : public OidcProviderTest {
 protected:
  std::string auth_yaml() const override {
    return "  oidc:\n    client_id: test-client.apps\n    client_secret: test-secret\n"
           "    discovery_url: " +
           oidc_.discovery_url() + "\n    prompt: login\n    name: Acme ID\n";
  }
  void SetUp() override {
    OidcProviderTest::SetUp();
    oidc_.set_email_in_id_token(false);
  }
};

TEST_F(OidcGenericProviderTest, SendsTheConfiguredPromptAndShowsTheProvidersName) {
  EXPECT_NE(call("GET", "/login").body.find("Sign in with Acme ID"), std::string::npos);
  std::string location = call("GET", "/login/oidc").header("location");
  EXPECT_NE(location.find("&prompt=login"), std::string::npos) << location;
  EXPECT_EQ(location.find("select_account"), std::string::npos) << location;
}

TEST_F(OidcGenericProviderTest, TheEmailComesFromUserinfoWhenTheIdTokenHasNone) {
  auto outcome = sign_in_with_provider();
  ASSERT_EQ(outcome.callback.status, 303) << outcome.callback.body;
  EXPECT_EQ(oidc_.userinfo_requests(), 1);
  std::string session = cookie_value(outcome.callback, "da_session");
  auto me = Json::parse(call("GET", "/api/me", "da_session=" + session).body);
  EXPECT_EQ(me["email"], "ana@example.com");
  EXPECT_EQ(me["name"], "Ana Lytic");
}

TEST_F(OidcGenericProviderTest, AnUnverifiedEmailFromUserinfoIsRefused) {
  oidc_.set_userinfo({{"sub", "1234"}, {"email", "ana@example.com"}, {"email_verified", false}});
  auto outcome = sign_in_with_provider();
  EXPECT_EQ(outcome.callback.status, 403);
  EXPECT_NE(outcome.callback.body.find("Acme ID has not verified this email"), std::string::npos);
  EXPECT_TRUE(cookie_value(outcome.callback, "da_session").empty());
}

TEST_F(OidcGenericProviderTest, AUserinfoAnswerAboutAnotherSubjectIsRefused) {
  oidc_.set_userinfo({{"sub", "9999"}, {"email", "ana@example.com"}, {"email_verified", true}});
  auto outcome = sign_in_with_provider();
  EXPECT_EQ(outcome.callback.status, 403);
  EXPECT_NE(outcome.callback.body.find("about another subject"), std::string::npos);
}

struct BadToken {
  const char* name;
  fakes::FakeOidcProvider::Tamper tamper;
  const char* message = "Google sign-in failed";  // shown on the login page
};

class OidcBadTokenTest : public OidcProviderTest, public ::testing::WithParamInterface<BadToken> {};

TEST_P(OidcBadTokenTest, IsRefusedWithoutASession) {
  oidc_.set_tamper(GetParam().tamper);
  auto outcome = sign_in_with_provider();
  EXPECT_EQ(outcome.callback.status, 403) << GetParam().name;
  EXPECT_TRUE(cookie_value(outcome.callback, "da_session").empty());
  EXPECT_NE(outcome.callback.body.find(GetParam().message), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Tokens, OidcBadTokenTest,
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
