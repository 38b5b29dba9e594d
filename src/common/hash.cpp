#include "da/common/hash.hpp"

#include <array>
#include <fstream>
#include <memory>

#include <openssl/evp.h>

#include "da/common/error.hpp"

namespace da {

namespace {

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

DigestContext new_sha256() {
  DigestContext context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    throw Error(ErrorKind::kInternal, "OpenSSL: cannot initialise SHA-256");
  }
  return context;
}

std::string finish_hex(EVP_MD_CTX* context) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context, digest, &length) != 1) {
    throw Error(ErrorKind::kInternal, "OpenSSL: SHA-256 failed");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xF];
  }
  return hex;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  DigestContext context = new_sha256();
  EVP_DigestUpdate(context.get(), data.data(), data.size());
  return finish_hex(context.get());
}

std::string sha256_file_hex(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::kNotFound, "cannot open " + path.string());
  DigestContext context = new_sha256();
  std::array<char, 1 << 16> buffer;
  while (in) {
    in.read(buffer.data(), buffer.size());
    if (in.gcount() > 0)
      EVP_DigestUpdate(context.get(), buffer.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw Error(ErrorKind::kInternal, "cannot read " + path.string());
  return finish_hex(context.get());
}

}  // namespace da
