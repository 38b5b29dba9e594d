#include "jira/webhook/signature.hpp"

#include <optional>

#include "da/common/crypto.hpp"
#include "da/common/strings.hpp"

namespace da::connectors::jira {

namespace {

constexpr std::string_view kPrefix = "sha256=";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The bytes of an even-length hex string, or nullopt.
std::optional<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int high = hex_value(hex[i]);
    int low = hex_value(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes.push_back(static_cast<char>(high * 16 + low));
  }
  return bytes;
}

}  // namespace

std::string webhook_signature(std::string_view secret, std::string_view body) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(kPrefix);
  for (unsigned char byte : hmac_sha256(secret, body)) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0f]);
  }
  return hex;
}

bool signature_matches(std::string_view secret, std::string_view body, std::string_view presented) {
  if (secret.empty()) return false;
  presented = trim(presented);
  if (presented.size() > kPrefix.size() && to_lower(presented.substr(0, kPrefix.size())) == kPrefix)
    presented.remove_prefix(kPrefix.size());
  std::optional<std::string> digest = hex_decode(presented);
  return digest && constant_time_equal(*digest, hmac_sha256(secret, body));
}

}  // namespace da::connectors::jira
