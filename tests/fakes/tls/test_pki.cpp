#include "fakes/tls/test_pki.hpp"

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

namespace da::fakes {

namespace {

namespace fs = std::filesystem;

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what + " failed");
}

Key new_key() {
  Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  check(key != nullptr, "EVP_EC_gen");
  return key;
}

void add_extension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, decltype(&X509_EXTENSION_free)> extension(
      X509V3_EXT_conf_nid(nullptr, &context, nid, value), X509_EXTENSION_free);
  check(extension != nullptr, "X509V3_EXT_conf_nid");
  check(X509_add_ext(certificate, extension.get(), -1) == 1, "X509_add_ext");
}

// A certificate for `subject_key` named `common_name`, signed by `issuer_key`; `issuer` is null
// for a self-signed one.
Certificate new_certificate(EVP_PKEY* subject_key, const char* common_name, X509* issuer,
                            EVP_PKEY* issuer_key, long serial) {
  Certificate certificate(X509_new(), X509_free);
  check(certificate != nullptr, "X509_new");
  X509* c = certificate.get();
  check(X509_set_version(c, 2) == 1, "X509_set_version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(c), serial) == 1, "ASN1_INTEGER_set");
  X509_gmtime_adj(X509_getm_notBefore(c), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c), 24 * 3600);
  check(X509_set_pubkey(c, subject_key) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(c);
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name), -1, -1,
                                   0) == 1,
        "X509_NAME_add_entry_by_txt");
  X509* signer = issuer != nullptr ? issuer : c;
  check(X509_set_issuer_name(c, X509_get_subject_name(signer)) == 1, "X509_set_issuer_name");
  add_extension(c, signer, NID_subject_key_identifier, "hash");
  if (issuer == nullptr) {
    add_extension(c, signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(c, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(c, signer, NID_authority_key_identifier, "keyid:always");
    add_extension(c, signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(c, signer, NID_key_usage, "critical,digitalSignature");
    add_extension(c, signer, NID_ext_key_usage, "serverAuth");
    add_extension(c, signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  }
  check(X509_sign(c, issuer_key, EVP_sha256()) > 0, "X509_sign");
  return certificate;
}

using File = std::unique_ptr<std::FILE, decltype(&std::fclose)>;

File open_for_writing(const fs::path& path, mode_t mode) {
  File file(std::fopen(path.c_str(), "w"), std::fclose);
  check(file != nullptr, "creating a PEM file");
  ::chmod(path.c_str(), mode);
  return file;
}

void write_certificate(const fs::path& path, X509* certificate) {
  File file = open_for_writing(path, 0644);
  check(PEM_write_X509(file.get(), certificate) == 1, "PEM_write_X509");
}

void write_key(const fs::path& path, EVP_PKEY* key) {
  File file = open_for_writing(path, 0600);
  check(PEM_write_PrivateKey(file.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_PrivateKey");
}

}  // namespace

TestPki make_test_pki(const fs::path& folder) {
  fs::create_directories(folder);
  Key ca_key = new_key();
  Certificate ca = new_certificate(ca_key.get(), "da test CA", nullptr, ca_key.get(), 1);
  Key server_key = new_key();
  Certificate server = new_certificate(server_key.get(), "127.0.0.1", ca.get(), ca_key.get(), 2);
  TestPki pki{folder / "ca.pem", folder / "server.pem", folder / "server.key"};
  write_certificate(pki.ca_cert, ca.get());
  write_certificate(pki.server_cert, server.get());
  write_key(pki.server_key, server_key.get());
  return pki;
}

}  // namespace da::fakes
