#include "da/common/crypto.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "da/common/error.hpp"
#include "da/common/hash.hpp"

namespace da {

namespace {

constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kStdAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string encode(std::string_view data, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  auto byte = [&](std::size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(data[i])); };
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    for (int shift : {18, 12, 6, 0})
      out.push_back(alphabet[(n >> shift) & 63]);
  }
  std::size_t rest = data.size() - i;
  if (rest == 0) return out;
  uint32_t n = byte(i) << 16;
  if (rest == 2) n |= byte(i + 1) << 8;
  out.push_back(alphabet[(n >> 18) & 63]);
  out.push_back(alphabet[(n >> 12) & 63]);
  if (rest == 2) out.push_back(alphabet[(n >> 6) & 63]);
  if (pad) out.append(rest == 1 ? "==" : "=");
  return out;
}

int url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Padding may only complete the last quantum, so "QQ==" and "QQ" are accepted but not "QQ=".
std::optional<std::string_view> strip_padding(std::string_view text) {
  std::size_t padding = 0;
  while (padding < text.size() && text[text.size() - 1 - padding] == '=')
    ++padding;
  if (padding == 0) return text;
  if (padding > 2 || text.size() % 4 != 0) return std::nullopt;
  return text.substr(0, text.size() - padding);
}

// OpenSSL's HMAC layer reads a null key pointer as "keep the previous key"; an empty key
// (string_view{}) must still point somewhere.
const void* key_pointer(std::string_view key) {
  static const char kEmpty = 0;
  return key.data() ? static_cast<const void*>(key.data()) : &kEmpty;
}

}  // namespace

std::string random_bytes(std::size_t bytes) {
  std::string out(bytes, '\0');
  auto* cursor = reinterpret_cast<unsigned char*>(out.data());
  for (std::size_t done = 0; done < bytes;) {
    int chunk = static_cast<int>(std::min<std::size_t>(bytes - done, INT_MAX));
    if (RAND_bytes(cursor + done, chunk) != 1)
      throw Error(ErrorKind::kInternal, "the random number generator (OpenSSL RAND_bytes) failed");
    done += static_cast<std::size_t>(chunk);
  }
  return out;
}

std::string random_token(std::size_t bytes) {
  return base64url_encode(random_bytes(bytes));
}

std::string random_digits(std::size_t digits) {
  std::string out;
  out.reserve(digits);
  while (out.size() < digits) {
    for (unsigned char byte : random_bytes(digits - out.size() + 8)) {
      // 250 is a multiple of 10: dropping 250..255 keeps every digit equally likely.
      if (byte >= 250) continue;
      out.push_back(static_cast<char>('0' + byte % 10));
      if (out.size() == digits) break;
    }
  }
  return out;
}

std::string base64url_encode(std::string_view data) {
  return encode(data, kUrlAlphabet, false);
}
std::string base64_encode(std::string_view data) {
  return encode(data, kStdAlphabet, true);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  auto body = strip_padding(text);
  if (!body || body->size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(body->size() * 3 / 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : *body) {
    int value = url_value(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  // Leftover bits must be zero, otherwise several texts would decode to the same bytes.
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key_pointer(key), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length))
    throw Error(ErrorKind::kInternal, "HMAC-SHA256 (OpenSSL) failed");
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string sha256_raw(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr))
    throw Error(ErrorKind::kInternal, "SHA-256 (OpenSSL) failed");
  return std::string(reinterpret_cast<const char*>(digest), length);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // The length is not secret (tokens and MACs have fixed sizes); only the content is.
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string token_hash(std::string_view token) {
  return sha256_hex(token);
}

}  // namespace da
