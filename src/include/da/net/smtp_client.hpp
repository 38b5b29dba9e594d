// Sends mail over SMTP with libcurl: port 465 uses implicit TLS, other ports STARTTLS when
// `use_tls` (required, not opportunistic), plain SMTP otherwise (local relays, tests).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>

namespace da::net {

struct SmtpSettings {
  std::string host;
  int port = 587;
  std::string user;      // empty: no AUTH
  std::string password;
  bool use_tls = true;
  // PEM file of further CAs that may sign the relay's certificate (a private CA; see
  // da/net/ca_file.hpp); empty: the system's CAs only.
  std::filesystem::path ca_file;
  std::string from_address;
  std::string from_name;
  std::chrono::milliseconds timeout{15'000};
};

struct MailMessage {
  std::string to;         // one address
  std::string subject;    // UTF-8; encoded as RFC 2047 when not ASCII
  std::string text_body;  // text/plain part
  std::string html_body;  // text/html part; empty: a plain text mail
};

class SmtpClient {
 public:
  explicit SmtpClient(SmtpSettings settings) : settings_(std::move(settings)) {}
  // Delivers `message` to the relay. Throws Error(kSource) with the server's reply or
  // curl's reason (never the password), Error(kConfig) when `ca_file` is unusable.
  void send(const MailMessage& message) const;
  const SmtpSettings& settings() const { return settings_; }

 private:
  SmtpSettings settings_;
};

// The RFC 5322 message (headers + MIME body) that send() transmits; exposed for tests.
std::string format_mail(const SmtpSettings& settings, const MailMessage& message);

}  // namespace da::net
