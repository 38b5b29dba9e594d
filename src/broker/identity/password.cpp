#include "da/identity/password.hpp"

#include <mutex>

#include <sodium.h>

#include "da/common/error.hpp"
#include "da/common/strings.hpp"

namespace da::identity {

namespace {

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw Error(ErrorKind::kInternal, "libsodium failed to initialise");
  });
}

}  // namespace

std::string hash_password(std::string_view password) {
  ensure_sodium();
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw Error(ErrorKind::kInternal, "password hashing ran out of memory");
  return hash;
}

bool verify_password(const std::string& hash, std::string_view password) {
  ensure_sodium();
  if (hash.empty()) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(const std::string& hash) {
  ensure_sodium();
  return crypto_pwhash_str_needs_rehash(hash.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

std::optional<std::string> password_policy_problem(std::string_view password,
                                                   std::string_view email) {
  if (password.size() < 10) return "the password must have at least 10 characters";
  if (password.size() > 256) return "the password must have at most 256 characters";
  bool upper = false, lower = false, digit = false;
  for (char c : password) {
    upper |= c >= 'A' && c <= 'Z';
    lower |= c >= 'a' && c <= 'z';
    digit |= c >= '0' && c <= '9';
  }
  if (!upper || !lower || !digit)
    return "the password needs an upper-case letter, a lower-case letter and a digit";
  std::string local = to_lower(email.substr(0, email.find('@')));
  if (!local.empty() && to_lower(password).find(local) != std::string::npos)
    return "the password must not contain your email name";
  return std::nullopt;
}

}  // namespace da::identity
