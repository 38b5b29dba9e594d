#include "da/net/smtp_client.hpp"

#include <regex>
#include <thread>

#include "fakes/smtp/mail_reader.hpp"
#include "fakes/smtp/smtp_sink.hpp"
#include "fakes/tls/test_pki.hpp"
#include "support/expect_error.hpp"
#include "support/temp_dir.hpp"
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "da/common/crypto.hpp"
#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::net {
namespace {

using fakes::base64_decode;
using fakes::decode_words;
using fakes::decoded_part;
using fakes::Mail;
using fakes::parse_mail;

using namespace std::chrono_literals;

constexpr char kPassword[] = "hunter2-Secret";

SmtpSettings sink_settings(const fakes::SmtpSink& sink) {
  SmtpSettings settings;
  settings.host = "127.0.0.1";
  settings.port = sink.port();
  settings.use_tls = false;
  settings.from_address = "noreply@da.example";
  settings.from_name = "Data Analyst";
  settings.timeout = 5s;
  return settings;
}

fakes::CapturedMail deliver(fakes::SmtpSink& sink, const SmtpSettings& settings,
                            const MailMessage& message, std::size_t count = 1) {
  SmtpClient(settings).send(message);
  auto captured = sink.wait_for_message(count, 5s);
  if (!captured) throw std::runtime_error("the sink received no message");
  return *captured;
}

// The message of the Error(kSource) that `call` throws.
template <typename Call>
std::string source_error(Call call) {
  return testing::thrown_message(ErrorKind::kSource, call);
}

uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// --- delivery -------------------------------------------------------------------------------

TEST(SmtpClient, DeliversAPlainTextMail) {
  fakes::SmtpSink sink;
  MailMessage message{"alice@example.com", "Your sign-in link",
                      "Hello Alice,\r\nclick the link.\r\n", ""};
  auto captured = deliver(sink, sink_settings(sink), message);
  EXPECT_EQ(captured.mail_from, "noreply@da.example");
  EXPECT_EQ(captured.recipients, std::vector<std::string>{"alice@example.com"});
  Mail mail = parse_mail(captured.data);
  EXPECT_EQ(mail.header("From"), "Data Analyst <noreply@da.example>");
  EXPECT_EQ(mail.header("To"), "<alice@example.com>");
  EXPECT_EQ(mail.header("Subject"), "Your sign-in link");
  EXPECT_EQ(mail.header("MIME-Version"), "1.0");
  EXPECT_EQ(mail.header("Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_TRUE(std::regex_match(mail.header("Message-ID"),
                               std::regex(R"(<[A-Za-z0-9_-]{16,}@da\.example>)")))
      << mail.header("Message-ID");
  EXPECT_TRUE(std::regex_match(mail.header("Date"),
                               std::regex(R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} )"
                                          R"((Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) )"
                                          R"(\d{4} \d\d:\d\d:\d\d \+0000)")))
      << mail.header("Date");
  EXPECT_EQ(decoded_part(mail, "text/plain"), message.text_body);
}

TEST(SmtpClient, DeliversAnHtmlMailAsMultipartAlternative) {
  fakes::SmtpSink sink;
  MailMessage message{"bob@example.com", "Welcome", "Welcome, Bob.\r\n",
                      "<p>Welcome, <b>Bob</b>.</p>\r\n"};
  Mail mail = parse_mail(deliver(sink, sink_settings(sink), message).data);
  EXPECT_EQ(mail.header("Content-Type").rfind("multipart/alternative; boundary=", 0), 0u);
  EXPECT_EQ(decoded_part(mail, "text/plain"), message.text_body);
  EXPECT_EQ(decoded_part(mail, "text/html"), message.html_body);
}

TEST(SmtpClient, EncodesANonAsciiSubjectAndSenderName) {
  fakes::SmtpSink sink;
  SmtpSettings settings = sink_settings(sink);
  settings.from_name = "Zoë Analytická";
  MailMessage message{"carol@example.com", "Přihlášení do portálu — 東京", "Dobrý den 👋\r\n", ""};
  auto captured = deliver(sink, settings, message);
  EXPECT_TRUE(std::all_of(captured.data.begin(), captured.data.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x80;
  })) << "a mail without 8BITMIME must be 7-bit";
  Mail mail = parse_mail(captured.data);
  EXPECT_EQ(mail.header("Subject").rfind("=?UTF-8?B?", 0), 0u) << mail.header("Subject");
  EXPECT_EQ(decode_words(mail.header("Subject")), message.subject);
  std::string from = mail.header("From");
  EXPECT_TRUE(from.ends_with(" <noreply@da.example>")) << from;
  EXPECT_EQ(decode_words(from.substr(0, from.find(" <"))), settings.from_name);
  EXPECT_EQ(decoded_part(mail, "text/plain"), message.text_body);
}

TEST(SmtpClient, DeliversSeveralMailsInTurn) {
  fakes::SmtpSink sink;
  SmtpSettings settings = sink_settings(sink);
  deliver(sink, settings, {"one@example.com", "First", "1", ""}, 1);
  auto second = deliver(sink, settings, {"two@example.com", "Second", "2", ""}, 2);
  EXPECT_EQ(second.recipients, std::vector<std::string>{"two@example.com"});
  EXPECT_EQ(sink.messages().size(), 2u);
  EXPECT_EQ(parse_mail(sink.messages()[0].data).header("Subject"), "First");
}

TEST(SmtpClient, AuthenticatesWhenAUserIsSet) {
  fakes::SmtpSink sink;
  SmtpSettings settings = sink_settings(sink);
  settings.user = "mailer";
  settings.password = kPassword;
  auto captured = deliver(sink, settings, {"dave@example.com", "Hi", "text", ""});
  EXPECT_EQ(captured.recipients, std::vector<std::string>{"dave@example.com"});
  EXPECT_EQ(captured.data.find(kPassword), std::string::npos);
}

// --- failures -------------------------------------------------------------------------------

TEST(SmtpClient, RejectedSenderThrowsSourceErrorWithoutThePassword) {
  fakes::SmtpSink sink;
  sink.set_reject_all(true);
  SmtpSettings settings = sink_settings(sink);
  settings.user = "mailer";
  settings.password = kPassword;
  std::string message = source_error([&] {
    SmtpClient(settings).send({"eve@example.com", "Hi", "x", ""});
  });
  EXPECT_EQ(message.rfind("SMTP 127.0.0.1:" + std::to_string(sink.port()) + ": ", 0), 0u)
      << message;
  EXPECT_NE(message.find("550 rejected"), std::string::npos) << message;  // the server's own words
  EXPECT_EQ(message.find(kPassword), std::string::npos) << message;
  EXPECT_EQ(message.find(base64_encode(std::string("\0mailer\0", 8) + kPassword)),
            std::string::npos);
  EXPECT_TRUE(sink.messages().empty());
}

TEST(SmtpClient, ClosedPortThrowsSourceError) {
  SmtpSettings settings;
  settings.host = "127.0.0.1";
  settings.port = closed_port();
  settings.use_tls = false;
  settings.from_address = "noreply@da.example";
  settings.user = "mailer";
  settings.password = kPassword;
  settings.timeout = 5s;
  std::string message = source_error([&] {
    SmtpClient(settings).send({"x@example.com", "Hi", "x", ""});
  });
  EXPECT_EQ(message.rfind("SMTP 127.0.0.1:" + std::to_string(settings.port) + ": ", 0), 0u)
      << message;
  EXPECT_EQ(message.find(kPassword), std::string::npos) << message;
}

TEST(SmtpClient, RequiresStartTlsWhenTlsIsAsked) {
  fakes::SmtpSink sink;  // plain SMTP only: it never offers STARTTLS
  SmtpSettings settings = sink_settings(sink);
  settings.use_tls = true;
  source_error([&] { SmtpClient(settings).send({"x@example.com", "Hi", "x", ""}); });
  EXPECT_TRUE(sink.messages().empty());
}

TEST(SmtpClient, RefusesARecipientThatCouldInjectCommands) {
  fakes::SmtpSink sink;
  for (const char* to : {"a@example.com>\r\nRCPT TO:<b@example.com", "two@x.com, three@x.com",
                         "no-at-sign", "", "a b@example.com"}) {
    try {
      SmtpClient(sink_settings(sink)).send({to, "Hi", "x", ""});
      ADD_FAILURE() << "accepted " << to;
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kData) << to;
    }
  }
  EXPECT_TRUE(sink.messages().empty());
}

// --- format_mail ----------------------------------------------------------------------------

SmtpSettings format_settings() {
  SmtpSettings settings;
  settings.host = "smtp.example";
  settings.from_address = "noreply@da.example";
  settings.from_name = "Data Analyst";
  return settings;
}

TEST(SmtpClient, FormatsWithCrlfLineEndingsAndShortBodyLines) {
  std::string long_text;
  for (int i = 0; i < 200; ++i)
    long_text += "line " + std::to_string(i) + " of a long mail\n";
  std::string mail =
      format_mail(format_settings(), {"a@example.com", "Report", long_text, "<p>x</p>"});
  std::size_t bare_lf = 0;
  for (std::size_t i = 0; i < mail.size(); ++i)
    if (mail[i] == '\n' && (i == 0 || mail[i - 1] != '\r')) ++bare_lf;
  EXPECT_EQ(bare_lf, 0u);
  for (const std::string& line : split(mail, '\n'))
    EXPECT_LE(line.size(), 78u) << line;
  // The text is transmitted in canonical form: LF line breaks become CRLF.
  EXPECT_EQ(decoded_part(parse_mail(mail), "text/plain"), replace_all(long_text, "\n", "\r\n"));
}

TEST(SmtpClient, SplitsALongNonAsciiSubjectIntoShortEncodedWords) {
  std::string subject;
  for (int i = 0; i < 40; ++i)
    subject += "Čtvrtletní přehled ";
  Mail mail = parse_mail(format_mail(format_settings(), {"a@example.com", subject, "x", ""}));
  EXPECT_EQ(decode_words(mail.header("Subject")), subject);
  // Each word must decode to whole characters on its own (RFC 2047 §5).
  std::regex word(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=)");
  std::string header = mail.header("Subject");
  int words = 0;
  for (std::sregex_iterator it(header.begin(), header.end(), word), end; it != end; ++it, ++words)
    EXPECT_TRUE(is_valid_utf8(base64_decode((*it)[1].str()))) << (*it)[0];
  EXPECT_GT(words, 10);
  std::string raw = format_mail(format_settings(), {"a@example.com", subject, "x", ""});
  for (const std::string& line : split(raw, '\n'))
    EXPECT_LE(line.size(), 78u) << line;
}

TEST(SmtpClient, EncodesLineBreaksInHeadersInsteadOfPassingThemOn) {
  SmtpSettings settings = format_settings();
  settings.from_name = "Eve\r\nBcc: victim@example.com";
  std::string raw =
      format_mail(settings, {"a@example.com", "Hi\r\nBcc: victim@example.com", "x", ""});
  EXPECT_EQ(raw.find("\nBcc:"), std::string::npos) << raw;
  Mail mail = parse_mail(raw);
  EXPECT_EQ(decode_words(mail.header("Subject")), "Hi\r\nBcc: victim@example.com");
}

TEST(SmtpClient, QuotesASenderNameWithSpecialCharacters) {
  SmtpSettings settings = format_settings();
  settings.from_name = "Analysts, \"Data\" Team";
  Mail mail = parse_mail(format_mail(settings, {"a@example.com", "Hi", "x", ""}));
  EXPECT_EQ(mail.header("From"), R"("Analysts, \"Data\" Team" <noreply@da.example>)");
  settings.from_name.clear();
  EXPECT_EQ(parse_mail(format_mail(settings, {"a@example.com", "Hi", "x", ""})).header("From"),
            "<noreply@da.example>");
}

TEST(SmtpClient, RefusesAnInvalidSenderAddressAsConfiguration) {
  SmtpSettings settings = format_settings();
  settings.from_address = "noreply@da.example>\r\nRCPT TO:<x@y.z";
  try {
    format_mail(settings, {"a@example.com", "Hi", "x", ""});
    ADD_FAILURE() << "accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kConfig);
  }
}

TEST(SmtpClient, GivesEveryMailItsOwnMessageId) {
  MailMessage message{"a@example.com", "Hi", "x", ""};
  EXPECT_NE(parse_mail(format_mail(format_settings(), message)).header("Message-ID"),
            parse_mail(format_mail(format_settings(), message)).header("Message-ID"));
}

// --- the fake relay itself ------------------------------------------------------------------

// A hand-driven SMTP session, to see exactly what the sink answers.
class RawSession {
 public:
  explicit RawSession(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error("cannot connect to the sink");
  }
  ~RawSession() { ::close(fd_); }

  // The next complete reply (all lines of a multi-line one).
  std::string reply() {
    while (true) {
      auto end = buffer_.find("\r\n");
      for (std::size_t start = 0; end != std::string::npos; end = buffer_.find("\r\n", start)) {
        if (end - start >= 4 && buffer_[start + 3] == ' ') {
          std::string text = buffer_.substr(0, end);
          buffer_.erase(0, end + 2);
          return text;
        }
        start = end + 2;
      }
      char chunk[1024];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return buffer_;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  std::string command(std::string_view line) {
    std::string data = std::string(line) + "\r\n";
    ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    return reply();
  }

 private:
  int fd_;
  std::string buffer_;
};

TEST(SmtpSink, SpeaksEnoughSmtpAndUnstuffsDots) {
  fakes::SmtpSink sink;
  RawSession session(sink.port());
  EXPECT_EQ(session.reply().substr(0, 4), "220 ");
  std::string ehlo = session.command("EHLO client.example");
  EXPECT_NE(ehlo.find("250-AUTH PLAIN LOGIN"), std::string::npos) << ehlo;
  EXPECT_EQ(session.command("AUTH LOGIN").substr(0, 4), "334 ");
  EXPECT_EQ(session.command(base64_encode("mailer")).substr(0, 4), "334 ");
  EXPECT_EQ(session.command(base64_encode(kPassword)).substr(0, 4), "235 ");
  EXPECT_EQ(session.command("NOOP").substr(0, 4), "250 ");
  EXPECT_EQ(session.command("MAIL FROM:<dropped@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(session.command("RSET").substr(0, 4), "250 ");
  EXPECT_EQ(session.command("MAIL FROM:<from@example.com> SIZE=100").substr(0, 4), "250 ");
  EXPECT_EQ(session.command("RCPT TO:<one@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(session.command("RCPT TO:<two@example.com>").substr(0, 4), "250 ");
  EXPECT_EQ(session.command("DATA").substr(0, 4), "354 ");
  EXPECT_EQ(session.command("Subject: dots\r\n\r\n..starts with a dot\r\nplain\r\n.").substr(0, 4),
            "250 ");
  EXPECT_EQ(session.command("QUIT").substr(0, 4), "221 ");
  auto mail = sink.wait_for_message(1, 5s);
  ASSERT_TRUE(mail);
  EXPECT_EQ(mail->mail_from, "from@example.com");
  EXPECT_EQ(mail->recipients, (std::vector<std::string>{"one@example.com", "two@example.com"}));
  EXPECT_EQ(mail->data, "Subject: dots\r\n\r\n.starts with a dot\r\nplain\r\n");
}

TEST(SmtpSink, RejectsEverySenderWhenAsked) {
  fakes::SmtpSink sink;
  sink.set_reject_all(true);
  RawSession session(sink.port());
  session.reply();
  EXPECT_EQ(session.command("HELO client.example").substr(0, 4), "250 ");
  EXPECT_EQ(session.command("MAIL FROM:<from@example.com>"), "550 rejected");
  EXPECT_EQ(session.command("RCPT TO:<one@example.com>").substr(0, 1), "5");
}

TEST(SmtpSink, StopsPromptlyWhileAClientIsConnected) {
  auto sink = std::make_unique<fakes::SmtpSink>();
  RawSession session(sink->port());
  EXPECT_EQ(session.reply().substr(0, 4), "220 ");
  auto start = std::chrono::steady_clock::now();
  sink.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(SmtpSink, WaitForMessageTimesOutWhenNothingArrives) {
  fakes::SmtpSink sink;
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(sink.wait_for_message(1, 100ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 100ms);
}

// A relay whose certificate a private CA signed (made for the test), speaking STARTTLS.
class SmtpPrivateCa : public ::testing::Test {
 protected:
  SmtpSettings settings() const {
    SmtpSettings settings = sink_settings(sink_);
    settings.use_tls = true;
    return settings;
  }
  MailMessage message() const { return {"ana@example.com", "Hello", "Over TLS.", ""}; }

  da::testing::TempDir dir_;
  fakes::TestPki pki_ = fakes::make_test_pki(dir_ / "pki");
  fakes::SmtpSink sink_{pki_.server_cert, pki_.server_key};
};

TEST_F(SmtpPrivateCa, WithoutItsCaTheRelayIsRefusedNamingTheCertificateProblem) {
  std::string error = source_error([&] { SmtpClient(settings()).send(message()); });
  EXPECT_NE(error.find("SSL certificate problem"), std::string::npos) << error;
  EXPECT_NE(error.find("checked against the system's CA certificates"), std::string::npos) << error;
  // The relay sees the client give up during the handshake (a moment after the client returns).
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (sink_.failed_handshakes() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(sink_.failed_handshakes(), 1);
  EXPECT_TRUE(sink_.messages().empty());
}

TEST_F(SmtpPrivateCa, WithItsCaFileTheMailIsDeliveredOverTls) {
  SmtpSettings trusted = settings();
  trusted.ca_file = pki_.ca_cert;
  fakes::CapturedMail mail = deliver(sink_, trusted, message());
  EXPECT_TRUE(mail.over_tls);
  EXPECT_EQ(mail.recipients, std::vector<std::string>{"ana@example.com"});
}

TEST_F(SmtpPrivateCa, AMissingCaFileIsAConfigurationErrorNamingThePath) {
  SmtpSettings missing = settings();
  missing.ca_file = dir_ / "nowhere.pem";
  std::string error =
      testing::thrown_message(ErrorKind::kConfig, [&] { SmtpClient(missing).send(message()); });
  EXPECT_NE(error.find((dir_ / "nowhere.pem").string() + " does not exist"), std::string::npos)
      << error;
  EXPECT_EQ(sink_.failed_handshakes(), 0);
}

}  // namespace
}  // namespace da::net
