// The portal under a sub-path (server.base_url http://host/tools/da, as behind an nginx that
// passes /tools/da/ through unchanged): every page, asset, API route and redirect lives under
// the prefix, every URL the portal hands out carries it, its cookies are scoped to it, and
// nothing answers outside it. A portal at the root of its host stays as it was.
#include <deque>
#include <set>

#include "portal_fixture.hpp"

#include "da/identity/user_store.hpp"
#include "da/notify/image_store.hpp"
#include "da/notify/notifications_settings.hpp"
#include "da/notify/outbox.hpp"
#include "da/store/state_store.hpp"

namespace da::web {
namespace {

using Json = nlohmann::json;
constexpr const char* kPrefix = "/tools/da";
constexpr const char* kKey =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDFCGjLqhNIwPbD7UJBEAj6Q0S+yGI9/yI1nWOhT3hR1 me@laptop";

std::string html_unescape(std::string text) {
  for (auto [from, to] : {std::pair{"&amp;", "&"}, {"&#x2F;", "/"}, {"&#39;", "'"}})
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + 1))
      text.replace(at, std::string_view(from).size(), to);
  return text;
}

// Every href, src and form action in a page, unescaped.
std::vector<std::pair<std::string, std::string>> urls_in(const std::string& html) {
  std::vector<std::pair<std::string, std::string>> found;
  static const std::regex pattern("\\b(href|src|action)=\"([^\"]*)\"");
  for (std::sregex_iterator it(html.begin(), html.end(), pattern), end; it != end; ++it)
    found.emplace_back((*it)[1].str(), html_unescape((*it)[2].str()));
  return found;
}

class PortalUnderSubPath : public PortalFixture {
 protected:
  std::string sub_path() const override { return kPrefix; }
  std::string auth_yaml() const override {
    return "  email: {dev_mode: true}\n  password: {enabled: true}\n";
  }
  std::string extra_yaml() const override {
    return "datasets:\n  support: {label: Support}\n"
           "data_source: {type: csv, csv: {base_dir: ./incoming}}\n"
           "desktop: {jwt_issuer: da-test, url_scheme: da-test, jwt_secret: "
           "desktop-secret-0123456789abcdef0123456789}\n"
           "telegram: {bot_username: da_test_bot, bot_token: '123:abc'}\n";
  }

  // GET of a path as the browser sends it (the public path: any prefix is the caller's).
  net::HttpResponse get_public(const std::string& path, const std::string& cookies = "") {
    net::HttpRequest request;
    request.url = origin() + path;
    if (!cookies.empty()) request.headers.emplace_back("Cookie", cookies);
    return net::HttpClient().send(request);
  }

  std::string admin_session() {
    std::string cookies = sign_in("root@example.com");
    store::StateStore store(config_.paths.state_db);
    identity::UserStore(store.database()).grant_role("root@example.com", "admin");
    return cookies;
  }

  // Follows every link, asset and redirect a visitor with `cookies` meets, from `starts`
  // (public paths), with GETs: each must be a path under the prefix and answer 200 (404 for
  // those in `missing`, whose error page is followed too), or redirect to one. Form actions
  // must be under the prefix too (they are not posted). Returns the public paths fetched.
  std::set<std::string> crawl(const std::vector<std::string>& starts, const std::string& cookies,
                              const std::set<std::string>& missing = {}) {
    std::set<std::string> seen;
    std::deque<std::pair<std::string, std::string>> queue;  // (path, where it was found)
    for (const std::string& start : starts)
      queue.emplace_back(start, "the start");
    std::string under = std::string(kPrefix) + "/";
    while (!queue.empty()) {
      auto [path, from] = queue.front();
      queue.pop_front();
      if (!seen.insert(path).second) continue;
      EXPECT_EQ(path.rfind(under, 0), 0u) << path << " (found in " << from << ")";
      auto answer = get_public(path, cookies);
      if (answer.status == 303 || answer.status == 302 || answer.status == 308) {
        queue.emplace_back(answer.header("location"), path + " (Location)");
        continue;
      }
      EXPECT_EQ(answer.status, missing.count(path) ? 404 : 200)
          << path << " (found in " << from << ")";
      if (answer.header("content-type").rfind("text/html", 0) != 0) continue;
      for (const auto& [attribute, value] : urls_in(answer.body)) {
        if (value.empty() || value.front() == '#') continue;
        if (attribute == "action") {
          EXPECT_EQ(value.rfind(under, 0), 0u) << "form action " << value << " in " << path;
          seen.insert("POST " + value);
        } else {
          queue.emplace_back(value, path);
        }
      }
    }
    return seen;
  }
};

TEST_F(PortalUnderSubPath, EveryPageOfEveryRoleLinksOnlyUnderThePrefixAndEveryLinkAnswers) {
  std::string p = kPrefix;
  auto linked = [&p](const std::set<std::string>& seen, const char* page) {
    for (const std::string& url : seen)
      if (url == p + page || url.rfind(p + page + "?", 0) == 0) return true;
    return false;
  };
  auto anonymous = crawl({p + "/", p + "/login/password/reset", p + "/health"}, "");
  for (const char* page : {"/login", "/login/email", "/login/password", "/static/app.js"})
    EXPECT_TRUE(linked(anonymous, page)) << page;
  EXPECT_TRUE(anonymous.count("POST " + p + "/login/email/send"));
  EXPECT_TRUE(anonymous.count("POST " + p + "/login/password"));

  std::string analyst = sign_in("ana@example.com");
  auto seen =
      crawl({p + "/", p + "/desktop/link", p + "/nowhere", p + "/api/me", p + "/api/catalog",
             p + "/api/selection", p + "/api/table-subscriptions", p + "/api/notifications",
             p + "/api/telegram/status", p + "/api/pull/manifest", p + "/health"},
            analyst, {p + "/nowhere"});
  for (const char* page : {"/dashboard", "/catalog", "/selection", "/static/app.css",
                           "/static/app.js", "/static/favicon.svg"})
    EXPECT_TRUE(linked(seen, page)) << page << " was not linked";
  for (const char* form : {"/register", "/logout", "/telegram/link"})
    EXPECT_TRUE(seen.count("POST " + p + form)) << form;

  std::string admin = admin_session();
  auto admin_seen =
      crawl({p + "/dashboard", p + "/admin/notifications", p + "/api/admin/registry",
             p + "/api/admin/audit", p + "/api/admin/mail", p + "/api/admin/notifications"},
            admin);
  EXPECT_TRUE(linked(admin_seen, "/admin/tables"));
}

TEST_F(PortalUnderSubPath, NothingAnswersOutsideThePrefix) {
  std::string analyst = sign_in("ana@example.com");
  for (const char* path :
       {"/", "/dashboard", "/login", "/health", "/static/app.css", "/api/me", "/api/pull/manifest",
        "/tools", "/tools/dab", "/tools/dab/dashboard", "/tools/%64a/dashboard"})
    EXPECT_EQ(get_public(path, analyst).status, 404) << path;
  net::HttpRequest post;
  post.method = "POST";
  post.url = origin() + "/logout";
  EXPECT_EQ(net::HttpClient().send(post).status, 404);
  EXPECT_EQ(get_public(std::string(kPrefix) + "/health").status, 200);
}

TEST_F(PortalUnderSubPath, ThePrefixWithoutASlashRedirectsToItsRoot) {
  auto bare = get_public(kPrefix);
  EXPECT_EQ(bare.status, 308);
  EXPECT_EQ(bare.header("location"), std::string(kPrefix) + "/");
  EXPECT_EQ(get_public(std::string(kPrefix) + "?x=1").header("location"),
            std::string(kPrefix) + "/?x=1");
  auto root = get_public(std::string(kPrefix) + "/");
  EXPECT_EQ(root.status, 303);
  EXPECT_EQ(root.header("location"), std::string(kPrefix) + "/login");
}

TEST_F(PortalUnderSubPath, RedirectsCarryThePrefixAndSignInReturnsToThePageAsked) {
  auto asked = call("GET", "/catalog?tab=metrics");
  EXPECT_EQ(asked.status, 303);
  EXPECT_EQ(asked.header("location"),
            std::string(kPrefix) + "/login?next=%2Fcatalog%3Ftab%3Dmetrics");
  auto login = get_public(asked.header("location"));
  EXPECT_NE(login.body.find("href=\"/tools/da/login/email?next=%2Fcatalog%3Ftab%3Dmetrics\""),
            std::string::npos)
      << login.body;

  auto form = call("GET", "/login/email?next=%2Fcatalog");
  std::string bind = cookie_value(form, "da_bind");
  std::smatch match;
  ASSERT_TRUE(
      std::regex_search(form.body, match, std::regex("name=\"csrf_token\" value=\"([^\"]+)\"")));
  auto sent = call("POST", "/login/email/send", "da_bind=" + bind,
                   "email=ana%40example.com&next=%2Fcatalog&csrf_token=" + match[1].str(),
                   "application/x-www-form-urlencoded", {{"Origin", origin()}});
  ASSERT_TRUE(std::regex_search(sent.body, match,
                                std::regex("href=\"/tools/da(/login/email/verify/[^\"]+)\"")))
      << sent.body;
  auto verified = call("GET", match[1].str(), "da_bind=" + bind);
  EXPECT_EQ(verified.status, 303);
  EXPECT_EQ(verified.header("location"), std::string(kPrefix) + "/catalog");

  std::string cookies = "da_session=" + cookie_value(verified, "da_session");
  auto key = call("POST", "/register", cookies,
                  "ssh_key=" + net::url_encode(kKey) + "&csrf_token=" + csrf_of(cookies),
                  "application/x-www-form-urlencoded", {{"Origin", origin()}});
  EXPECT_EQ(key.status, 303);
  EXPECT_EQ(key.header("location"), std::string(kPrefix) + "/dashboard?notice=key_saved");
  auto out = call("POST", "/logout", cookies, "csrf_token=" + csrf_of(cookies),
                  "application/x-www-form-urlencoded", {{"Origin", origin()}});
  EXPECT_EQ(out.header("location"), std::string(kPrefix) + "/login?notice=logged_out");
}

TEST_F(PortalUnderSubPath, CookiesAreScopedToThePrefix) {
  auto form = call("GET", "/login/email");
  EXPECT_NE(form.header("set-cookie").find("; Path=/tools/da;"), std::string::npos)
      << form.header("set-cookie");
  std::string bind;
  auto sent = request_link("bob@example.com", bind);
  std::smatch match;
  ASSERT_TRUE(std::regex_search(sent.body, match,
                                std::regex("href=\"/tools/da(/login/email/verify/[^\"]+)\"")));
  auto session = call("GET", match[1].str(), "da_bind=" + bind);
  EXPECT_NE(session.header("set-cookie").find("; Path=/tools/da;"), std::string::npos)
      << session.header("set-cookie");
  std::string bob = "da_session=" + cookie_value(session, "da_session");
  auto out = call("POST", "/logout", bob, "csrf_token=" + csrf_of(bob),
                  "application/x-www-form-urlencoded");
  EXPECT_NE(out.header("set-cookie").find("; Path=/tools/da;"), std::string::npos);
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
}

TEST_F(PortalUnderSubPath, TheScriptLearnsThePrefixFromThePageAndTheCspStaysStrict) {
  auto page = call("GET", "/dashboard", sign_in("ana@example.com"));
  EXPECT_NE(page.body.find("<html lang=\"en\" data-base=\"/tools/da\">"), std::string::npos);
  std::string csp(page.header("content-security-policy"));
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  auto script = call("GET", "/static/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_NE(script.body.find("fetch(basePath + path"), std::string::npos);
  EXPECT_NE(script.header("cache-control").find("public"), std::string::npos);
}

TEST_F(PortalUnderSubPath, NotificationImageUrlsCarryThePrefixAndServeTheImage) {
  std::string cookies = sign_in("ana@example.com");
  std::string name;
  {
    store::StateStore store(config_.paths.state_db);
    auto user = identity::UserStore(store.database()).find_by_email("ana@example.com");
    ASSERT_TRUE(user);
    name = notify::ImageStore(notify::NotificationsSettings::from(config_).image_dir)
               .put(std::string("\x89PNG\r\n\x1a\n", 8) + "pixels");
    notify::NewNotification notification;
    notification.user_id = user->id;
    notification.title = "Chart";
    notification.image = name;
    notification.source = "cli";
    notify::Outbox(store.database()).enqueue(notification);
  }
  Json list = Json::parse(call("GET", "/api/notifications", cookies).body);
  ASSERT_EQ(list.size(), 1u);
  std::string image_url = list[0]["image_url"];
  EXPECT_EQ(image_url, std::string(kPrefix) + "/api/notifications/images/" + name);
  EXPECT_EQ(get_public(image_url, cookies).status, 200);
}

// Without a path in base_url the portal is where it always was.
class PortalAtTheRoot : public PortalFixture {};

TEST_F(PortalAtTheRoot, LinksCookiesAndRedirectsHaveNoPrefix) {
  auto form = call("GET", "/login/email");
  EXPECT_NE(form.header("set-cookie").find("; Path=/;"), std::string::npos);
  std::string cookies = sign_in("ana@example.com");
  auto page = call("GET", "/dashboard", cookies);
  EXPECT_NE(page.body.find("<html lang=\"en\" data-base=\"\">"), std::string::npos);
  EXPECT_NE(page.body.find("href=\"/catalog\""), std::string::npos);
  EXPECT_NE(page.body.find("src=\"/static/app.js?v="), std::string::npos);
  EXPECT_EQ(call("GET", "/", cookies).header("location"), "/dashboard");
  EXPECT_EQ(call("GET", "/catalog").header("location"), "/login?next=%2Fcatalog");
}

}  // namespace
}  // namespace da::web
