// The password and magic-link providers end to end with real mail: both enabled at once (their
// routes must not collide), SMTP pointed at the in-process sink.
#include "fakes/smtp/mail_reader.hpp"
#include "fakes/smtp/smtp_sink.hpp"
#include "portal_fixture.hpp"

namespace da::web {
namespace {

using namespace std::chrono_literals;

class PasswordProviderTest : public PortalFixture {
 protected:
  std::string auth_yaml() const override { return "  password: {enabled: true}\n"; }
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

  net::HttpResponse post_form(const std::string& path, const std::string& fields) {
    auto [bind, csrf] = open_form(path);
    return call("POST", path, "da_bind=" + bind, fields + "&csrf_token=" + csrf,
                "application/x-www-form-urlencoded");
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

  net::HttpResponse sign_in_with(const std::string& email, const std::string& password) {
    return post_form("/login/password",
                     "email=" + net::url_encode(email) + "&password=" + net::url_encode(password));
  }

  void set_password(const std::string& email, const std::string& password) {
    ASSERT_EQ(post_form("/login/password/reset", "email=" + net::url_encode(email)).status, 200);
    std::string link = link_in_mail(sink_.messages().size(), "/login/password/set/");
    auto [bind, csrf] = open_form(link);
    std::string fields = "password=" + net::url_encode(password) +
                         "&confirm_password=" + net::url_encode(password) + "&csrf_token=" + csrf;
    auto set = call("POST", link, "da_bind=" + bind, fields, "application/x-www-form-urlencoded");
    ASSERT_EQ(set.status, 303) << set.body;
    ASSERT_EQ(set.header("location"), "/login/password?notice=password_set");
  }

  fakes::SmtpSink sink_;
};

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
  ASSERT_EQ(post_form("/login/password/reset", "email=bob%40example.com").status, 200);
  std::string link = link_in_mail(1, "/login/password/set/");
  auto [bind, csrf] = open_form(link);
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

TEST_F(PasswordProviderTest, WrongPasswordsLockTheAddressEvenForTheRightPassword) {
  set_password("ana@example.com", "Correct-Horse-42");
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(sign_in_with("ana@example.com", "Wrong-Horse-42").status, 401);
  auto locked = sign_in_with("ana@example.com", "Correct-Horse-42");
  EXPECT_EQ(locked.status, 429);
  EXPECT_TRUE(cookie_value(locked, "da_session").empty());
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

TEST_F(PasswordProviderTest, AMailServerFailureIsReportedAndShowsNoLink) {
  sink_.set_reject_all(true);
  auto reset = post_form("/login/password/reset", "email=ana%40example.com");
  EXPECT_EQ(reset.status, 502);
  EXPECT_EQ(reset.body.find("/login/password/set/"), std::string::npos);
  auto [bind, csrf] = open_form("/login/email");
  auto magic =
      call("POST", "/login/email/send", "da_bind=" + bind,
           "email=ana%40example.com&csrf_token=" + csrf, "application/x-www-form-urlencoded");
  EXPECT_EQ(magic.status, 502);
  EXPECT_EQ(magic.body.find("/login/email/verify/"), std::string::npos);
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

}  // namespace
}  // namespace da::web
