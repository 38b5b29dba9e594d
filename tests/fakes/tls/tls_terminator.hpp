// TLS in front of a plain loopback server, as nginx stands in front of the portal: accepts TLS
// connections on an ephemeral 127.0.0.1 port with a given certificate and relays their bytes
// to 127.0.0.1:<backend port>.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "fakes/tls/tls_server.hpp"

namespace da::fakes {

class TlsTerminator {
 public:
  // Serves in background threads until destroyed. Throws std::runtime_error.
  TlsTerminator(const std::filesystem::path& certificate, const std::filesystem::path& key,
                uint16_t backend_port);
  ~TlsTerminator();
  TlsTerminator(const TlsTerminator&) = delete;
  TlsTerminator& operator=(const TlsTerminator&) = delete;

  uint16_t port() const { return port_; }
  // Connections whose client gave up during the handshake (e.g. it refused the certificate).
  int failed_handshakes() const { return failed_handshakes_; }

 private:
  void serve();
  void relay(int client);

  TlsServerContext tls_;
  uint16_t backend_port_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> failed_handshakes_{0};
  std::mutex mutex_;
  std::vector<std::thread> connections_;
  std::thread thread_;
};

}  // namespace da::fakes
