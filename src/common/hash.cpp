#include "da/common/hash.hpp"

#include <algorithm>
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

struct Sha256::Context {
  DigestContext digest = new_sha256();
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {}
Sha256::~Sha256() = default;

void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(context_->digest.get(), data.data(), data.size());
}

void Sha256::update_from_file(const std::filesystem::path& path, int64_t bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::kNotFound, "cannot open " + path.string());
  std::array<char, 1 << 16> buffer;
  uint64_t left = bytes < 0 ? UINT64_MAX : static_cast<uint64_t>(bytes);
  while (in && left > 0) {
    in.read(buffer.data(), static_cast<std::streamsize>(std::min<uint64_t>(buffer.size(), left)));
    if (in.gcount() > 0) {
      update(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
      left -= static_cast<uint64_t>(in.gcount());
    }
  }
  if (in.bad()) throw Error(ErrorKind::kInternal, "cannot read " + path.string());
}

std::string Sha256::hex_digest() {
  return finish_hex(context_->digest.get());
}

std::string sha256_file_hex(const std::filesystem::path& path) {
  Sha256 hash;
  hash.update_from_file(path);
  return hash.hex_digest();
}

}  // namespace da
