// The server side of TLS for fakes (OpenSSL): a context with a certificate and its key, and
// sessions over already connected sockets, so a plain fake can switch to TLS (STARTTLS) or
// end TLS in front of another server.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

#include <sys/types.h>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace da::fakes {

class TlsSession {
 public:
  explicit TlsSession(SSL* ssl) : ssl_(ssl) {}
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Bytes read (> 0), 0 when the peer closed, < 0 on an error.
  ssize_t read(char* buffer, std::size_t size);
  // Sends all of `data`; false when the connection failed.
  bool write(std::string_view data);
  // True when decrypted bytes wait inside TLS, so polling the socket would not show them.
  bool pending() const;

 private:
  SSL* ssl_;
};

class TlsServerContext {
 public:
  // Loads a PEM certificate (chain) and its private key. Throws std::runtime_error.
  TlsServerContext(const std::filesystem::path& certificate, const std::filesystem::path& key);
  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  // Runs the server handshake on the connected socket `fd` (which stays owned by the caller;
  // reads give up after 5 s of silence). Null when the handshake failed, as when the client
  // does not trust the certificate.
  std::unique_ptr<TlsSession> accept(int fd) const;

 private:
  SSL_CTX* context_ = nullptr;
};

}  // namespace da::fakes
