#include "fakes/tls/tls_server.hpp"

#include <stdexcept>
#include <string>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace da::fakes {

TlsSession::~TlsSession() {
  SSL_shutdown(ssl_);
  SSL_free(ssl_);
}

ssize_t TlsSession::read(char* buffer, std::size_t size) {
  std::size_t got = 0;
  if (SSL_read_ex(ssl_, buffer, size, &got) == 1) return static_cast<ssize_t>(got);
  return SSL_get_error(ssl_, 0) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

bool TlsSession::write(std::string_view data) {
  std::size_t written = 0;
  return data.empty() ||
         (SSL_write_ex(ssl_, data.data(), data.size(), &written) == 1 && written == data.size());
}

bool TlsSession::pending() const {
  return SSL_pending(ssl_) > 0;
}

TlsServerContext::TlsServerContext(const std::filesystem::path& certificate,
                                   const std::filesystem::path& key) {
  context_ = SSL_CTX_new(TLS_server_method());
  if (context_ == nullptr ||
      SSL_CTX_use_certificate_chain_file(context_, certificate.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(context_, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    SSL_CTX_free(context_);
    throw std::runtime_error("TLS fake: cannot load " + certificate.string() + " and " +
                             key.string());
  }
  SSL_CTX_set_mode(context_, SSL_MODE_AUTO_RETRY);
}

TlsServerContext::~TlsServerContext() {
  SSL_CTX_free(context_);
}

std::unique_ptr<TlsSession> TlsServerContext::accept(int fd) const {
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  SSL* ssl = SSL_new(context_);
  if (ssl == nullptr) return nullptr;
  if (SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1) {
    ERR_clear_error();
    SSL_free(ssl);
    return nullptr;
  }
  return std::make_unique<TlsSession>(ssl);
}

}  // namespace da::fakes
