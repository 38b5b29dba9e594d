#include "fakes/smtp/smtp_sink.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "da/common/strings.hpp"

namespace da::fakes {

namespace {

// A session that goes quiet for this long is dropped, so a stuck client cannot hang a test.
constexpr auto kIdleLimit = std::chrono::seconds(30);
constexpr int kPollMilliseconds = 50;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("SmtpSink: " + what + ": " + std::strerror(errno));
}

bool starts_with_verb(const std::string& line, std::string_view verb) {
  return line.size() >= verb.size() && to_lower(line.substr(0, verb.size())) == to_lower(verb);
}

// The address between the angle brackets of "MAIL FROM:<a@b> SIZE=10".
std::string bracketed(const std::string& line) {
  auto open = line.find('<');
  auto close = line.find('>', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos)
    return std::string(trim(line.substr(line.find(':') + 1)));
  return line.substr(open + 1, close - open - 1);
}

class Connection {
 public:
  Connection(int fd, const bool& stopping, std::mutex& mutex)
      : fd_(fd), stopping_(stopping), mutex_(mutex) {}

  // The next line without its CRLF, or nullopt when the peer left, went idle or the sink stops.
  std::optional<std::string> read_line() {
    auto idle_since = std::chrono::steady_clock::now();
    while (true) {
      if (auto end = buffer_.find("\r\n"); end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return line;
      }
      if (stopping() || std::chrono::steady_clock::now() - idle_since > kIdleLimit)
        return std::nullopt;
      if (!tls_ || !tls_->pending()) {
        pollfd poll_fd{fd_, POLLIN, 0};
        int ready = ::poll(&poll_fd, 1, kPollMilliseconds);
        if (ready < 0 && errno != EINTR) return std::nullopt;
        if (ready <= 0) continue;
      }
      char chunk[4096];
      ssize_t n = tls_ ? tls_->read(chunk, sizeof chunk) : ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
      idle_since = std::chrono::steady_clock::now();
    }
  }

  void reply(std::string_view text) {
    std::string data = std::string(text) + "\r\n";
    if (tls_) {
      tls_->write(data);
      return;
    }
    for (std::size_t sent = 0; sent < data.size();) {
      ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  // Switches the session to TLS (after "220 Ready to start TLS"). What the client sent in
  // plain text after STARTTLS is dropped, as RFC 3207 requires. False when the handshake failed.
  bool start_tls(const TlsServerContext& context) {
    buffer_.clear();
    tls_ = context.accept(fd_);
    return tls_ != nullptr;
  }
  bool over_tls() const { return tls_ != nullptr; }

 private:
  bool stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
  }

  int fd_;
  const bool& stopping_;
  std::mutex& mutex_;
  std::string buffer_;
  std::unique_ptr<TlsSession> tls_;
};

// Reads the DATA section up to the lone "." line and undoes the sender's dot-stuffing.
std::optional<std::string> read_data(Connection& connection) {
  std::string data;
  while (auto line = connection.read_line()) {
    if (*line == ".") return data;
    data += (line->rfind('.', 0) == 0 ? line->substr(1) : *line) + "\r\n";
  }
  return std::nullopt;
}

bool authenticate(Connection& connection, const std::string& line) {
  std::vector<std::string> words = split_trimmed(line, ' ');
  std::string mechanism = words.size() > 1 ? to_lower(words[1]) : "";
  bool has_initial_response = words.size() > 2;
  if (mechanism == "plain") {
    if (!has_initial_response) {
      connection.reply("334 ");
      if (!connection.read_line()) return false;
    }
  } else if (mechanism == "login") {
    if (!has_initial_response) {
      connection.reply("334 VXNlcm5hbWU6");  // "Username:"
      if (!connection.read_line()) return false;
    }
    connection.reply("334 UGFzc3dvcmQ6");  // "Password:"
    if (!connection.read_line()) return false;
  } else {
    connection.reply("504 5.5.4 unrecognized authentication type");
    return true;
  }
  connection.reply("235 2.7.0 Authentication successful");
  return true;
}

// Every command but MAIL FROM, STARTTLS and an accepted DATA; false when the session is over.
bool answer(Connection& connection, const std::string& line, std::optional<CapturedMail>& mail,
            bool offers_tls) {
  if (starts_with_verb(line, "EHLO")) {
    connection.reply(std::string("250-smtp-sink greets you\r\n") +
                     (offers_tls && !connection.over_tls() ? "250-STARTTLS\r\n" : "") +
                     "250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 10485760");
  } else if (starts_with_verb(line, "HELO")) {
    connection.reply("250 smtp-sink");
  } else if (starts_with_verb(line, "AUTH")) {
    return authenticate(connection, line);
  } else if (starts_with_verb(line, "RCPT TO:")) {
    if (mail) mail->recipients.push_back(bracketed(line));
    connection.reply(mail ? "250 2.1.5 OK" : "503 5.5.1 MAIL first");
  } else if (starts_with_verb(line, "DATA")) {
    connection.reply("503 5.5.1 RCPT first");
  } else if (starts_with_verb(line, "RSET")) {
    mail.reset();
    connection.reply("250 2.0.0 OK");
  } else if (starts_with_verb(line, "NOOP")) {
    connection.reply("250 2.0.0 OK");
  } else if (starts_with_verb(line, "QUIT")) {
    connection.reply("221 2.0.0 Bye");
    return false;
  } else {
    connection.reply("502 5.5.2 command not recognized");
  }
  return true;
}

}  // namespace

SmtpSink::SmtpSink() {
  listen();
}

SmtpSink::SmtpSink(const std::filesystem::path& certificate, const std::filesystem::path& key)
    : tls_(std::make_unique<TlsServerContext>(certificate, key)) {
  listen();
}

void SmtpSink::listen() {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) fail("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    int saved = errno;
    ::close(listener_);
    errno = saved;
    fail("listening on 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

SmtpSink::~SmtpSink() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  // Wakes the blocked accept(); a session in progress sees stopping_ at its next poll.
  ::shutdown(listener_, SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
  ::close(listener_);
}

std::vector<CapturedMail> SmtpSink::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

std::optional<CapturedMail> SmtpSink::wait_for_message(std::size_t count,
                                                       std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  if (count == 0 || !arrived_.wait_for(lock, timeout, [&] { return messages_.size() >= count; }))
    return std::nullopt;
  return messages_[count - 1];
}

void SmtpSink::set_reject_all(bool reject) {
  std::lock_guard lock(mutex_);
  reject_all_ = reject;
}

int SmtpSink::failed_handshakes() const {
  std::lock_guard lock(mutex_);
  return failed_handshakes_;
}

void SmtpSink::serve() {
  while (true) {
    int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        if (client >= 0) ::close(client);
        return;
      }
    }
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    handle(client);
    ::close(client);
  }
}

void SmtpSink::handle(int client) {
  Connection connection(client, stopping_, mutex_);
  connection.reply("220 smtp-sink ESMTP ready");
  std::optional<CapturedMail> mail;
  while (auto line = connection.read_line()) {
    if (starts_with_verb(*line, "MAIL FROM:")) {
      std::lock_guard lock(mutex_);
      mail = reject_all_
                 ? std::nullopt
                 : std::optional(CapturedMail{bracketed(*line), {}, {}, connection.over_tls()});
      connection.reply(reject_all_ ? "550 rejected" : "250 2.1.0 OK");
    } else if (starts_with_verb(*line, "DATA") && mail && !mail->recipients.empty()) {
      connection.reply("354 End data with <CR><LF>.<CR><LF>");
      auto data = read_data(connection);
      if (!data) return;
      mail->data = std::move(*data);
      {
        std::lock_guard lock(mutex_);
        messages_.push_back(std::move(*mail));
      }
      arrived_.notify_all();
      mail.reset();
      connection.reply("250 2.0.0 OK queued");
    } else if (starts_with_verb(*line, "STARTTLS") && tls_ && !connection.over_tls()) {
      connection.reply("220 2.0.0 Ready to start TLS");
      mail.reset();
      if (!connection.start_tls(*tls_)) {
        std::lock_guard lock(mutex_);
        ++failed_handshakes_;
        return;
      }
    } else if (!answer(connection, *line, mail, tls_ != nullptr)) {
      return;
    }
  }
}

}  // namespace da::fakes
