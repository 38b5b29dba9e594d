// The password and magic-link providers end to end with real mail: both enabled at once (their
// routes must not collide), SMTP pointed at the in-process sink.
#include "fakes/smtp/mail_reader.hpp"
#include "fakes/smtp/smtp_sink.hpp"
#include "portal_fixture.hpp"

#include "da/identity/session_store.hpp"
#include "da/identity/user_store.hpp"
#include "da/store/state_store.hpp"

namespace da::web {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

class PasswordProviderTest : public PortalFixture {
 protected:
  std::string auth_yaml() const override { return "  password: {enabled: true}\n"; }
  // The tests speak for several clients through a proxy on the loopback address.
  std::string server_yaml() const override { return ", trusted_proxies: [127.0.0.1]"; }
  std::string extra_yaml() const override {
    return "email: {smtp_host: 127.0.0.1, smtp_port: " + std::to_string(sink_.port()) +
           ", smtp_use_tls: false, from_address: portal@example.com}\n";
  }

  // The form's binding cookie and CSRF token, as a browser gets them.
  std::pair<std::string, std::string> open_form(const std::string& path) {
    auto form = call("GET", path);
    EXPECT_EQ(form.status, 200) << path;
    std::smatch match;
    EXPECT_TRUE(
        std::regex_search(form.body, match, std::regex("name=\"csrf_token\" value=\"([^\"]+)\"")));
    return {cookie_value(form, "da_bind"), match[1].str()};
  }

  // Posts the form at `path` from a new browser (whose binding cookie lands in `bind`), from
  // the client `headers` name.
  net::HttpResponse post_form(const std::string& path, const std::string& fields,
                              std::string* bind = nullptr,
                              std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto [browser, csrf] = open_form(path);
    if (bind) *bind = browser;
    return call("POST", path, "da_bind=" + browser, fields + "&csrf_token=" + csrf,
                "application/x-www-form-urlencoded", std::move(headers));
  }

  // Opens a mailed set-password link in the browser `bind`: its CSRF token, or "".
  std::string open_link(const std::string& link, const std::string& bind) {
    auto form = call("GET", link, "da_bind=" + bind);
    std::smatch match;
    if (form.status != 200 ||
        !std::regex_search(form.body, match, std::regex("name=\"csrf_token\" value=\"([^\"]+)\"")))
      return "";
    return match[1].str();
  }

  // The path of the link in the n-th mail's text.
  std::string link_in_mail(std::size_t n, const std::string& prefix) {
    auto mail = sink_.wait_for_message(n, 5s);
    if (!mail) return "(no mail)";
    std::string text = fakes::decoded_part(fakes::parse_mail(mail->data), "text/plain");
    std::smatch match;
    if (!std::regex_search(text, match, std::regex(url("") + "(" + prefix + "[A-Za-z0-9_-]+)")))
      return "(no link in: " + text + ")";
    return match[1].str();
  }

  net::HttpResponse sign_in_with(const std::string& email, const std::string& password,
                                 const std::string& client_ip = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!client_ip.empty()) headers.emplace_back("X-Forwarded-For", client_ip);
    return post_form("/login/password",
                     "email=" + net::url_encode(email) + "&password=" + net::url_encode(password),
                     nullptr, std::move(headers));
  }

  void set_password(const std::string& email, const std::string& password) {
    std::string bind;
    std::size_t mails = sink_.messages().size();
    ASSERT_EQ(post_form("/login/password/reset", "email=" + net::url_encode(email), &bind).status,
              200);
    std::string link = link_in_mail(mails + 1, "/login/password/set/");
    std::string csrf = open_link(link, bind);
    ASSERT_FALSE(csrf.empty()) << link;
    std::string fields = "password=" + net::url_encode(password) +
                         "&confirm_password=" + net::url_encode(password) + "&csrf_token=" + csrf;
    auto set = call("POST", link, "da_bind=" + bind, fields, "application/x-www-form-urlencoded");
    ASSERT_EQ(set.status, 303) << set.body;
    ASSERT_EQ(set.header("location"), "/login/password?notice=password_set");
  }

  // A session of `email` made an administrator, without mail: the tests here break the relay.
  std::string sign_in_admin(const std::string& email) {
    store::StateStore store(config_.paths.state_db);
    identity::UserStore users(store.database());
    identity::User user = users.ensure(email, config_.username_mapping);
    users.grant_role(email, "admin");
    auto session = identity::SessionStore(store.database(), {}).create(user.id, "test", "", "");
    return "da_session=" + session.id;
  }

  fakes::SmtpSink sink_;
};

// Under a sub-path the mailed links are base_url (which holds the sub-path) + the route: the
// prefix appears once, and the links work.
class PasswordUnderSubPath : public PasswordProviderTest {
 protected:
  std::string sub_path() const override { return "/tools/da"; }
};

TEST_F(PasswordUnderSubPath, MailedLinksCarryTheSubPathOnceAndWork) {
  std::string bind;
  ASSERT_EQ(post_form("/login/password/reset", "email=ana%40example.com", &bind).status, 200);
  auto mail = sink_.wait_for_message(1, 5s);
  ASSERT_TRUE(mail);
  std::string text = fakes::decoded_part(fakes::parse_mail(mail->data), "text/plain");
  EXPECT_NE(text.find(origin() + "/tools/da/login/password/set/"), std::string::npos) << text;
  EXPECT_EQ(text.find("/tools/da/tools/da"), std::string::npos) << text;
  std::string link = link_in_mail(1, "/login/password/set/");
  std::string csrf = open_link(link, bind);
  ASSERT_FALSE(csrf.empty()) << link;
  auto set = call("POST", link, "da_bind=" + bind,
                  "password=Correct-Horse-42&confirm_password=Correct-Horse-42&csrf_token=" + csrf,
                  "application/x-www-form-urlencoded");
  EXPECT_EQ(set.status, 303);
  EXPECT_EQ(set.header("location"), "/tools/da/login/password?notice=password_set");
  auto signed_in = sign_in_with("ana@example.com", "Correct-Horse-42");
  EXPECT_EQ(signed_in.header("location"), "/tools/da/dashboard");

  auto [magic_bind, magic_csrf] = open_form("/login/email");
  ASSERT_EQ(
      call("POST", "/login/email/send", "da_bind=" + magic_bind,
           "email=bob%40example.com&csrf_token=" + magic_csrf, "application/x-www-form-urlencoded")
          .status,
      200);
  auto magic = sink_.wait_for_message(2, 5s);
  ASSERT_TRUE(magic);
  text = fakes::decoded_part(fakes::parse_mail(magic->data), "text/plain");
  EXPECT_NE(text.find(origin() + "/tools/da/login/email/verify/"), std::string::npos) << text;
  EXPECT_EQ(text.find("/tools/da/tools/da"), std::string::npos) << text;
  auto verified = call("GET", link_in_mail(2, "/login/email/verify/"), "da_bind=" + magic_bind);
  EXPECT_EQ(verified.header("location"), "/tools/da/dashboard");
}

TEST_F(PasswordProviderTest, BothProvidersServeTheirOwnRoutes) {
  EXPECT_EQ(call("GET", "/login/email").status, 200);
  EXPECT_EQ(call("GET", "/login/password").status, 200);
  auto login = call("GET", "/login");
  EXPECT_NE(login.body.find("/login/email"), std::string::npos);
  EXPECT_NE(login.body.find("/login/password"), std::string::npos);
}

TEST_F(PasswordProviderTest, AMailedLinkSetsThePasswordThatThenSignsIn) {
  set_password("ana@example.com", "Correct-Horse-42");
  auto signed_in = sign_in_with("ana@example.com", "Correct-Horse-42");
  EXPECT_EQ(signed_in.status, 303);
  EXPECT_EQ(signed_in.header("location"), "/dashboard");
  std::string session = cookie_value(signed_in, "da_session");
  ASSERT_FALSE(session.empty());
  EXPECT_EQ(call("GET", "/api/me", "da_session=" + session).status, 200);
}

TEST_F(PasswordProviderTest, ASetLinkWorksOnceAndRefusesWeakPasswords) {
  std::string bind;
  ASSERT_EQ(post_form("/login/password/reset", "email=bob%40example.com", &bind).status, 200);
  std::string link = link_in_mail(1, "/login/password/set/");
  std::string csrf = open_link(link, bind);
  auto weak = call("POST", link, "da_bind=" + bind,
                   "password=short&confirm_password=short&csrf_token=" + csrf,
                   "application/x-www-form-urlencoded");
  EXPECT_EQ(weak.status, 422);
  auto differ = call("POST", link, "da_bind=" + bind,
                     "password=Correct-Horse-42&confirm_password=Other-Horse-42&csrf_token=" + csrf,
                     "application/x-www-form-urlencoded");
  EXPECT_EQ(differ.status, 422);
  std::string good =
      "password=Correct-Horse-42&confirm_password=Correct-Horse-42&csrf_token=" + csrf;
  EXPECT_EQ(call("POST", link, "da_bind=" + bind, good, "application/x-www-form-urlencoded").status,
            303);
  auto replay = call("POST", link, "da_bind=" + bind, good, "application/x-www-form-urlencoded");
  EXPECT_EQ(replay.header("location"), "/login?notice=link_expired");
}

TEST_F(PasswordProviderTest, ASetLinkOpensOnlyInTheBrowserThatAskedForIt) {
  std::string bind;
  ASSERT_EQ(post_form("/login/password/reset", "email=bob%40example.com", &bind).status, 200);
  std::string link = link_in_mail(1, "/login/password/set/");
  auto [elsewhere, csrf] = open_form("/login/password");
  EXPECT_EQ(call("GET", link, "da_bind=" + elsewhere).header("location"),
            "/login?notice=link_expired");
  EXPECT_EQ(call("GET", link).header("location"), "/login?notice=link_expired");
  auto stolen =
      call("POST", link, "da_bind=" + elsewhere,
           "password=Correct-Horse-42&confirm_password=Correct-Horse-42&csrf_token=" + csrf,
           "application/x-www-form-urlencoded");
  EXPECT_EQ(stolen.header("location"), "/login?notice=link_expired");
  // The requesting browser can still use it.
  EXPECT_FALSE(open_link(link, bind).empty());
}

TEST_F(PasswordProviderTest, WrongPasswordsLockTheAccountFromThatAddressOnly) {
  set_password("ana@example.com", "Correct-Horse-42");
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(sign_in_with("ana@example.com", "Wrong-Horse-42", "203.0.113.7").status, 401);
  auto locked = sign_in_with("ana@example.com", "Correct-Horse-42", "203.0.113.7");
  EXPECT_EQ(locked.status, 429);
  EXPECT_TRUE(cookie_value(locked, "da_session").empty());
  // Ana, elsewhere, is not locked out by what someone did from 203.0.113.7.
  EXPECT_EQ(sign_in_with("ana@example.com", "Correct-Horse-42", "198.51.100.20").status, 303);
}

TEST_F(PasswordProviderTest, FailuresFromOneClientNeverLockOutEveryone) {
  set_password("ana@example.com", "Correct-Horse-42");
  set_password("bob@example.com", "Battery-Staple-42");
  // 52 failed sign-ins from one client, over many accounts, some of them real.
  int refused = 0;
  for (int i = 0; i < 52; ++i) {
    std::string email =
        i % 3 == 0 ? "bob@example.com" : "user" + std::to_string(i) + "@example.com";
    int status = sign_in_with(email, "Wrong-Horse-42", "203.0.113.7").status;
    EXPECT_TRUE(status == 401 || status == 429) << status;
    refused += status == 429;
  }
  EXPECT_GT(refused, 0);  // that client is slowed down
  // Everyone else signs in, Bob included.
  EXPECT_EQ(sign_in_with("ana@example.com", "Correct-Horse-42", "198.51.100.20").status, 303);
  EXPECT_EQ(sign_in_with("bob@example.com", "Battery-Staple-42", "198.51.100.21").status, 303);
}

TEST_F(PasswordProviderTest, AnswersDoNotTellWhichAddressesHaveAccounts) {
  set_password("ana@example.com", "Correct-Horse-42");
  std::size_t mails = sink_.messages().size();
  auto known = sign_in_with("ana@example.com", "Wrong-Horse-42");
  auto unknown = sign_in_with("nobody@example.com", "Wrong-Horse-42");
  EXPECT_EQ(known.status, unknown.status);
  EXPECT_NE(unknown.body.find("Invalid email or password."), std::string::npos);
  auto outside = post_form("/login/password/reset", "email=mallory%40evil.com");
  auto inside = post_form("/login/password/reset", "email=carol%40example.com");
  EXPECT_EQ(outside.status, 200);
  EXPECT_EQ(inside.status, 200);
  EXPECT_NE(outside.body.find("If <strong>mallory@evil.com</strong> may sign in here"),
            std::string::npos);
  ASSERT_TRUE(sink_.wait_for_message(mails + 1, 5s));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(sink_.messages().size(), mails + 1);  // only carol's
}

TEST_F(PasswordProviderTest, AMailServerFailureShowsNoLinkAndIsVisibleToAdmins) {
  sink_.set_reject_all(true);
  auto reset = post_form("/login/password/reset", "email=ana%40example.com");
  EXPECT_EQ(reset.status, 200);  // answered at once; the mail goes out in the background
  EXPECT_EQ(reset.body.find("/login/password/set/"), std::string::npos);
  auto [bind, csrf] = open_form("/login/email");
  auto magic =
      call("POST", "/login/email/send", "da_bind=" + bind,
           "email=ana%40example.com&csrf_token=" + csrf, "application/x-www-form-urlencoded");
  EXPECT_EQ(magic.status, 200);
  EXPECT_EQ(magic.body.find("/login/email/verify/"), std::string::npos);
  EXPECT_NE(magic.body.find("a sign-in link is on its way"), std::string::npos);

  // The relay refused both: the admin's mail log says so after the first attempt.
  std::string admin = sign_in_admin("root@example.com");
  Json log;
  for (int i = 0; i < 100; ++i) {
    log = Json::parse(call("GET", "/api/admin/mail", admin).body);
    if (log.size() == 2 && log[0]["attempts"] >= 1 && log[1]["attempts"] >= 1) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(log.size(), 2u) << log.dump();
  EXPECT_EQ(log[0]["purpose"], "magic_link");
  EXPECT_EQ(log[1]["purpose"], "password_set");
  EXPECT_EQ(log[1]["to"], "ana@example.com");
  EXPECT_NE(log[0]["last_error"].get<std::string>().find("550"), std::string::npos) << log.dump();
  auto page = call("GET", "/admin/notifications", admin);
  EXPECT_NE(page.body.find("id=\"mail-log\""), std::string::npos);
  EXPECT_EQ(page.body.find("/login/password/set/"), std::string::npos);
}

TEST_F(PasswordProviderTest, AMailedMagicLinkSignsInTheRequestingBrowser) {
  auto [bind, csrf] = open_form("/login/email");
  auto sent =
      call("POST", "/login/email/send", "da_bind=" + bind,
           "email=ana%40example.com&csrf_token=" + csrf, "application/x-www-form-urlencoded");
  EXPECT_EQ(sent.status, 200);
  EXPECT_EQ(sent.body.find("/login/email/verify/"), std::string::npos);  // mailed, not shown
  std::string link = link_in_mail(1, "/login/email/verify/");
  auto verified = call("GET", link, "da_bind=" + bind);
  EXPECT_EQ(verified.header("location"), "/dashboard");
  EXPECT_FALSE(cookie_value(verified, "da_session").empty());
}

class PasswordProviderWithoutProxyTest : public PasswordProviderTest {
 protected:
  std::string server_yaml() const override { return ""; }
};

TEST_F(PasswordProviderWithoutProxyTest, AClientCannotNameItself) {
  set_password("ana@example.com", "Correct-Horse-42");
  for (int i = 0; i < 5; ++i) {
    auto wrong = post_form("/login/password", "email=ana%40example.com&password=Wrong-Horse-42",
                           nullptr, {{"X-Real-IP", "192.0.2." + std::to_string(i)}});
    EXPECT_EQ(wrong.status, 401);
  }
  // Headers from a peer that is no trusted proxy are ignored: all five counted for one client.
  auto locked = post_form("/login/password", "email=ana%40example.com&password=Correct-Horse-42",
                          nullptr, {{"X-Real-IP", "192.0.2.99"}});
  EXPECT_EQ(locked.status, 429);
}

}  // namespace
}  // namespace da::web
