#include "fakes/tls/tls_terminator.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace da::fakes {

namespace {

constexpr int kPollMilliseconds = 50;

sockaddr_in loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  return address;
}

bool send_all(int fd, const char* data, std::size_t size) {
  for (std::size_t sent = 0; sent < size;) {
    ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

TlsTerminator::TlsTerminator(const std::filesystem::path& certificate,
                             const std::filesystem::path& key, uint16_t backend_port)
    : tls_(certificate, key), backend_port_(backend_port) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof address;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listener_, 64) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::string reason = std::strerror(errno);
    if (listener_ >= 0) ::close(listener_);
    throw std::runtime_error("TlsTerminator: cannot listen on 127.0.0.1: " + reason);
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

TlsTerminator::~TlsTerminator() {
  stopping_ = true;
  thread_.join();
  for (std::thread& connection : connections_)
    connection.join();
  ::close(listener_);
}

void TlsTerminator::serve() {
  while (!stopping_) {
    pollfd listening{listener_, POLLIN, 0};
    if (::poll(&listening, 1, kPollMilliseconds) <= 0) continue;
    int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::lock_guard lock(mutex_);
    connections_.emplace_back([this, client] {
      relay(client);
      ::close(client);
    });
  }
}

void TlsTerminator::relay(int client) {
  std::unique_ptr<TlsSession> session = tls_.accept(client);
  if (!session) {
    ++failed_handshakes_;
    return;
  }
  int backend = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address = loopback(backend_port_);
  if (backend < 0 ||
      ::connect(backend, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    if (backend >= 0) ::close(backend);
    return;
  }
  char buffer[1 << 16];
  while (!stopping_) {
    pollfd fds[2] = {{client, POLLIN, 0}, {backend, POLLIN, 0}};
    if (!session->pending() && ::poll(fds, 2, kPollMilliseconds) <= 0) continue;
    if (session->pending() || (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = session->read(buffer, sizeof buffer);
      if (n <= 0 || !send_all(backend, buffer, static_cast<std::size_t>(n))) break;
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::recv(backend, buffer, sizeof buffer, 0);
      if (n <= 0 || !session->write(std::string_view(buffer, static_cast<std::size_t>(n)))) break;
    }
  }
  ::close(backend);
}

}  // namespace da::fakes
