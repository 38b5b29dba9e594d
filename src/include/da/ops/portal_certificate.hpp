// The TLS certificate the portal is served with, for `da status`: the file named by
// server.tls_cert, else the ssl_certificate files of the nginx sites that pass requests to the
// portal (webapp-setup.sh writes such a site).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "da/common/time.hpp"

namespace da::ops {

struct CertificateInfo {
  std::filesystem::path file;
  std::string subject;  // e.g. "CN=data.example.com"
  Timestamp not_after;
};

// The first certificate of a PEM file. Throws Error(kConfig) naming the file if it cannot be
// read or holds no certificate.
CertificateInfo read_certificate(const std::filesystem::path& pem);

// The ssl_certificate files named by the site files in `sites_dir` (nginx's sites-enabled)
// that mention `portal_target`: the portal's socket path or address (server.listen without
// "unix:"). Each file once, in the order found.
std::vector<std::filesystem::path> nginx_portal_certificates(const std::filesystem::path& sites_dir,
                                                             const std::string& portal_target);

}  // namespace da::ops
