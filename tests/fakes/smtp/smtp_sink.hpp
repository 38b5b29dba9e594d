// A fake SMTP relay on 127.0.0.1 that accepts every message and keeps it in memory, so tests
// can read the mail a feature sent (plain SMTP, no TLS, optional AUTH PLAIN/LOGIN accepted).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace da::fakes {

struct CapturedMail {
  std::string mail_from;
  std::vector<std::string> recipients;
  std::string data;  // the message as transmitted (headers + body), dot-unstuffed
};

class SmtpSink {
 public:
  // Listens on an ephemeral loopback port and serves in a background thread until destroyed.
  SmtpSink();
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

 private:
  void serve();
  void handle(int client);

  int listener_ = -1;
  uint16_t port_ = 0;
  bool reject_all_ = false;
  bool stopping_ = false;
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<CapturedMail> messages_;
  std::thread thread_;
};

}  // namespace da::fakes
