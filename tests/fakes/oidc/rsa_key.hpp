// An RSA key pair made for one test run: signs RS256 JWTs the way an OpenID provider does
// and publishes its public half as a JWKS document.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace da::fakes {

class RsaKey {
 public:
  // Generates a 2048-bit key; `kid` names it in JWT headers and the JWKS.
  explicit RsaKey(std::string kid);
  ~RsaKey();
  RsaKey(RsaKey&&) noexcept;
  RsaKey& operator=(RsaKey&&) noexcept;

  const std::string& kid() const { return kid_; }
  // A compact RS256 JWT of `claims`; `header_overrides` are merged into
  // {"alg":"RS256","typ":"JWT","kid":kid}.
  std::string sign(const nlohmann::json& claims,
                   const nlohmann::json& header_overrides = nlohmann::json::object()) const;
  // {"kty":"RSA","use":"sig","alg":"RS256","kid":...,"n":...,"e":...}
  nlohmann::json public_jwk() const;

 private:
  struct Impl;
  std::string kid_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace da::fakes
