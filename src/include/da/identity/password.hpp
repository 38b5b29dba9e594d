// Password hashing (Argon2id through libsodium, the interactive limits: ~150 ms and 64 MiB)
// and the password policy.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace da::identity {

std::string hash_password(std::string_view password);
bool verify_password(const std::string& hash, std::string_view password);
// True when `hash` was made with other parameters than hash_password() uses now.
bool password_needs_rehash(const std::string& hash);
// Why `password` is not acceptable, or nullopt: at least 10 characters, at most 256, with an
// upper-case letter, a lower-case letter and a digit, and not the email's local part.
std::optional<std::string> password_policy_problem(std::string_view password,
                                                   std::string_view email);

}  // namespace da::identity
