// Randomness, encodings and MACs for tokens (OpenSSL). Sessions, magic links, reset and
// refresh tokens are random 256-bit values handed out once and stored only as their SHA-256.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace da {

// `bytes` bytes from the CSPRNG. Throws Error(kInternal) if the generator fails.
std::string random_bytes(std::size_t bytes);
// A URL-safe token of `bytes` random bytes (default 256 bits), base64url without padding.
std::string random_token(std::size_t bytes = 32);
// `digits` random decimal digits ("048213"), uniformly distributed.
std::string random_digits(std::size_t digits);

std::string base64url_encode(std::string_view data);
// nullopt on any character outside the base64url alphabet or a bad length; padding is accepted.
std::optional<std::string> base64url_decode(std::string_view text);
std::string base64_encode(std::string_view data);

// Raw 32-byte HMAC-SHA256 and SHA-256 digests.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string sha256_raw(std::string_view data);
// Comparison whose time does not depend on where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);
// The lower-case hex SHA-256 a token is stored as.
std::string token_hash(std::string_view token);

}  // namespace da
