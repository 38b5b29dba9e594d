// Certificate authorities to trust for TLS besides the system's, for servers whose certificate
// a private (company) CA signed: a PEM file of one or more CA certificates. libcurl reads it as
// its CA bundle (CURLOPT_CAINFO); Debian's libcurl keeps trusting /etc/ssl/certs (its CA path).
#pragma once

#include <filesystem>
#include <string>

namespace da::net {

// Throws Error(kConfig) "<what> <file> <problem>" (what: "the CA file", "--cacert: the CA
// file", ...) unless `file` is a readable regular file holding at least one PEM certificate.
void check_ca_file(const std::filesystem::path& file, const std::string& what);

}  // namespace da::net
