// A private certificate authority made for one test: its certificate, and a server certificate
// it signed for 127.0.0.1 and localhost, as PEM files. Nothing on the machine trusts the CA, so
// a client verifies the server only when it is given the CA's file.
#pragma once

#include <filesystem>

namespace da::fakes {

struct TestPki {
  std::filesystem::path ca_cert;      // the CA's certificate (what a client is told to trust)
  std::filesystem::path server_cert;  // for IP 127.0.0.1 and DNS localhost, valid for a day
  std::filesystem::path server_key;   // its private key (mode 0600)
};

// Generates fresh P-256 keys and writes ca.pem, server.pem and server.key into `folder`
// (created if missing). Throws std::runtime_error naming the OpenSSL call that failed.
TestPki make_test_pki(const std::filesystem::path& folder);

}  // namespace da::fakes
