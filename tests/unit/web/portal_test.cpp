// The portal over real HTTP on loopback: the server, the routes, sessions, CSRF, roles and
// the magic-link provider in dev mode.
#include <regex>

#include "portal_fixture.hpp"
#include "support/temp_dir.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include "da/config/instance_config_loader.hpp"
#include "da/identity/api_token_store.hpp"
#include "da/identity/user_store.hpp"
#include "da/net/http_client.hpp"
#include "da/module/module_registry.hpp"
#include "da/store/state_store.hpp"
#include "da/web/http_server.hpp"

namespace da::web {
namespace {

using Json = nlohmann::json;

class PortalTest : public PortalFixture {};

TEST_F(PortalTest, AnonymousApiCallsGetJson401AndPagesRedirectToLogin) {
  auto api = call("GET", "/api/catalog");
  EXPECT_EQ(api.status, 401);
  EXPECT_EQ(Json::parse(api.body)["error"], "Sign-in required");
  auto page = call("GET", "/catalog");
  EXPECT_EQ(page.status, 303);
  EXPECT_EQ(page.header("location"), "/login?next=%2Fcatalog");
  auto missing = call("GET", "/api/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(Json::parse(missing.body).contains("error"));
}

TEST_F(PortalTest, EveryResponseCarriesTheSecurityHeaders) {
  auto login = call("GET", "/login");
  EXPECT_EQ(login.status, 200);
  EXPECT_NE(login.header("content-security-policy").find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(login.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(login.header("referrer-policy"), "same-origin");
}

TEST_F(PortalTest, MagicLinkSignsInOnceAndOnlyInTheRequestingBrowser) {
  std::string cookies = sign_in("ana@example.com");
  EXPECT_EQ(call("GET", "/dashboard", cookies).status, 200);
  auto replay = call("GET", last_link_, "da_bind=" + last_bind_);
  EXPECT_EQ(replay.status, 303);
  EXPECT_EQ(replay.header("location"), "/login?notice=link_expired");
}

TEST_F(PortalTest, ALinkOpenedInAnotherBrowserIsRefusedAndStaysUsable) {
  std::string bind;
  auto sent = request_link("eve@example.com", bind);
  std::smatch match;
  std::regex link_pattern("href=\"(/login/email/verify/[^\"]+)\"");
  ASSERT_TRUE(std::regex_search(sent.body, match, link_pattern));
  std::string link = match[1].str();
  auto other = call("GET", link, "da_bind=someone-elses-browser-binding-value-123456");
  EXPECT_EQ(other.header("location"), "/login?notice=link_expired");
  auto mine = call("GET", link, "da_bind=" + bind);
  EXPECT_EQ(mine.header("location"), "/dashboard");
}

TEST_F(PortalTest, SignInRefusesAddressesOutsideTheAllowedDomains) {
  std::string bind;
  auto sent = request_link("mallory@evil.com", bind);
  EXPECT_EQ(sent.status, 403);
  EXPECT_NE(sent.body.find("Only @example.com"), std::string::npos);
}

TEST_F(PortalTest, AnonymousFormsNeedTheirCsrfToken) {
  auto form = call("GET", "/login/email");
  std::string bind = cookie_value(form, "da_bind");
  auto sent =
      call("POST", "/login/email/send", "da_bind=" + bind,
           "email=ana%40example.com&csrf_token=forged", "application/x-www-form-urlencoded");
  EXPECT_EQ(sent.status, 403);
}

TEST_F(PortalTest, SignInRotatesTheSessionIdAndRevokesThePlantedOne) {
  std::string first = sign_in("ana@example.com");
  std::string first_id = first.substr(first.find("da_session=") + 11);
  std::string second = sign_in("ana@example.com", first_id);
  std::string second_id = second.substr(second.find("da_session=") + 11);
  EXPECT_NE(first_id, second_id);
  EXPECT_EQ(call("GET", "/dashboard", "da_session=" + first_id).status, 303);
  EXPECT_EQ(call("GET", "/dashboard", "da_session=" + second_id).status, 200);
}

TEST_F(PortalTest, LogoutIsAPostWithCsrfAndRevokesTheSession) {
  std::string cookies = sign_in("ana@example.com");
  EXPECT_EQ(call("GET", "/logout", cookies).status, 405);
  EXPECT_EQ(call("POST", "/logout", cookies, "", "application/x-www-form-urlencoded").status, 403);
  std::string csrf = csrf_of(cookies);
  auto out =
      call("POST", "/logout", cookies, "csrf_token=" + csrf, "application/x-www-form-urlencoded");
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(call("GET", "/dashboard", cookies).status, 303);
}

TEST_F(PortalTest, JsonChangesNeedCsrfAndTheSameOrigin) {
  std::string cookies = sign_in("ana@example.com");
  std::string csrf = csrf_of(cookies);
  std::string body = R"({"table_mode":"explicit","tables":{"orders":true}})";
  EXPECT_EQ(call("POST", "/api/table-subscriptions", cookies, body, "application/json").status,
            403);
  EXPECT_EQ(call("POST", "/api/table-subscriptions", cookies, body, "application/json",
                 {{"X-CSRF-Token", csrf}, {"Origin", "https://evil.example"}})
                .status,
            403);
  auto saved = call("POST", "/api/table-subscriptions", cookies, body, "application/json",
                    {{"X-CSRF-Token", csrf}, {"Origin", origin()}});
  EXPECT_EQ(saved.status, 200) << saved.body;
  auto read = Json::parse(call("GET", "/api/table-subscriptions", cookies).body);
  EXPECT_EQ(read["table_mode"], "explicit");
  EXPECT_EQ(read["tables"]["orders"], true);
  auto unknown = call("POST", "/api/table-subscriptions", cookies,
                      R"({"table_mode":"explicit","tables":{"nope":true}})", "application/json",
                      {{"X-CSRF-Token", csrf}});
  EXPECT_EQ(unknown.status, 400);
}

TEST_F(PortalTest, AdminRoutesNeedTheAdminRole) {
  std::string cookies = sign_in("ana@example.com");
  EXPECT_EQ(call("GET", "/api/admin/registry", cookies).status, 403);
  EXPECT_EQ(call("GET", "/admin/tables", cookies).status, 403);
  store::StateStore store(config_.paths.state_db);
  identity::UserStore(store.database()).grant_role("ana@example.com", "admin");
  auto registry = call("GET", "/api/admin/registry", cookies);
  EXPECT_EQ(registry.status, 200);
  EXPECT_EQ(Json::parse(registry.body)["version"], 0);
}

TEST_F(PortalTest, RegisteringATableWithAStaleVersionIsAConflict) {
  std::string cookies = sign_in("root@example.com");
  store::StateStore store(config_.paths.state_db);
  identity::UserStore(store.database()).grant_role("root@example.com", "admin");
  std::string csrf = csrf_of(cookies);
  std::string table =
      R"({"id":"crm.company","name":"company","primary_key":["id"],"sync_strategy":"full_refresh","version":0})";
  auto first = call("POST", "/api/admin/register-table", cookies, table, "application/json",
                    {{"X-CSRF-Token", csrf}});
  EXPECT_EQ(first.status, 200) << first.body;
  std::string other =
      R"({"id":"crm.person","name":"person","primary_key":["id"],"sync_strategy":"full_refresh","version":0})";
  auto stale = call("POST", "/api/admin/register-table", cookies, other, "application/json",
                    {{"X-CSRF-Token", csrf}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_NE(Json::parse(stale.body)["error"].get<std::string>().find("version conflict"),
            std::string::npos);
}

TEST_F(PortalTest, DisablingAUserEndsTheirSessionAtOnce) {
  std::string cookies = sign_in("ana@example.com");
  store::StateStore store(config_.paths.state_db);
  identity::UserStore(store.database()).set_disabled("ana@example.com", true);
  EXPECT_EQ(call("GET", "/api/me", cookies).status, 401);
}

TEST_F(PortalTest, PersonalAccessTokensOpenTheApiAndNothingElse) {
  sign_in("ana@example.com");
  store::StateStore store(config_.paths.state_db);
  auto user = identity::UserStore(store.database()).find_by_email("ana@example.com");
  auto issued =
      identity::ApiTokenStore(store.database()).create_personal(user->id, "test", std::nullopt);
  auto ok = call("GET", "/api/catalog", "", "", "", {{"Authorization", "Bearer " + issued.token}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(Json::parse(ok.body)["categories"][0]["tables"][0]["name"], "orders");
  auto forged = call("GET", "/api/catalog", "", "", "", {{"Authorization", "Bearer dap_forged"}});
  EXPECT_EQ(forged.status, 401);
}

TEST_F(PortalTest, NextParametersCannotRedirectOffSite) {
  EXPECT_EQ(safe_local_path("//evil.com/x"), "");
  EXPECT_EQ(safe_local_path("https://evil.com"), "");
  EXPECT_EQ(safe_local_path("/\\evil.com"), "");
  EXPECT_EQ(safe_local_path("/catalog?x=1"), "/catalog?x=1");
}

TEST_F(PortalTest, MetricPathsAreValidatedAndNeverTouchTheFilesystem) {
  std::string cookies = sign_in("ana@example.com");
  EXPECT_EQ(call("GET", "/api/metrics/revenue/total_revenue.yml", cookies).status, 200);
  auto traversal = call("GET", "/api/metrics/..%2F..%2Fconfig/instance.yaml", cookies);
  EXPECT_EQ(traversal.status, 404);
  EXPECT_EQ(traversal.body.find("webapp_secret_key"), std::string::npos);
  EXPECT_EQ(call("GET", "/api/metrics/Re%20venue/x.yml", cookies).status, 400);
  EXPECT_EQ(call("GET", "/api/metrics/revenue/..yml", cookies).status, 400);
  EXPECT_EQ(call("GET", "/api/metrics/revenue/missing.yml", cookies).status, 404);
  EXPECT_EQ(call("GET", "/static/../config/instance.yaml").status, 404);
}

TEST_F(PortalTest, DataFromTablesAndMetricsIsEscapedInPages) {
  std::string cookies = sign_in("ana@example.com");
  auto page = call("GET", "/catalog", cookies);
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("<script>alert(1)</script>"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(page.body.find("<img src=x"), std::string::npos);
}

TEST_F(PortalTest, MagicLinksAreRateLimitedPerAddress) {
  int limited = 0;
  for (int i = 0; i < 5; ++i) {
    std::string bind;
    if (request_link("ana@example.com", bind).status == 429) ++limited;
  }
  EXPECT_EQ(limited, 2);
}

TEST_F(PortalTest, DesktopRoutesDoNotExistWithoutADesktopSecret) {
  EXPECT_EQ(call("POST", "/api/desktop/refresh", "", "{}", "application/json").status, 404);
  EXPECT_EQ(call("GET", "/desktop/link").status, 404);
}

TEST_F(PortalTest, SessionCookiesAreSecureWhenThePortalIsServedOverHttps) {
  EXPECT_EQ(portal_->session_cookie("abc", false).find("Secure"), std::string::npos);
  config::InstanceConfig https = config_;
  https.server.base_url = "https://data.example.com";
  Portal secure(https, modules_.auth_providers, modules_.portal_features);
  std::string cookie = secure.session_cookie("abc", false);
  EXPECT_NE(cookie.find("; Secure"), std::string::npos);
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("; SameSite=Lax"), std::string::npos);
  EXPECT_NE(secure.session_cookie("", true).find("Max-Age=0"), std::string::npos);
}

TEST_F(PortalTest, StaticFilesHaveETagsAndAnswer304) {
  auto css = call("GET", "/static/app.css");
  EXPECT_EQ(css.status, 200);
  std::string etag = css.header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(call("GET", "/static/app.css", "", "", "", {{"If-None-Match", etag}}).status, 304);
}

TEST_F(PortalTest, OversizedBodiesAreRefused) {
  std::string cookies = sign_in("ana@example.com");
  std::string huge(2 * 1024 * 1024, 'x');
  EXPECT_EQ(call("POST", "/api/sync-settings", cookies, huge, "application/json").status, 413);
}

}  // namespace
}  // namespace da::web

namespace da::web {
namespace {

std::string gunzip_body(const std::string& data) {
  z_stream stream{};
  inflateInit2(&stream, 16 + MAX_WBITS);
  std::string out(4 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&stream, Z_FINISH);
  out.resize(rc == Z_STREAM_END ? out.size() - stream.avail_out : 0);
  inflateEnd(&stream);
  return out;
}

TEST_F(PortalTest, GzippedPagesAndApiAnswersDecodeToTheSameContent) {
  std::string cookies = sign_in("ana@example.com");
  for (const char* path : {"/catalog", "/api/catalog", "/dashboard", "/static/app.js"}) {
    auto plain = call("GET", path, cookies);
    auto packed = call("GET", path, cookies, "", "", {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(plain.header("content-encoding"), "") << path;
    EXPECT_EQ(packed.header("content-encoding"), "gzip") << path;
    EXPECT_LT(packed.body.size(), plain.body.size()) << path;
    EXPECT_EQ(gunzip_body(packed.body), plain.body) << path;
  }
}

}  // namespace
}  // namespace da::web
