#include "fakes/oidc/rsa_key.hpp"

#include <stdexcept>
#include <utility>
#include <vector>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "da/common/crypto.hpp"

namespace da::fakes {

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("RsaKey: " + what + " failed (OpenSSL)");
}

std::string big_endian(const EVP_PKEY* key, const char* name) {
  BIGNUM* number = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &number) != 1) fail(std::string("reading ") + name);
  std::vector<unsigned char> bytes(static_cast<std::size_t>(BN_num_bytes(number)));
  BN_bn2bin(number, bytes.data());
  BN_free(number);
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

struct RsaKey::Impl {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
};

RsaKey::RsaKey(std::string kid) : kid_(std::move(kid)), impl_(std::make_unique<Impl>()) {
  impl_->key.reset(EVP_RSA_gen(2048));
  if (!impl_->key) fail("generating a 2048-bit key");
}

RsaKey::~RsaKey() = default;
RsaKey::RsaKey(RsaKey&&) noexcept = default;
RsaKey& RsaKey::operator=(RsaKey&&) noexcept = default;

std::string RsaKey::sign(const nlohmann::json& claims,
                         const nlohmann::json& header_overrides) const {
  nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", kid_}};
  // JSON merge patch: an override of null removes the field (a token without "kid").
  header.merge_patch(header_overrides);
  std::string input = base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  EVP_MD_CTX_free);
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (!context ||
      EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, impl_->key.get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length, data, input.size()) != 1)
    fail("starting an RS256 signature");
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     data, input.size()) != 1)
    fail("signing");
  signature.resize(length);
  return input + "." + base64url_encode(signature);
}

nlohmann::json RsaKey::public_jwk() const {
  return {{"kty", "RSA"},
          {"use", "sig"},
          {"alg", "RS256"},
          {"kid", kid_},
          {"n", base64url_encode(big_endian(impl_->key.get(), OSSL_PKEY_PARAM_RSA_N))},
          {"e", base64url_encode(big_endian(impl_->key.get(), OSSL_PKEY_PARAM_RSA_E))}};
}

}  // namespace da::fakes
