// A fake SMTP relay on 127.0.0.1 that accepts every message and keeps it in memory, so tests
// can read the mail a feature sent (plain SMTP, or STARTTLS when given a certificate; optional
// AUTH PLAIN/LOGIN accepted).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fakes/tls/tls_server.hpp"

namespace da::fakes {

struct CapturedMail {
  std::string mail_from;
  std::vector<std::string> recipients;
  std::string data;  // the message as transmitted (headers + body), dot-unstuffed
  bool over_tls = false;  // the session had switched to TLS (STARTTLS) before MAIL FROM
};

class SmtpSink {
 public:
  // Listens on an ephemeral loopback port and serves in a background thread until destroyed.
  SmtpSink();
  // The same, offering STARTTLS with this PEM certificate and key.
  SmtpSink(const std::filesystem::path& certificate, const std::filesystem::path& key);
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  uint16_t port() const { return port_; }
  std::vector<CapturedMail> messages() const;
  // Waits up to `timeout` for the n-th message (1-based count) to arrive.
  std::optional<CapturedMail> wait_for_message(std::size_t count,
                                               std::chrono::milliseconds timeout) const;
  // Makes the next sessions answer every MAIL FROM with "550 rejected" (delivery failures).
  void set_reject_all(bool reject);
  // Sessions whose TLS handshake failed after STARTTLS (the client refused the certificate).
  int failed_handshakes() const;

 private:
  void listen();
  void serve();
  void handle(int client);

  int listener_ = -1;
  uint16_t port_ = 0;
  bool reject_all_ = false;
  bool stopping_ = false;
  std::unique_ptr<TlsServerContext> tls_;
  int failed_handshakes_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<CapturedMail> messages_;
  std::thread thread_;
};

}  // namespace da::fakes
